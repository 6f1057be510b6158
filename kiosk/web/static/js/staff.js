// The staff dashboard: keeps "Here now" live, and the roll call's print button.
// Live: an EventSource on /staff/stream; each event re-fetches the server-rendered fragment.
// When the stream is refused (503: every live slot is taken) or breaks, it polls instead.
// No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var live = document.getElementById("live");
  if (!live) return;

  // A new request: the page title says so and a soft sound plays (the host can turn it off).
  var baseTitle = document.title;
  var soundButton = document.getElementById("sound-toggle");
  var chime = null;
  var unseen = false;
  function soundOn() {
    try { return window.localStorage.getItem("kiosk.sound") !== "off"; } catch (e) { return true; }
  }
  function showSound() {
    if (!soundButton) return;
    var on = soundOn();
    soundButton.setAttribute("aria-pressed", on ? "true" : "false");
    soundButton.textContent = soundButton.getAttribute(on ? "data-text-on" : "data-text-off");
  }
  if (soundButton) {
    showSound();
    soundButton.addEventListener("click", function () {
      try { window.localStorage.setItem("kiosk.sound", soundOn() ? "off" : "on"); } catch (e) { /* private mode */ }
      showSound();
    });
  }
  function openAlertIds() {
    var panel = live.querySelector("[data-open-alerts]");
    var text = panel ? panel.getAttribute("data-open-alerts") : "";
    return text ? text.split(",") : [];
  }
  var known = {};
  openAlertIds().forEach(function (id) { known[id] = true; });
  function setTitle() {
    var count = openAlertIds().length;
    var prefix = count ? "(" + count + ") " : "";
    if (unseen && soundButton) prefix += soundButton.getAttribute("data-title-new") + " · ";
    document.title = prefix + baseTitle;
  }
  function chimeNow() {
    if (!soundButton || !soundOn()) return;
    if (!chime) chime = new Audio(soundButton.getAttribute("data-sound-url"));
    chime.volume = 0.6;
    chime.currentTime = 0;
    var played = chime.play();
    live.setAttribute("data-chimes", String((parseInt(live.getAttribute("data-chimes"), 10) || 0) + 1));
    if (played && played.catch) played.catch(function () { /* the browser wants a tap first */ });
  }
  function noticeNewAlerts() {
    var fresh = openAlertIds().filter(function (id) { return !known[id]; });
    fresh.forEach(function (id) { known[id] = true; });
    if (fresh.length) { unseen = true; chimeNow(); }
    setTitle();
  }
  function seen() { if (unseen && document.visibilityState === "visible" && document.hasFocus()) { unseen = false; setTitle(); } }
  document.addEventListener("click", function () { unseen = false; setTitle(); });
  window.addEventListener("focus", function () { window.setTimeout(seen, 3000); });
  setTitle();
  var status = document.getElementById("live-status");
  var fragmentUrl = live.getAttribute("data-fragment-url");
  var streamUrl = live.getAttribute("data-stream-url");
  var pollMs = (parseInt(live.getAttribute("data-poll-seconds"), 10) || 10) * 1000;
  var pollTimer = null;
  var refreshTimer = null;
  var inFlight = false;
  var again = false;
  var source = null;

  function say(kind) {
    if (!status) return;
    var text = status.getAttribute("data-text-" + kind);
    if (text && status.textContent !== text) status.textContent = text;
    status.setAttribute("data-mode", kind);
  }

  function busyWithin() {
    // Never swap the list under a person who is using it (a focused button, a selection).
    var active = document.activeElement;
    return active && active !== document.body && live.contains(active) && active.tagName !== "A";
  }

  function refresh() {
    if (inFlight) { again = true; return; }
    if (busyWithin()) { schedule(1500); return; }
    inFlight = true;
    fetch(fragmentUrl, {
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "text/html" }
    }).then(function (response) {
      if (response.status === 401) { window.location.reload(); return null; }
      if (!response.ok) throw new Error("status " + response.status);
      return response.text();
    }).then(function (html) {
      if (html !== null && html !== undefined) { live.innerHTML = html; noticeNewAlerts(); }
    }).catch(function () {
      say("offline");
    }).then(function () {
      inFlight = false;
      if (again) { again = false; schedule(300); }
    });
  }

  // A burst of scans sends many events; one fetch per burst is enough.
  function schedule(delay) {
    if (refreshTimer) return;
    refreshTimer = window.setTimeout(function () { refreshTimer = null; refresh(); }, delay);
  }

  function startPolling() {
    if (pollTimer) return;
    say("polling");
    pollTimer = window.setInterval(refresh, pollMs);
  }

  function stopPolling() {
    if (pollTimer) { window.clearInterval(pollTimer); pollTimer = null; }
  }

  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    source = new EventSource(streamUrl);
    source.addEventListener("open", function () {
      stopPolling();
      say("live");
      schedule(50); // catch up on anything missed while connecting
    });
    ["presence", "alert"].forEach(function (name) {
      source.addEventListener(name, function () { schedule(400); });
    });
    source.addEventListener("error", function () {
      // CLOSED: refused for good (503, 401). Otherwise the browser reconnects by itself,
      // which happens every 5 minutes when the server ends the stream on purpose.
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        startPolling();
        window.setTimeout(connect, 60000 + Math.floor(Math.random() * 30000));
      }
    });
  }

  startPolling();
  connect();
})();
