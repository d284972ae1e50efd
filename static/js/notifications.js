// The live bell (#17), on every page for members. Without JavaScript the bell is a link with the
// count at page load; with it, this file:
//
// - opens the page's one Socket.IO connection and shares it as `window.alongsideSocket`
//   (chat.js, loaded after this file on the chat pages, uses the same socket);
// - on every connect (the first included) asks `notifications:sync {after_id}` for what
//   arrived after the newest notification it knows, page by page while has_more, and sets the
//   count from the server's answer, so the count is right after a phone slept;
// - counts each `notification:new` once (by id) in between;
// - on `notifications:read` (some were read on another tab or device) asks for the count
//   again;
// - on /notifications, fetches the list again from the server (so it is grouped as the
//   server groups it: "4 new comments" rather than a fifth line) when a notification
//   arrives, when some are read elsewhere and after a reconnect, and announces a new one in
//   a polite live region (its text only, never the whole list).
(function () {
  "use strict";

  if (typeof window.io !== "function") return;
  var bell = document.querySelector("[data-notification-bell]");
  var socket = window.alongsideSocket || window.io({ transports: ["websocket", "polling"] });
  window.alongsideSocket = socket;
  if (!bell) return;

  var countNode = bell.querySelector("[data-bell-count]");
  var labelNode = bell.querySelector("[data-bell-unread-label]");
  var cap = Number(bell.dataset.cap) || 99;
  var unread = Number(bell.dataset.unread) || 0;
  var lastId = Number(bell.dataset.lastId) || 0;
  var seen = new Set();

  function show() {
    var text = unread > cap ? cap + "+" : String(unread);
    bell.dataset.unread = String(unread);
    bell.dataset.lastId = String(lastId);
    countNode.textContent = text;
    countNode.hidden = unread === 0;
    if (labelNode) labelNode.hidden = unread === 0;
  }

  function take(item) {
    if (seen.has(item.id)) return false;
    seen.add(item.id);
    if (item.id > lastId) lastId = item.id;
    return true;
  }

  function sync(afterId) {
    socket.timeout(10000).emit("notifications:sync", { after_id: afterId }, function (error, answer) {
      if (error || !answer || !answer.ok) return; // the next connect tries again
      answer.notifications.forEach(take);
      if (answer.last_id > lastId) lastId = answer.last_id;
      unread = answer.unread;
      show();
      if (answer.has_more) {
        sync(answer.last_id);
      } else {
        bell.dataset.synced = "true"; // caught up on this connection (tests wait for it)
      }
    });
  }

  // --- the /notifications page, when it is this page -------------------------------------
  var pageNode = document.querySelector("[data-notifications-page]");
  var listNode = pageNode && pageNode.querySelector("[data-notifications-list]");
  var announceNode = pageNode && pageNode.querySelector("[data-notifications-announce]");
  var fetching = null;
  var fetchAgain = false;

  // The focused control's place (its line and which button), to put focus back after the
  // list is replaced.
  function focusedPlace() {
    var active = document.activeElement;
    if (!active || !listNode.contains(active)) return null;
    var line = active.closest("[data-notification-id]");
    var form = active.closest("form");
    return line && form ? { id: line.dataset.notificationId, form: form.className } : null;
  }

  function refreshList() {
    if (!listNode) return;
    if (fetching) {
      fetchAgain = true; // one more once this answer is in: nothing is missed
      return;
    }
    fetching = window
      .fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-notifications-list]");
        if (!fresh) return;
        var place = focusedPlace();
        listNode.replaceChildren.apply(listNode, Array.from(fresh.childNodes));
        if (place) {
          var line = listNode.querySelector('[data-notification-id="' + CSS.escape(place.id) + '"]');
          var form = line && line.querySelector('form[class="' + CSS.escape(place.form) + '"] button');
          if (form) form.focus();
        }
        pageNode.dataset.refreshed = String(Number(pageNode.dataset.refreshed || 0) + 1);
      })
      .catch(function () {})
      .then(function () {
        fetching = null;
        if (fetchAgain) {
          fetchAgain = false;
          refreshList();
        }
      });
  }

  function announce(item) {
    if (!announceNode || !item.text) return;
    announceNode.textContent = (announceNode.dataset.newLabel || "") + " " + item.text;
  }

  var connectedBefore = false;
  socket.on("connect", function () {
    sync(lastId);
    if (connectedBefore) refreshList(); // what changed while away is on the server's list
    connectedBefore = true;
  });
  socket.on("disconnect", function () {
    bell.dataset.synced = "false";
  });
  socket.on("notification:new", function (item) {
    if (!item || !take(item)) return;
    if (!item.read) unread += 1;
    show();
    announce(item);
    refreshList();
    document.dispatchEvent(new CustomEvent("alongside:notification", { detail: item }));
  });
  socket.on("notifications:read", function () {
    sync(lastId); // the server's count
    refreshList();
  });
  if (socket.connected) {
    connectedBefore = true;
    sync(lastId);
  }
})();
