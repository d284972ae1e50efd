// Live chat on top of the server-rendered pages (#16). Without JavaScript every action is a
// plain form; with it, this file adds, over the Socket.IO contract of community/chat/sockets.py:
//
// - sending through an outbox kept in localStorage (per member and conversation): a message
//   shows at once as "Sending…", is sent in order when connected, each attempt with a timeout
//   and retried with backoff under the SAME client_id (the server stores it once); a send that
//   fails for good shows "Not sent" with Retry and Delete;
// - live messages, edits, deletes and reactions, inserted or replaced by data-id, ignoring
//   anything not newer (by seq) than what the page shows;
// - catch-up: on every connect (the first included) `sync` from the highest seq seen, page by
//   page while has_more; `reset` reloads the page;
// - read state ("Seen by"), the typing indicator, the navigation's unread badge and the
//   /chat list's rows.
(function () {
  "use strict";

  var SEND_TIMEOUT = 10000; // ms to wait for a message:send ack
  var MAX_ATTEMPTS = 6; // then "Not sent"
  var BACKOFF = [1000, 2000, 4000, 8000, 16000];
  var TYPING_EVERY = 3000; // ms between two typing events we send
  var TYPING_SHOWN = 5000; // ms a "… is typing" stays without news

  if (typeof window.io !== "function") return;

  var dataNode = document.getElementById("chat-data");
  var data = dataNode ? JSON.parse(dataNode.textContent) : null;
  var historyNode = document.getElementById("history");
  var list = document.getElementById("history-list");
  var chatList = document.querySelector(".chat-list");
  var conversationId = data ? data.conversation_id : null;
  var userId = data ? data.user_id : chatList ? Number(chatList.dataset.userId) : null;
  var live = !!(historyNode && historyNode.dataset.live === "true");
  var lastSeq = historyNode ? Number(historyNode.dataset.lastSeq) || 0 : 0;
  var listDataNode = document.getElementById("chat-list-data");
  var listData = listDataNode ? JSON.parse(listDataNode.textContent) : {};
  var strings = (data && data.strings) || listData.strings || {};
  var names = (data && data.names) || {};

  // --- the navigation's badge ------------------------------------------------------------

  var badges = document.querySelectorAll("[data-chat-badge]");
  var unread = new Set();
  if (badges.length) {
    (badges[0].dataset.unreadIds || "").split(" ").forEach(function (id) {
      if (id) unread.add(Number(id));
    });
  }

  function showBadge() {
    badges.forEach(function (badge) {
      badge.hidden = unread.size === 0;
      badge.dataset.unreadIds = Array.from(unread).join(" ");
      var count = badge.querySelector(".nav-badge__count");
      if (count) count.textContent = String(unread.size);
    });
  }

  // --- the socket ------------------------------------------------------------------------

  // The page's one socket, opened by notifications.js (base.html loads it first); shared
  // with presence.js, which loads after this file.
  var socket = window.alongsideSocket || window.io({ transports: ["websocket", "polling"] });
  window.alongsideSocket = socket;
  var connection = document.getElementById("chat-connection");

  function setConnectionNote(text) {
    // The state for styles and tests: "true" once connected, "false" while not.
    if (historyNode) historyNode.dataset.connected = text ? "false" : "true";
    if (!connection) return;
    connection.textContent = text || "";
    connection.hidden = !text;
  }

  // A network cut can take a while to notice on an open WebSocket: the browser says so at once.
  window.addEventListener("offline", function () {
    setConnectionNote(strings.offline);
    if (socket.connected) socket.disconnect();
  });
  window.addEventListener("online", function () {
    if (!socket.connected) socket.connect();
  });

  var connectedBefore = false;
  socket.on("connect", onConnect);
  function onConnect() {
    setConnectionNote("");
    if (chatList) {
      // Back after a disconnect: what arrived meanwhile is on the server's list.
      if (connectedBefore) refreshList();
      chatList.dataset.live = "true"; // rows follow new messages from now on (tests wait for it)
    }
    connectedBefore = true;
    if (conversationId && live) {
      catchUp().then(function () {
        historyNode.dataset.synced = "true"; // caught up on this connection (tests wait for it)
        markRead();
        pump();
      });
    }
  }
  // The shared socket may have connected already: catch up once this script has run.
  if (socket.connected) window.setTimeout(onConnect, 0);
  socket.on("disconnect", function (reason) {
    setConnectionNote(strings.offline);
    if (historyNode) historyNode.dataset.synced = "false";
    if (chatList) chatList.dataset.live = "false";
    inflight = null; // its ack will not come: send it again once connected
    if (reason === "io server disconnect" && navigator.onLine) {
      // The server ended it (a logout elsewhere, a removal): a reload shows why.
      window.setTimeout(function () {
        window.location.reload();
      }, 1000);
    }
  });
  if (!navigator.onLine) setConnectionNote(strings.offline);

  function emitAck(event, payload, timeout) {
    return new Promise(function (resolve) {
      socket.timeout(timeout || SEND_TIMEOUT).emit(event, payload, function (error, answer) {
        resolve(error ? { ok: false, timeout: true } : answer || { ok: false });
      });
    });
  }

  // --- rendering messages ----------------------------------------------------------------

  var template = document.getElementById("chat-message-template");

  function format(text, values) {
    return String(text || "").replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  // http(s) links as anchors, everything else as text (the server's linkify-it-py does the
  // same for the page; no HTML from members ever reaches innerHTML).
  var LINK = /https?:\/\/[^\s<>"]+/gi;
  function fillText(node, text) {
    node.textContent = "";
    var last = 0;
    text.replace(LINK, function (found, index) {
      var url = found.replace(/[.,!?;:'")\]]+$/, "");
      if (index > last) node.appendChild(document.createTextNode(text.slice(last, index)));
      var link = document.createElement("a");
      link.href = url;
      link.rel = "nofollow noopener ugc";
      link.textContent = url;
      node.appendChild(link);
      last = index + url.length;
      return found;
    });
    if (last < text.length) node.appendChild(document.createTextNode(text.slice(last)));
  }

  function senderName(id) {
    if (id === userId) return strings.you;
    return names[String(id)] || strings.former;
  }

  function timeText(iso) {
    var date = iso ? new Date(iso) : new Date();
    try {
      // On the member's own clock, as the server renders the page.
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZone: (data && data.timezone) || listData.timezone || undefined,
      }).format(date);
    } catch (error) {
      return date.toTimeString().slice(0, 5);
    }
  }

  function quoteFor(replyToId) {
    var original = document.getElementById("m-" + replyToId);
    if (!original) return null;
    var body = original.querySelector(".chat-message__body");
    var who = original.querySelector(".chat-message__sender");
    return {
      who: who ? who.textContent : "",
      text: body ? body.textContent.slice(0, 120) : "",
      deleted: original.classList.contains("chat-message--deleted"),
    };
  }

  // A message element from a payload (or a pending one from an outbox item), cloned from the
  // server-rendered <template> so the markup and the no-JS forms stay the server's.
  function build(message, pending) {
    var node = template.content.firstElementChild.cloneNode(true);
    var mine = message.sender_id === userId;
    var id = pending ? "" : String(message.id);
    node.removeAttribute("id");
    node.className = "chat-message";
    if (mine) node.classList.add("chat-message--mine");
    if (message.deleted) node.classList.add("chat-message--deleted");
    if (pending) {
      node.classList.add("chat-message--pending");
      delete node.dataset.id;
      delete node.dataset.seq;
      delete node.dataset.position;
    } else {
      node.id = "m-" + id;
      node.dataset.id = id;
      node.dataset.seq = String(message.seq);
      node.dataset.position = String(message.position);
    }
    node.dataset.senderId = String(message.sender_id || "");
    node.dataset.clientId = message.client_id || "";
    node.querySelectorAll("[href], [action]").forEach(function (el) {
      var attribute = el.hasAttribute("action") ? "action" : "href";
      el.setAttribute(
        attribute,
        el.getAttribute(attribute).replace("/messages/0/", "/messages/" + id + "/").replace("reply=0", "reply=" + id)
      );
    });
    node.querySelectorAll(mine ? "[data-others-only]" : "[data-mine-only]").forEach(function (el) {
      el.remove();
    });
    node.querySelector(".chat-message__sender").textContent = senderName(message.sender_id);
    var time = node.querySelector(".chat-message__time");
    var created = message.created_at ? new Date(message.created_at) : new Date();
    time.setAttribute("datetime", (isNaN(created) ? new Date() : created).toISOString());
    time.textContent = timeText(message.created_at);
    time.removeAttribute("title");
    node.querySelector(".chat-message__edited").hidden = !message.edited_at || message.deleted;
    var body = node.querySelector(".chat-message__body");
    if (message.deleted) {
      body.textContent = "";
      var gone = document.createElement("em");
      gone.className = "chat-message__gone";
      gone.textContent = strings.deleted;
      body.appendChild(gone);
    } else {
      fillText(body, message.body || "");
    }
    if (message.reply_to_id) {
      var found = quoteFor(message.reply_to_id);
      var quote = document.createElement("blockquote");
      quote.className = "chat-message__quote";
      if (found && !found.deleted) {
        var link = document.createElement("a");
        link.href = "#m-" + message.reply_to_id;
        var who = document.createElement("span");
        who.className = "chat-message__quote-who";
        who.textContent = found.who;
        link.appendChild(who);
        link.appendChild(document.createTextNode(" " + found.text));
        quote.appendChild(link);
      } else {
        var em = document.createElement("em");
        em.textContent = found ? strings.deleted : "…";
        quote.appendChild(em);
      }
      node.querySelector(".chat-message__head").after(quote);
    }
    var reactions = node.querySelector(".chat-message__reactions");
    var counts = message.reactions || {};
    var any = false;
    reactions.querySelectorAll(".reaction").forEach(function (button) {
      var people = counts[button.dataset.emoji] || [];
      button.hidden = people.length === 0;
      button.setAttribute("aria-pressed", people.indexOf(userId) >= 0 ? "true" : "false");
      button.querySelector(".reaction__count").textContent = String(people.length);
      if (people.length) any = true;
    });
    reactions.hidden = !any || message.deleted;
    var menu = node.querySelector(".chat-message__menu");
    if (menu) {
      if (pending || message.deleted) {
        menu.remove();
      } else {
        var hidden = menu.querySelector("summary .visually-hidden");
        if (hidden) {
          hidden.textContent =
            " " + format(strings.actions_for, { who: mine ? strings.you_lower : senderName(message.sender_id) });
        }
      }
    }
    return node;
  }

  function firstPending() {
    return list.querySelector(".chat-message--pending");
  }

  function place(node, position) {
    var before = null;
    var items = list.querySelectorAll(".chat-message[data-position]");
    for (var i = 0; i < items.length; i++) {
      if (Number(items[i].dataset.position) > position) {
        before = items[i];
        break;
      }
    }
    list.insertBefore(node, before || firstPending());
  }

  // The bottom of what the sticky composer leaves visible.
  function visibleBottom() {
    var composer = document.getElementById("composer");
    return window.innerHeight - (composer ? composer.offsetHeight : 0) - 8;
  }

  function nearBottom() {
    return list.getBoundingClientRect().bottom - visibleBottom() < 200;
  }

  // Scroll just enough for `node` to show above the composer.
  function reveal(node) {
    var overflow = node.getBoundingClientRect().bottom - visibleBottom();
    if (overflow > 0) window.scrollBy(0, overflow);
  }

  // Show a message from the server (an event, an ack or a catch-up page). Returns whether
  // the page changed.
  function applyMessage(message) {
    if (!message || message.conversation_id !== conversationId) return false;
    if (message.seq > lastSeq && !inSync) lastSeq = message.seq;
    var existing = document.getElementById("m-" + message.id);
    if (existing && Number(existing.dataset.seq) >= message.seq) return false;
    if (message.sender_id === userId && message.client_id) {
      dropFromOutbox(message.client_id);
      list.querySelectorAll(".chat-message--pending").forEach(function (node) {
        if (node.dataset.clientId === message.client_id) node.remove();
      });
    }
    var stick = nearBottom();
    var node = build(message, false);
    if (existing) {
      existing.replaceWith(node);
    } else {
      place(node, message.position);
      var empty = document.getElementById("history-empty");
      if (empty) empty.remove();
      if (stick) reveal(node);
    }
    if (message.sender_id === userId && !message.deleted) updateSeenTarget();
    return true;
  }

  // --- "Seen by" -------------------------------------------------------------------------

  var seen = document.getElementById("chat-seen");
  var seenIds = new Set();

  function myLatest() {
    var mine = list ? list.querySelectorAll(".chat-message--mine[data-id]:not(.chat-message--deleted)") : [];
    return mine.length ? mine[mine.length - 1] : null;
  }

  function updateSeenTarget() {
    if (!seen) return;
    var latest = myLatest();
    var id = latest ? latest.dataset.id : "";
    if (seen.dataset.messageId !== id) {
      seen.dataset.messageId = id;
      seenIds.clear();
      seen.querySelector(".chat-seen__names").textContent = "";
      seen.hidden = true;
    }
  }

  function someoneRead(readerId, seq) {
    var latest = myLatest();
    if (!seen || !latest || readerId === userId || seq < Number(latest.dataset.position)) return;
    if (seenIds.has(readerId)) return;
    seenIds.add(readerId);
    var namesNode = seen.querySelector(".chat-seen__names");
    var shown = namesNode.textContent ? namesNode.textContent.split(", ") : [];
    var name = names[String(readerId)];
    if (name && shown.indexOf(name) < 0) shown.push(name);
    namesNode.textContent = shown.join(", ");
    seen.hidden = shown.length === 0;
  }

  // --- read state ------------------------------------------------------------------------

  var readSent = 0;
  function markRead() {
    if (!conversationId || !live || document.visibilityState !== "visible") return;
    if (!socket.connected || lastSeq <= readSent) return;
    readSent = lastSeq;
    socket.emit("read", { conversation_id: conversationId, seq: lastSeq }, function () {});
    unread.delete(conversationId);
    showBadge();
  }
  document.addEventListener("visibilitychange", markRead);

  // --- catch-up --------------------------------------------------------------------------

  var inSync = false;
  function catchUp() {
    inSync = true;
    var after = lastSeq;
    function page() {
      return emitAck("sync", { conversation_id: conversationId, after_seq: after }).then(function (answer) {
        if (!answer || !answer.ok) return;
        if (answer.reset) {
          window.location.reload();
          return;
        }
        (answer.messages || []).forEach(function (message) {
          applyMessage(message);
          if (message.seq > after) after = message.seq;
        });
        if (answer.has_more && answer.messages && answer.messages.length) return page();
        after = Math.max(after, answer.last_seq || 0);
      });
    }
    return page().then(function () {
      inSync = false;
      if (after > lastSeq) lastSeq = after;
    });
  }

  // --- the outbox ------------------------------------------------------------------------

  var storageKey = conversationId ? "alongside.chat.outbox." + userId + "." + conversationId : null;
  var outbox = [];
  var inflight = null; // the attempt being sent now ({client_id})
  var retryTimer = null;

  function loadOutbox() {
    try {
      outbox = JSON.parse(window.localStorage.getItem(storageKey) || "[]");
      if (!Array.isArray(outbox)) outbox = [];
    } catch (error) {
      outbox = [];
    }
  }

  function saveOutbox() {
    try {
      window.localStorage.setItem(storageKey, JSON.stringify(outbox));
    } catch (error) {
      // Storage full or forbidden: the outbox still lives in this page.
    }
  }

  function dropFromOutbox(clientId) {
    var before = outbox.length;
    outbox = outbox.filter(function (item) {
      return item.client_id !== clientId;
    });
    if (outbox.length !== before) saveOutbox();
  }

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.from(bytes, function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function pendingNode(clientId) {
    var nodes = list.querySelectorAll(".chat-message--pending");
    for (var i = 0; i < nodes.length; i++) if (nodes[i].dataset.clientId === clientId) return nodes[i];
    return null;
  }

  function showPending(item) {
    var node = pendingNode(item.client_id);
    var created = !node;
    if (!node) {
      node = build(
        {
          sender_id: userId,
          client_id: item.client_id,
          body: item.body,
          reply_to_id: item.reply_to_id,
          created_at: item.created_at,
          reactions: {},
        },
        true
      );
      list.appendChild(node);
      var empty = document.getElementById("history-empty");
      if (empty) empty.remove();
    }
    var status = node.querySelector(".chat-message__status");
    status.hidden = false;
    status.textContent = "";
    if (item.failed) {
      node.classList.add("chat-message--failed");
      status.appendChild(document.createTextNode(strings.not_sent + " "));
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "button button--secondary";
      retry.dataset.outboxRetry = item.client_id;
      retry.textContent = strings.retry;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button button--danger";
      remove.dataset.outboxDelete = item.client_id;
      remove.textContent = strings.delete;
      status.appendChild(retry);
      status.appendChild(document.createTextNode(" "));
      status.appendChild(remove);
    } else {
      node.classList.remove("chat-message--failed");
      status.textContent = strings.sending;
    }
    if (created) reveal(node);
  }

  function nextItem() {
    for (var i = 0; i < outbox.length; i++) if (!outbox[i].failed) return outbox[i];
    return null;
  }

  function pump() {
    if (inflight || retryTimer || !socket.connected) return;
    var item = nextItem();
    if (!item) return;
    var attempt = { client_id: item.client_id };
    inflight = attempt;
    item.attempts = (item.attempts || 0) + 1;
    saveOutbox();
    var payload = { conversation_id: conversationId, body: item.body, client_id: item.client_id };
    if (item.reply_to_id) payload.reply_to_id = item.reply_to_id;
    emitAck("message:send", payload).then(function (answer) {
      if (inflight !== attempt) return; // disconnected meanwhile: sent again once connected
      inflight = null;
      if (!answer.ok && !socket.connected) {
        // The connection dropped under it: not the message's fault, and the same client_id
        // goes again once connected (the server stores it once).
        item.attempts -= 1;
        saveOutbox();
        return;
      }
      if (answer.ok && answer.message) {
        dropFromOutbox(item.client_id);
        applyMessage(answer.message);
        var node = pendingNode(item.client_id);
        if (node) node.remove();
        pump();
        return;
      }
      var code = answer.error && answer.error.code;
      var again = answer.timeout || code === "rate_limited";
      if (!again || item.attempts >= MAX_ATTEMPTS) {
        item.failed = true;
        saveOutbox();
        showPending(item);
        pump();
        return;
      }
      var wait = BACKOFF[Math.min(item.attempts - 1, BACKOFF.length - 1)];
      retryTimer = window.setTimeout(function () {
        retryTimer = null;
        pump();
      }, wait);
    });
  }

  // --- the composer ----------------------------------------------------------------------

  var form = document.getElementById("composer-form");
  var input = document.getElementById("composer-body");
  var replyField = document.getElementById("composer-reply-to");
  var replyBox = document.getElementById("composer-reply");
  var replyText = document.getElementById("composer-reply-text");

  function setReply(id) {
    if (!replyField) return;
    replyField.value = id ? String(id) : "";
    var found = id ? quoteFor(id) : null;
    replyBox.hidden = !found;
    replyText.textContent = found ? found.who + ": " + found.text.slice(0, 80) : "";
  }

  if (form && live) {
    loadOutbox();
    // What the page already shows was stored: drop it from the outbox (its ack was lost).
    outbox = outbox.filter(function (item) {
      var shown = list.querySelectorAll('.chat-message--mine[data-client-id="' + CSS.escape(item.client_id) + '"]');
      return shown.length === 0;
    });
    saveOutbox();
    outbox.forEach(showPending);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = input.value.trim();
      if (!body) {
        input.focus();
        return;
      }
      var item = {
        client_id: newClientId(),
        body: body,
        reply_to_id: replyField && replyField.value ? Number(replyField.value) : null,
        created_at: new Date().toISOString(),
        attempts: 0,
      };
      outbox.push(item);
      saveOutbox();
      showPending(item);
      input.value = "";
      setReply(null);
      input.focus();
      pump();
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    var typingSent = 0;
    input.addEventListener("input", function () {
      var now = Date.now();
      if (!socket.connected || now - typingSent < TYPING_EVERY || !input.value.trim()) return;
      typingSent = now;
      socket.emit("typing", { conversation_id: conversationId });
    });

    var cancel = document.getElementById("composer-reply-cancel");
    if (cancel) {
      cancel.addEventListener("click", function (event) {
        event.preventDefault();
        setReply(null);
        input.focus();
      });
    }
  }

  if (list && live) {
    list.addEventListener("click", function (event) {
      var target = event.target.closest("button, a");
      if (!target) return;
      if (target.dataset.outboxRetry) {
        outbox.forEach(function (item) {
          if (item.client_id === target.dataset.outboxRetry) {
            item.failed = false;
            item.attempts = 0;
            showPending(item);
          }
        });
        saveOutbox();
        pump();
      } else if (target.dataset.outboxDelete) {
        dropFromOutbox(target.dataset.outboxDelete);
        var node = pendingNode(target.dataset.outboxDelete);
        if (node) node.remove();
        if (input) input.focus();
      } else if (target.dataset.action === "reply" && form) {
        var message = target.closest(".chat-message");
        event.preventDefault();
        var details = target.closest("details");
        if (details) details.open = false;
        setReply(Number(message.dataset.id));
        input.focus();
      }
    });

    // Reactions and deletes over the socket when connected (else the plain form posts).
    list.addEventListener("submit", function (event) {
      var formNode = event.target;
      var message = formNode.closest(".chat-message");
      if (!socket.connected || !message || !message.dataset.id) return;
      var action = formNode.getAttribute("action") || "";
      var messageId = Number(message.dataset.id);
      var emit = null;
      if (/\/react$/.test(action) && event.submitter && event.submitter.value) {
        emit = ["message:react", { conversation_id: conversationId, message_id: messageId, emoji: event.submitter.value }];
      } else if (/\/delete$/.test(action)) {
        emit = ["message:delete", { conversation_id: conversationId, message_id: messageId }];
      }
      if (!emit) return;
      event.preventDefault();
      emitAck(emit[0], emit[1]).then(function (answer) {
        if (answer.ok && answer.message) {
          applyMessage(answer.message);
        } else {
          formNode.submit(); // let the page say what went wrong
        }
        if (input) input.focus();
      });
    });
  }

  // --- events from the server ------------------------------------------------------------

  var mutedNode = document.getElementById("chat-muted");
  var muted = new Set(mutedNode ? JSON.parse(mutedNode.textContent) : []);

  function otherConversation(message) {
    updateRow(message);
    if (message.sender_id === userId || message.deleted) return;
    if (muted.has(message.conversation_id)) return; // listed, but not in the badge
    unread.add(message.conversation_id);
    showBadge();
  }

  // --- the /chat list's rows ---------------------------------------------------------------

  function rowOf(conversation) {
    return chatList && chatList.querySelector('[data-conversation-id="' + conversation + '"]');
  }

  function setPreview(row, message) {
    var preview = row.querySelector(".chat-list__preview");
    if (!preview) return;
    preview.textContent = "";
    if (message.deleted) {
      var gone = document.createElement("em");
      gone.textContent = strings.deleted;
      preview.appendChild(gone);
      return;
    }
    var body = message.body.length > 90 ? message.body.slice(0, 89) + "…" : message.body;
    preview.textContent = (message.sender_id === userId ? strings.you + " " : "") + body;
  }

  function setUnread(row, count) {
    row.dataset.unread = String(count);
    row.classList.toggle("chat-list__item--unread", count > 0);
    var badge = row.querySelector(".chat-list__unread");
    if (!count) {
      if (badge) badge.remove();
      return;
    }
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "chat-list__unread";
      var number = document.createElement("span");
      number.setAttribute("aria-hidden", "true");
      var label = document.createElement("span");
      label.className = "visually-hidden";
      badge.append(number, label);
      row.querySelector(".chat-list__bottom").appendChild(badge);
    }
    var text = format(strings.unread, { num: count });
    badge.title = text;
    badge.firstElementChild.textContent = String(count);
    badge.lastElementChild.textContent = text;
  }

  // A conversation the list does not show yet (someone started one with me): the first
  // page is fetched again and its list replaces this one (later pages are left alone).
  var refreshing = null;
  function refreshList() {
    if (!listData.first_page || refreshing) return;
    refreshing = window
      .fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".chat-list");
        if (fresh) chatList.replaceChildren.apply(chatList, Array.from(fresh.children));
      })
      .catch(function () {})
      .then(function () {
        refreshing = null;
      });
  }

  // A new message (from anyone, me included on another page) moves its row to the top with
  // the new preview and time; one from someone else adds to the row's unread count.
  function updateRow(message) {
    if (!chatList) return;
    var row = rowOf(message.conversation_id);
    if (!row) {
      if (!message.deleted) refreshList();
      return;
    }
    setPreview(row, message);
    row.dataset.lastId = String(message.id);
    var time = row.querySelector(".chat-list__time");
    if (time) {
      time.textContent = timeText(message.created_at);
      if (message.created_at) time.setAttribute("datetime", message.created_at);
    }
    if (message.sender_id === userId) setUnread(row, 0);
    else setUnread(row, (Number(row.dataset.unread) || 0) + 1);
    chatList.prepend(row);
  }

  // An edit or a delete of the message a row shows changes its preview, nothing else.
  function changeRow(message) {
    var row = rowOf(message.conversation_id);
    if (row && row.dataset.lastId === String(message.id)) setPreview(row, message);
  }

  socket.on("message:new", function (message) {
    if (message.conversation_id === conversationId && live) {
      applyMessage(message);
      clearTyping(message.sender_id);
      if (message.sender_id !== userId) markRead();
    } else if (message.conversation_id !== conversationId) {
      otherConversation(message);
    }
  });
  socket.on("message:updated", function (message) {
    if (message.conversation_id === conversationId && live) applyMessage(message);
    else changeRow(message);
  });
  socket.on("message:deleted", function (message) {
    if (message.conversation_id === conversationId && live) applyMessage(message);
    else changeRow(message);
  });
  socket.on("read", function (event) {
    if (event.user_id === userId) {
      unread.delete(event.conversation_id);
      showBadge();
      var row = rowOf(event.conversation_id);
      if (row) setUnread(row, 0);
    } else if (event.conversation_id === conversationId) {
      someoneRead(event.user_id, event.seq);
    }
  });
  socket.on("conversation:removed", function (event) {
    unread.delete(event.conversation_id);
    showBadge();
    if (event.conversation_id === conversationId) window.location.reload();
  });

  // --- typing ----------------------------------------------------------------------------

  var typingNode = document.getElementById("chat-typing");
  var typists = new Map();

  function showTyping() {
    if (!typingNode) return;
    var who = Array.from(typists.values()).map(function (entry) {
      return entry.name;
    });
    typingNode.textContent = who.length ? format(strings.typing, { name: who.join(", ") }) : "";
  }

  function clearTyping(id) {
    var entry = typists.get(id);
    if (!entry) return;
    window.clearTimeout(entry.timer);
    typists.delete(id);
    showTyping();
  }

  socket.on("typing", function (event) {
    if (event.conversation_id !== conversationId || event.user_id === userId) return;
    clearTyping(event.user_id);
    typists.set(event.user_id, {
      name: event.name || senderName(event.user_id),
      timer: window.setTimeout(function () {
        clearTyping(event.user_id);
      }, TYPING_SHOWN),
    });
    showTyping();
  });

  // The newest message in view on arrival (unless the address points somewhere).
  if (list && live && (!window.location.hash || window.location.hash === "#composer") && list.lastElementChild) {
    reveal(list.lastElementChild);
  }
})();
