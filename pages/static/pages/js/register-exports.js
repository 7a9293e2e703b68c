// The coordinator's list of registers: while one is being prepared by the server, ask for the
// list again every few seconds (it comes as HTML made by the server) until none is pending.
(function () {
  "use strict";
  var box = document.getElementById("register-exports");
  if (!box) return;
  var POLL_MS = 3000;

  function pending() { return box.querySelector("[data-pending=true]") !== null; }
  function poll() {
    if (!pending()) return;
    setTimeout(function () {
      fetch(box.dataset.url, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.text();
        })
        .then(function (html) { box.innerHTML = html; poll(); })
        .catch(function () { setTimeout(poll, POLL_MS * 3); });
    }, POLL_MS);
  }
  poll();
})();
