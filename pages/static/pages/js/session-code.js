// The projector's code: asks the server for the current code (a small JSON view, never
// computed here), counts down to the next one, and asks again when it changes. Outside the
// session's window the server says why, and the page keeps asking until the window opens.
(function () {
  "use strict";
  var box = document.getElementById("projector");
  if (!box) return;
  var code = document.getElementById("projector-code");
  var countdown = document.getElementById("projector-countdown");
  var bar = document.getElementById("projector-bar");
  var message = document.getElementById("projector-message");
  var fullscreen = document.getElementById("projector-fullscreen");
  var url = box.dataset.url;
  var secondsLeft = parseInt(countdown.dataset.seconds, 10) || 0;
  var ticking = null;
  var CLOSED_RETRY_MS = 15000;
  var ERROR_RETRY_MS = 3000;

  function show(element, visible) { element.hidden = !visible; }
  function tickText() {
    countdown.textContent = box.dataset.textSeconds.replace("{seconds}", String(secondsLeft));
    bar.value = secondsLeft;
  }
  function stopTicking() { if (ticking) { clearInterval(ticking); ticking = null; } }
  function startTicking() {
    stopTicking();
    tickText();
    ticking = setInterval(function () {
      secondsLeft -= 1;
      if (secondsLeft <= 0) { stopTicking(); refresh(); return; }
      tickText();
    }, 1000);
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (data.code) {
          code.textContent = data.code;
          secondsLeft = data.seconds_left;
          show(code, true); show(countdown, true); show(bar, true); show(message, false);
          startTicking();
        } else {
          stopTicking();
          message.textContent = data.message;
          show(code, false); show(countdown, false); show(bar, false); show(message, true);
          setTimeout(refresh, CLOSED_RETRY_MS);
        }
      })
      .catch(function () {
        stopTicking();
        message.textContent = box.dataset.textOffline;
        show(code, false); show(countdown, false); show(bar, false); show(message, true);
        setTimeout(refresh, ERROR_RETRY_MS);
      });
  }

  if (fullscreen) {
    if (!box.requestFullscreen) { fullscreen.hidden = true; }
    fullscreen.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { box.requestFullscreen(); }
    });
  }
  // The page's first code came with the page; a tab left in the background resynchronises.
  if (code.textContent.trim()) { startTicking(); } else { setTimeout(refresh, CLOSED_RETRY_MS); }
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { stopTicking(); refresh(); }
  });
})();
