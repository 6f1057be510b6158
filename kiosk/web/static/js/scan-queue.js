// The door camera's delivery rules, the same as the Python scanner's (scanner/debounce.py and
// scanner/delivery.py): a card held in view is one scan; each scan gets an idempotency id
// when it is seen and keeps it on every retry; while the server is away scans wait, in
// order, in this browser's storage, and go out later with the time they were seen.
(function () {
  "use strict";

  // A code counts again only after it has been out of sight for `windowSeconds`; while a
  // card stays in view its window keeps sliding. Different codes are independent.
  function Debouncer(windowSeconds) {
    this.window = windowSeconds;
    this.lastSeen = new Map();
  }
  Debouncer.prototype.seen = function (code, nowSeconds) {
    var last = this.lastSeen.get(code);
    this.lastSeen.set(code, nowSeconds);
    if (this.lastSeen.size > 64) {
      var self = this;
      this.lastSeen.forEach(function (at, key) {
        if (nowSeconds - at >= self.window) self.lastSeen.delete(key);
      });
    }
    return last === undefined || nowSeconds - last >= this.window;
  };

  function newId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b + 0x100).toString(16).slice(1);
    }).join("");
  }

  // Answers worth retrying (the server or the proxy in front of it is away or busy);
  // any other refusal will not change by retrying, as in scanner/delivery.py.
  function retriable(status) {
    return status >= 500 || status === 408 || status === 429;
  }

  function OfflineQueue(options) {
    this.url = options.url;
    this.key = options.storageKey || "tankkaamo.door.scans";
    this.maxlen = options.maxlen || 500;
    // Retries grow from half a second to 5 s (the Python scanner goes up to 30 s): a tablet
    // on the LAN should notice the server's return at once, while the person may still be
    // at the door, and a refused connection costs nothing.
    this.backoff = options.backoff || [500, 5000];
    this.onResult = options.onResult || function () {};
    this.onState = options.onState || function () {};
    this.delay = this.backoff[0];
    this.sending = false;
    this.timer = null;
    this.reachable = true;
  }

  OfflineQueue.prototype.load = function () {
    try {
      var items = JSON.parse(window.localStorage.getItem(this.key) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (e) {
      return [];
    }
  };

  OfflineQueue.prototype.save = function (items) {
    try {
      window.localStorage.setItem(this.key, JSON.stringify(items));
    } catch (e) { /* storage full or off: the scan in memory is still sent */ }
  };

  OfflineQueue.prototype.pending = function () { return this.load().length; };

  // Queue a scan seen now; the oldest is dropped when the queue is full (after a long
  // outage the newest arrivals matter most).
  OfflineQueue.prototype.put = function (code) {
    var scan = { code: code, seen_at: new Date().toISOString(), id: newId() };
    var items = this.load();
    items.push(scan);
    while (items.length > this.maxlen) items.shift();
    this.save(items);
    this.kick(0);
    return scan;
  };

  OfflineQueue.prototype.kick = function (wait) {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.drain(); }, wait || 0);
  };

  OfflineQueue.prototype.drop = function (scan) {
    this.save(this.load().filter(function (item) { return item.id !== scan.id; }));
  };

  OfflineQueue.prototype.drain = function () {
    var self = this;
    if (this.sending) return;
    var items = this.load();
    if (!items.length) { this.onState(this.reachable, 0); return; }
    var scan = items[0];
    this.sending = true;
    fetch(this.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(scan),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        return { status: response.status, answer: answer };
      });
    }).then(function (reply) {
      self.sending = false;
      if (reply.status >= 200 && reply.status < 300) {
        self.drop(scan);
        self.reachable = true;
        self.delay = self.backoff[0];
        self.onState(true, self.pending());
        self.onResult(scan, reply.answer);
        self.kick(0);
      } else if (retriable(reply.status)) {
        self.retryLater();
      } else {
        // Refused for good (not a door any more, a malformed scan): keeping it would block
        // every scan behind it.
        self.drop(scan);
        self.onResult(scan, { result: "rejected", status: reply.status });
        self.kick(0);
      }
    }).catch(function () {
      self.sending = false;
      self.retryLater();
    });
  };

  OfflineQueue.prototype.retryLater = function () {
    this.reachable = false;
    this.onState(false, this.pending());
    this.kick(this.delay);
    this.delay = Math.min(this.delay * 2, this.backoff[1]);
  };

  window.KioskScans = { Debouncer: Debouncer, OfflineQueue: OfflineQueue };
})();
