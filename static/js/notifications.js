// The live bell (#17), on every page for members. Without JavaScript the bell is a link with the
// count at page load; with it, this file:
//
// - opens the page's one Socket.IO connection and shares it as `window.alongsideSocket`
//   (chat.js, loaded after this file on the chat pages, uses the same socket);
// - on every connect (the first included) asks `notifications:sync {after_id}` for what
//   arrived after the newest notification it knows, page by page while has_more, and sets the
//   count from the server's answer, so the count is right after a phone slept;
// - counts each `notification:new` once (by id) in between.
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

  socket.on("connect", function () {
    sync(lastId);
  });
  socket.on("disconnect", function () {
    bell.dataset.synced = "false";
  });
  socket.on("notification:new", function (item) {
    if (!item || !take(item)) return;
    if (!item.read) unread += 1;
    show();
    document.dispatchEvent(new CustomEvent("alongside:notification", { detail: item }));
  });
  if (socket.connected) sync(lastId);
})();
