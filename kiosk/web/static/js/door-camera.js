// The door tablet's own camera: a live preview, frames decoded in a worker, each new card
// posted on this door's session (never with the scanner's device token), a flash and a beep
// on a read. Without a camera the page says so and the other ways in keep working.
(function () {
  "use strict";
  var root = document.querySelector("[data-door-camera]");
  if (!root) return;
  var body = document.body;
  var video = root.querySelector("video");
  var message = document.querySelector("[data-camera-message]");
  var MAX_WIDTH = 960;  // enough pixels a module for a card at arm's length, cheap to decode
  var FRAME_GAP_MS = 40;  // at most about 25 decodes a second, to spare a tablet's battery

  function setState(state) {
    body.setAttribute("data-camera", state);
    root.classList.toggle("no-camera", state !== "on" && state !== "starting");
  }

  function say(key) {
    if (!message) return;
    var text = key ? message.getAttribute("data-" + key) : "";
    message.textContent = text || "";
    message.hidden = !text;
    message.setAttribute("data-shown", key || "");
  }

  function flash() {
    var el = document.getElementById("scan-flash");
    if (el) { el.hidden = false; window.setTimeout(function () { el.hidden = true; }, 900); }
    if (window.KioskDoor && window.KioskDoor.beep) window.KioskDoor.beep();
  }

  var debouncer = new window.KioskScans.Debouncer(parseFloat(root.getAttribute("data-window")) || 3);
  var queue = new window.KioskScans.OfflineQueue({
    url: root.getAttribute("data-scan-url"),
    onState: function (reachable, pending) {
      body.setAttribute("data-scan-queue", String(pending));
      if (!reachable && pending) say("queued");
      else if (message && message.getAttribute("data-shown") === "queued") say("");
    },
    onResult: function (scan, answer) {
      body.setAttribute("data-last-result", answer.result || "");
      if (answer.screen) window.location.assign(answer.screen);
    },
  });
  body.setAttribute("data-scan-queue", String(queue.pending()));
  queue.kick(0);  // scans left from before a reload go out first
  window.addEventListener("online", function () { queue.kick(0); });

  function onCode(code) {
    if (!debouncer.seen(code, performance.now() / 1000)) return;
    flash();
    queue.put(code);
  }

  // --- decoding in a worker ------------------------------------------------------------
  var worker = null;
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var busy = false;
  var frameId = 0;

  function startWorker() {
    worker = new Worker(root.getAttribute("data-worker"));
    worker.onmessage = function (event) {
      var msg = event.data;
      if (msg.type === "ready") { body.setAttribute("data-decoder", "ready"); nextFrame(); }
      else if (msg.type === "error") { body.setAttribute("data-decoder", "failed"); say("missing"); }
      else if (msg.type === "result") {
        busy = false;
        msg.texts.forEach(onCode);
        window.setTimeout(nextFrame, FRAME_GAP_MS);
      }
    };
    worker.postMessage({
      type: "init",
      decoderUrl: new URL(root.getAttribute("data-decoder"), window.location.href).href,
      wasmUrl: new URL(root.getAttribute("data-wasm"), window.location.href).href,
    });
  }

  function nextFrame() {
    if (busy || document.hidden || video.readyState < 2 || !video.videoWidth) {
      window.setTimeout(nextFrame, 100);
      return;
    }
    var scale = Math.min(1, MAX_WIDTH / video.videoWidth);
    var width = Math.round(video.videoWidth * scale);
    var height = Math.round(video.videoHeight * scale);
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    context.drawImage(video, 0, 0, width, height);
    var pixels = context.getImageData(0, 0, width, height);
    busy = true;
    frameId += 1;
    worker.postMessage(
      { type: "frame", id: frameId, width: width, height: height, buffer: pixels.data.buffer },
      [pixels.data.buffer]
    );
  }

  // --- the camera ------------------------------------------------------------------------
  function cameraFailed(error) {
    var name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError" || name === "PermissionDeniedError") {
      setState("refused");
      say("refused");
    } else {
      setState("missing");
      say("missing");
    }
  }

  function start() {
    if (!window.isSecureContext) { setState("insecure"); say("insecure"); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setState("missing");
      say("missing");
      return;
    }
    setState("starting");
    navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } },
    }).then(function (stream) {
      video.srcObject = stream;
      video.addEventListener("playing", function () { setState("on"); }, { once: true });
      return video.play().catch(function () { /* autoplay of a muted video is allowed */ });
    }).then(startWorker).catch(cameraFailed);
  }

  window.addEventListener("pagehide", function () {
    if (video.srcObject) video.srcObject.getTracks().forEach(function (t) { t.stop(); });
    if (worker) worker.terminate();
  });
  start();
})();
