// The door's check-in page (#18), progressive enhancement over the plain forms:
// - the name search filters the list as you type (the GET form works without it);
// - check-in and undo buttons post with fetch and update their row at once;
// - with the page's Socket.IO connection (`window.alongsideSocket`, opened by
//   notifications.js) it watches the event's check-in room and applies `checkin:changed`
//   from other helpers' phones; without it, a reload shows the same;
// - where the browser offers BarcodeDetector, a "Scan" button reads a ticket's QR code with
//   the camera and checks it in (typing the code always works).
(function () {
  "use strict";
  var door = document.getElementById("door");
  if (!door) return;
  var eventId = Number(door.getAttribute("data-event-id"));
  var status = document.getElementById("door-status");

  function say(text, problem) {
    if (!status) return;
    status.textContent = text;
    status.className = "flash door__status " + (problem ? "flash--error" : "flash--success");
    status.hidden = !text;
  }

  // Fetch this page again and put the fresh rows and counts in place.
  function refresh(rsvpId) {
    return window
      .fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var fresh = new window.DOMParser().parseFromString(html, "text/html");
        var counts = fresh.getElementById("door-counts");
        var mine = document.getElementById("door-counts");
        if (counts && mine) mine.innerHTML = counts.innerHTML;
        var selector = rsvpId ? '[data-rsvp="' + Number(rsvpId) + '"]' : ".door-party";
        fresh.querySelectorAll(selector).forEach(function (row) {
          var here = document.getElementById(row.id);
          if (here) here.replaceWith(document.importNode(row, true));
        });
        filter();
      })
      .catch(function () {});
  }

  // One tap: post the form, say what happened, update the row.
  door.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-door")) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    window
      .fetch(form.action, {
        method: "POST",
        body: new window.FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", Accept: "application/json" },
      })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.error) {
          say(answer.error.message, true);
          return;
        }
        say(answer.message);
        var code = form.querySelector("input[name=code]");
        if (code) code.value = "";
        return refresh(answer.party && answer.party.rsvp_id);
      })
      .catch(function () { form.submit(); })
      .then(function () { if (button) button.disabled = false; });
  });

  // Filter the list as the name is typed.
  var search = document.getElementById("q");
  var none = document.getElementById("door-none");
  function filter() {
    if (!search) return;
    var text = search.value.trim().toLowerCase();
    var shown = 0;
    document.querySelectorAll("#door-list .door-party").forEach(function (row) {
      var match = !text || (row.getAttribute("data-name") || "").indexOf(text) !== -1;
      row.hidden = !match;
      if (match) shown += 1;
    });
    if (none) none.hidden = shown > 0 || !text;
  }
  if (search) search.addEventListener("input", filter);

  // Live: other doors' check-ins.
  function watch(socket) {
    socket.emit("checkin:watch", { event_id: eventId });
  }
  function live() {
    var socket = window.alongsideSocket;
    if (!socket) return false;
    socket.on("checkin:changed", function (data) {
      if (!data || data.event_id !== eventId) return;
      watch(socket); // the server checks again that I may still follow this door
      refresh(data.party && data.party.rsvp_id);
    });
    socket.on("connect", function () { watch(socket); });
    if (socket.connected) watch(socket);
    return true;
  }
  if (!live()) window.addEventListener("load", live);

  // The camera, where the browser can read QR codes.
  var scan = document.getElementById("door-scan");
  var video = document.getElementById("door-video");
  var codeInput = document.getElementById("code");
  if (scan && video && codeInput && "BarcodeDetector" in window && navigator.mediaDevices) {
    scan.hidden = false;
    scan.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" } })
        .then(function (stream) {
          video.srcObject = stream;
          video.hidden = false;
          video.play();
          function stop() {
            stream.getTracks().forEach(function (track) { track.stop(); });
            video.hidden = true;
          }
          function look() {
            detector
              .detect(video)
              .then(function (codes) {
                if (!codes.length) return window.setTimeout(look, 250);
                var text = codes[0].rawValue || "";
                var value = text;
                try { value = new URL(text).searchParams.get("code") || text; } catch (e) {}
                stop();
                codeInput.value = value;
                codeInput.form.requestSubmit();
              })
              .catch(function () { window.setTimeout(look, 500); });
          }
          look();
        })
        .catch(function () { say(scan.getAttribute("data-denied") || ""); });
    });
  }
})();
