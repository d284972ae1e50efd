// Sign-up: fill the hidden time-zone field with the browser's IANA zone, so online events
// show on the member's clock from the start. Without JavaScript the account starts on UTC
// and the account page lets the member choose.
(function () {
  "use strict";
  var field = document.querySelector("input[data-guess-timezone]");
  if (!field || field.value) return;
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) field.value = zone;
  } catch (error) {
    // An old browser without Intl: the account page sets it later.
  }
})();
