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

  // Half-filled forms are kept in this tab's sessionStorage under these keys (forms.js).
  var DRAFT_PREFIX = "door.draft.";
  var PENDING_KEY = "door.pending";
  var PENDING_SECONDS = 180; // how long a deferred greeting is offered; its link lasts 15 min

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function hasDraft() {
    var store = storage();
    if (!store) return false;
    for (var i = 0; i < store.length; i++) {
      if (store.key(i).indexOf(DRAFT_PREFIX) === 0) return true;
    }
    return false;
  }

  // Someone is in the middle of a form: typing, or reading the privacy notice half-way.
  function busy() {
    if (body.classList.contains("osk-open")) return true;
    var fields = document.querySelectorAll("input[data-osk], form[data-draft] input[type='checkbox']");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].type === "checkbox" ? fields[i].checked : fields[i].value.trim()) return true;
    }
    return hasDraft();
  }
  window.doorBusy = busy;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : all;
    });
  }

  var ackTimer = null;
  function showAck(text, ok) {
    var ack = document.getElementById("scan-ack");
    if (!ack) return;
    ack.querySelector(".scan-ack-text").textContent = text;
    ack.querySelector(".scan-ack-mark").hidden = !ok;
    ack.classList.toggle("scan-ack-refused", !ok);
    ack.hidden = false;
    window.clearTimeout(ackTimer);
    ackTimer = window.setTimeout(function () { ack.hidden = true; }, 7000);
  }

  // A scan while the screen is busy: a small note, and the greeting kept for later.
  function acknowledge(data, recognised) {
    var ack = document.getElementById("scan-ack");
    if (!ack) return;
    if (!recognised) {
      showAck(ack.getAttribute("data-refused"), false);
      return;
    }
    beep();
    fetch(data.screen + "/brief", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (person) {
        if (!person) return;
        var key = { checked_in: "data-checked-in", checked_out: "data-checked-out",
                    repeat: "data-repeat", already_out: "data-already-out" }[person.result];
        if (key) showAck(fill(ack.getAttribute(key), { name: person.first_name }), true);
        if (person.result === "checked_in") remember(data.screen, person.first_name);
      })
      .catch(function () { /* the check-in is saved; the note is a nicety */ });
  }

  function pendingList() {
    var store = storage();
    if (!store) return [];
    try {
      var now = Date.now();
      return (JSON.parse(store.getItem(PENDING_KEY) || "[]") || []).filter(function (item) {
        return item && item.until > now;
      });
    } catch (e) { return []; }
  }

  function savePending(list) {
    var store = storage();
    if (!store) return;
    if (list.length) store.setItem(PENDING_KEY, JSON.stringify(list));
    else store.removeItem(PENDING_KEY);
  }

  function remember(screen, name) {
    var list = pendingList().filter(function (item) { return item.screen !== screen; });
    list.push({ screen: screen, name: name, until: Date.now() + PENDING_SECONDS * 1000 });
    savePending(list);
  }

  // On the free welcome screen: "Anna, you checked in a moment ago. How are you, Anna?"
  function offerPending() {
    var offer = document.getElementById("greeting-offer");
    var list = pendingList();
    savePending(list);
    if (!offer || !list.length) return;
    var next = list[0];
    var open = offer.querySelector(".greeting-offer-open");
    offer.querySelector(".greeting-offer-text").textContent = fill(offer.getAttribute("data-text"), { name: next.name });
    open.textContent = fill(offer.getAttribute("data-open"), { name: next.name });
    open.setAttribute("href", next.screen);
    var drop = function () { savePending(pendingList().filter(function (item) { return item.screen !== next.screen; })); };
    open.addEventListener("click", drop);
    offer.querySelector(".greeting-offer-dismiss").addEventListener("click", function () {
      drop();
      offer.hidden = true;
      offerPending();
    }, { once: true });
    offer.hidden = false;
    window.setTimeout(function () { offer.hidden = true; }, Math.max(next.until - Date.now(), 0));
  }

  var atWelcome = window.location.pathname === "/";
  if (atWelcome) {
    // The welcome screen is free: whatever was being filled in is over (cancelled, sent,
    // or left), and a greeting kept for later can be offered.
    var store = storage();
    if (store) {
      for (var k = store.length - 1; k >= 0; k--) {
        if (store.key(k).indexOf(DRAFT_PREFIX) === 0) store.removeItem(store.key(k));
      }
    }
    offerPending();
  }

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
      var recognised = data.result !== "unknown" && data.result !== "revoked";
      if (busy()) {
        // Someone is filling in a form: the check-in is already saved, so only say so.
        acknowledge(data, recognised);
        return;
      }
      var flash = document.getElementById("scan-flash");
      if (flash && recognised) {
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
  // WCAG 2.2.1: a countdown with a big "More time" button shows at least WARN_SECONDS
  // before, and a half-filled form waits FORM_PATIENCE times longer than an idle screen.
  var WARN_SECONDS = 20;
  var FORM_PATIENCE = 4;
  var resetTo = "/?reset=1";
  var idle = parseInt(body.getAttribute("data-idle") || "0", 10);
  var returnAfter = parseInt(body.getAttribute("data-return-after") || "0", 10);
  var limit = returnAfter || idle;
  var countdown = document.getElementById("countdown");
  if (limit > 0 && atWelcome) {
    // The welcome screen's own refresh keeps the date new and loses nothing: no warning.
    window.setTimeout(function () { window.location.assign(resetTo); }, limit * 1000);
  } else if (limit > 0) {
    var deadline = 0;
    var seconds = function () {
      var wait = busy() ? Math.max(limit, idle * FORM_PATIENCE) : limit;
      return Math.max(wait, WARN_SECONDS);
    };
    var arm = function () {
      deadline = Date.now() + seconds() * 1000;
      if (countdown && !countdown.hidden) {
        countdown.hidden = true;
        body.classList.remove("countdown-open");
      }
    };
    var tick = function () {
      var left = Math.ceil((deadline - Date.now()) / 1000);
      if (left <= 0) {
        window.clearInterval(ticking);
        window.location.assign(resetTo);
        return;
      }
      if (countdown && left <= WARN_SECONDS) {
        countdown.querySelector(".countdown-seconds").textContent =
          fill(countdown.getAttribute("data-text"), { seconds: String(left) });
        if (countdown.hidden) {
          countdown.hidden = false;
          body.classList.add("countdown-open");
        }
      }
    };
    ["pointerdown", "keydown", "input"].forEach(function (name) {
      document.addEventListener(name, arm, { passive: true });
    });
    if (countdown) countdown.querySelector(".countdown-more").addEventListener("click", arm);
    arm();
    var ticking = window.setInterval(tick, 250);
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

  // Hide the camera preview when the scanner's preview is not running, and say what works
  // instead. The image may have failed before this script ran, so look at it as well as
  // listen; and a stream that answers but sends no frame (no camera) fails after a moment.
  var PREVIEW_PATIENCE_MS = 2500;
  Array.prototype.forEach.call(document.querySelectorAll("[data-hide-on-error]"), function (img) {
    var hide = function () {
      img.parentElement.classList.add("no-camera");
      body.classList.add("no-camera");
      img.removeAttribute("src"); // ends a stream that never sends a frame
    };
    img.addEventListener("error", hide);
    if (img.complete && img.naturalWidth === 0) { hide(); }
    window.setTimeout(function () { if (img.naturalWidth === 0) hide(); }, PREVIEW_PATIENCE_MS);
  });

  // A hyphenated name stays whole on a big heading ("Anna-Liisa", never "Anna-" / "Liisa"):
  // each hyphenated word goes in a span that does not wrap. Done here, not in the template,
  // so the page's text stays exactly as typed.
  Array.prototype.forEach.call(document.querySelectorAll(".door-main h1"), function (heading) {
    Array.prototype.slice.call(heading.childNodes).forEach(function (node) {
      if (node.nodeType !== 3 || node.nodeValue.indexOf("-") < 0) return;
      var parts = node.nodeValue.split(/(\S+-\S+)/);
      var fragment = document.createDocumentFragment();
      parts.forEach(function (part, index) {
        if (index % 2 === 1) {
          var whole = document.createElement("span");
          whole.className = "name-whole";
          whole.textContent = part;
          fragment.appendChild(whole);
        } else if (part) {
          fragment.appendChild(document.createTextNode(part));
        }
      });
      heading.replaceChild(fragment, node);
    });
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-back]"), function (link) {
    link.addEventListener("click", function (event) {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  });
})();
