// Decodes camera frames off the page's main thread with zxing-wasm (ZXing-C++, the decoder
// the Python scanner uses). The page sends one frame at a time and waits for the answer, so
// frames never pile up on a slow tablet.
/* global ZXingWASM, importScripts */
"use strict";

var ready = null;
var OPTIONS = {
  formats: ["QRCode"],
  // Control characters stay as they are, like the Python scanner's TextMode.Plain.
  textMode: "Plain",
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  maxNumberOfSymbols: 4,
};

function prepare(decoderUrl, wasmUrl) {
  importScripts(decoderUrl);
  // The .wasm comes from this server, never from the library's default CDN.
  return ZXingWASM.prepareZXingModule({
    overrides: {
      locateFile: function (path, prefix) {
        return path.endsWith(".wasm") ? wasmUrl : prefix + path;
      },
    },
    fireImmediately: true,
  });
}

self.onmessage = function (event) {
  var msg = event.data;
  if (msg.type === "init") {
    ready = Promise.resolve()
      .then(function () { return prepare(msg.decoderUrl, msg.wasmUrl); })
      .then(function () { self.postMessage({ type: "ready" }); })
      .catch(function (error) { self.postMessage({ type: "error", message: String(error) }); });
    return;
  }
  if (msg.type === "frame") {
    ready.then(function () {
      var started = performance.now();
      var image = new ImageData(new Uint8ClampedArray(msg.buffer), msg.width, msg.height);
      return ZXingWASM.readBarcodes(image, OPTIONS).then(function (results) {
        var texts = results.filter(function (r) { return r.isValid; })
          .map(function (r) { return r.text; });
        self.postMessage({ type: "result", id: msg.id, texts: texts, ms: performance.now() - started });
      });
    }).catch(function (error) {
      self.postMessage({ type: "result", id: msg.id, texts: [], error: String(error) });
    });
  }
};
