// The door screen: follows scans live, returns to welcome when idle, keeps the
// keyboard-wedge field ready. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  var body = document.body;

  function beep() {
    try {
      var AudioCtx = window.AudioContext || window.webkitAudioContext;
      if (!AudioCtx) return;
      var ctx = new AudioCtx();
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.15, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.2);
    } catch (e) { /* sound is a nicety */ }
  }

  window.KioskDoor = { beep: beep };

  // A door tablet must not dim or lock while it waits for the next visitor. The lock is
  // released whenever the page is hidden, so it is asked for again on return.
  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(function () {
      body.setAttribute("data-wake-lock", "on");
    }).catch(function () { body.setAttribute("data-wake-lock", "refused"); });
  }
  keepAwake();
  document.addEventListener("visibilitychange", keepAwake);

  // Live scans: the server sends where the screen should go next.
  var streamUrl = body.getAttribute("data-stream");
  var source = null;
  function listen() {
    var es = new EventSource(streamUrl);
    source = es;
    // Marks the page as listening (the browser tests wait for it before scanning).
    es.addEventListener("open", function () { body.setAttribute("data-live", "open"); });
    es.addEventListener("error", function () {
      body.setAttribute("data-live", "retrying");
      // The browser retries a dropped stream by itself, but gives up after an error answer
      // (a restart, or every live slot busy for a moment): then try again a little later,
      // so the door never stops reacting to scans.
      if (es.readyState === EventSource.CLOSED) {
        window.setTimeout(listen, 3000);
      }
    });
    es.addEventListener("scan", function (event) {
      var data = JSON.parse(event.data);
      var flash = document.getElementById("scan-flash");
      if (flash && data.result !== "unknown" && data.result !== "revoked") {
        flash.hidden = false;
        beep();
      }
      es.close();
      window.setTimeout(function () { window.location.assign(data.screen); }, 250);
    });
  }
  if (streamUrl && window.EventSource) {
    listen();
    window.addEventListener("pagehide", function () { if (source) source.close(); });
  }

  // Back to welcome after a while without a touch, and after the closing screens.
  var resetTo = "/?reset=1";
  var idle = parseInt(body.getAttribute("data-idle") || "0", 10);
  var returnAfter = parseInt(body.getAttribute("data-return-after") || "0", 10);
  var limit = returnAfter || idle;
  if (limit > 0) {
    var timer = null;
    var arm = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { window.location.assign(resetTo); }, limit * 1000);
    };
    ["pointerdown", "keydown", "input"].forEach(function (name) {
      document.addEventListener(name, arm, { passive: true });
    });
    arm();
  }

  // A keyboard-wedge scanner types into whatever has focus: keep the hidden field focused
  // on the welcome screen unless the person is using a button.
  var wedge = document.querySelector("[data-wedge]");
  if (wedge) {
    var refocus = function () {
      if (document.activeElement === document.body || document.activeElement === null) {
        wedge.focus({ preventScroll: true });
      }
    };
    document.addEventListener("focusout", function () { window.setTimeout(refocus, 50); });
    wedge.focus({ preventScroll: true });
  }

  // Hide the camera preview when the scanner's preview is not running.
  // The image may have failed before this script ran, so look at it as well as listen.
  Array.prototype.forEach.call(document.querySelectorAll("[data-hide-on-error]"), function (img) {
    var hide = function () { img.parentElement.classList.add("no-camera"); };
    img.addEventListener("error", hide);
    if (img.complete && img.naturalWidth === 0) { hide(); }
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-back]"), function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  });
})();
