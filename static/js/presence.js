// Presence (#17) on top of the server-rendered badges (templates/presence/_badge.html), over
// the socket contract of community/presence/sockets.py:
//
// - `presence:heartbeat` on connect, every 30 s while the page is visible (Page Visibility
//   API) and as soon as it becomes visible again; nothing while hidden, so a member whose
//   pages are all in the background turns "Away" after 70 s;
// - `presence:watch {user_ids}` for the members whose badges the page shows (on every
//   connect, so a reconnect catches up), then `presence {user_id, status}` events update
//   every badge of that member; `presence:rewatch` means the server took this socket out of
//   that member's room (a block, a stricter profile...) or that member showed their
//   presence again: the badge hides until the server answers again; `presence:rewatch
//   {user_id: null}` means I showed mine again: watch every badge again and beat at once.
// Loaded on every page of a logged-in member (base.html), so browsing anywhere keeps a
// member online. One socket per page: notifications.js opens it (it loads first).
(function () {
  "use strict";

  var HEARTBEAT_EVERY = 30000; // ms
  var SHOWN = { online: true, away: true };

  if (typeof window.io !== "function") return;

  var stringsNode = document.getElementById("presence-strings");
  var strings = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  var socket = window.alongsideSocket || window.io({ transports: ["websocket", "polling"] });
  window.alongsideSocket = socket;

  function badges(id) {
    return document.querySelectorAll('[data-presence-user="' + Number(id) + '"]');
  }

  function watchedIds() {
    var ids = new Set();
    document.querySelectorAll("[data-presence-user]").forEach(function (node) {
      ids.add(Number(node.dataset.presenceUser));
    });
    return Array.from(ids);
  }

  function show(id, status) {
    badges(id).forEach(function (node) {
      node.dataset.status = status || "";
      node.className = node.className.replace(/\bpresence--(online|away|offline|unknown)\b/, "presence--" + (status || "unknown"));
      node.hidden = !SHOWN[status];
      var label = node.querySelector(".presence__label");
      if (label) label.textContent = strings[status] || "";
      if (node.hasAttribute("title")) node.title = strings[status] || "";
    });
  }

  function watch(ids) {
    if (!ids.length || !socket.connected) return;
    socket.emit("presence:watch", { user_ids: ids.slice(0, 100) }, function (answer) {
      if (!answer || !answer.ok) return;
      ids.forEach(function (id) {
        show(id, answer.statuses[String(id)] || null);
      });
    });
  }

  function beat() {
    if (socket.connected && document.visibilityState === "visible") socket.emit("presence:heartbeat");
  }

  function start() {
    beat();
    watch(watchedIds());
  }

  socket.on("connect", start);
  if (socket.connected) start();
  window.setInterval(beat, HEARTBEAT_EVERY);
  document.addEventListener("visibilitychange", beat);

  socket.on("presence", function (event) {
    show(event.user_id, event.status);
  });
  socket.on("presence:rewatch", function (event) {
    if (!event || event.user_id === null || event.user_id === undefined) {
      // I showed my presence again (on this page or another): I may see others again, and
      // they me from now on.
      start();
      return;
    }
    show(event.user_id, null);
    watch([event.user_id]);
  });
})();
