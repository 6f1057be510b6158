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
      if (html !== null && html !== undefined) live.innerHTML = html;
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
