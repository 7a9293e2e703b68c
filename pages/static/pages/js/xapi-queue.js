/* A durable queue of xAPI statements: each statement is kept in localStorage under its
   client-chosen id until the LRS has answered 200/204 (or 409: that id is already stored),
   so nothing is lost and nothing is stored twice. Retries with backoff; flushed on `online`,
   on the next page load and on pagehide (fetch keepalive). One queue per person (offices share
   computers): a statement waits for its own learner's session, never another's. */
(function () {
  "use strict";
  var PREFIX = "metropoli.xapi.queue.";
  var KEY = PREFIX; // set per person by the XapiQueue constructor

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function save(items) { localStorage.setItem(KEY, JSON.stringify(items)); }
  function drop(ids) {
    save(load().filter(function (s) { return ids.indexOf(s.id) === -1; }));
  }

  function XapiQueue(options) {
    KEY = PREFIX + (options.owner || "anonymous");
    this.endpoint = options.endpoint;
    this.csrf = options.csrf;
    this.onStatus = options.onStatus || function () {};
    this.sending = false;
    this.delay = 1000;
    this.timer = null;
    var self = this;
    window.addEventListener("online", function () { self.delay = 1000; self.flush(); });
    window.addEventListener("pagehide", function () { self.flush({ keepalive: true }); });
  }

  XapiQueue.prototype.headers = function () {
    return {
      "Content-Type": "application/json",
      "X-Experience-API-Version": "1.0.3",
      "X-CSRFToken": this.csrf
    };
  };

  XapiQueue.prototype.push = function (statement) {
    statement.id = statement.id || uuid4();
    statement.timestamp = statement.timestamp || new Date().toISOString();
    var items = load();
    items.push(statement);
    save(items);
    this.flush();
    return statement.id;
  };

  XapiQueue.prototype.post = function (body, keepalive) {
    return fetch(this.endpoint + "statements", {
      method: "POST",
      credentials: "same-origin",
      headers: this.headers(),
      body: JSON.stringify(body),
      keepalive: !!keepalive
    });
  };

  XapiQueue.prototype.retryLater = function () {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.flush(); }, this.delay);
    this.delay = Math.min(this.delay * 2, 30000);
  };

  XapiQueue.prototype.flush = function (opts) {
    var self = this;
    var keepalive = opts && opts.keepalive;
    if (keepalive) {
      var pending = load();
      if (pending.length) { this.post(pending, true).then(function (r) { if (r.ok || r.status === 409) drop(pending.map(function (s) { return s.id; })); }, function () {}); }
      return Promise.resolve();
    }
    if (this.sending) { this.again = true; return Promise.resolve(); }
    var batch = load();
    if (!batch.length) return Promise.resolve();
    this.sending = true;
    var ids = batch.map(function (s) { return s.id; });
    return this.post(batch).then(function (response) {
      if (response.ok) {
        drop(ids);
        self.delay = 1000;
        self.onStatus("sent");
      } else if (response.status === 409) {
        // some id of the batch is already stored: send them one by one, 409 each is "sent"
        return self.oneByOne(batch);
      } else if (response.status >= 500 || response.status === 429) {
        self.retryLater();
      } else if (response.status === 401 || response.status === 403) {
        // the session expired or changed: keep everything for when this person signs in again
        self.onStatus("signed-out");
        self.retryLater();
      } else if (batch.length > 1) {
        // one statement of the batch is refused: find it, and send the others
        return self.oneByOne(batch);
      } else {
        // an invalid statement will not become valid by retrying: drop it, not the queue
        drop(ids);
        if (window.console) console.warn("xAPI statement refused", response.status);
      }
    }, function () {
      self.onStatus("offline");
      self.retryLater();
    }).then(function () {
      self.sending = false;
      if (self.again) { self.again = false; return self.flush(); }
    });
  };

  XapiQueue.prototype.oneByOne = function (batch) {
    var self = this;
    return batch.reduce(function (chain, statement) {
      return chain.then(function () {
        return self.post(statement).then(function (r) {
          var kept = r.status === 401 || r.status === 403 || r.status === 429 || r.status >= 500;
          if (kept) self.retryLater();
          else drop([statement.id]); // stored (2xx), already stored (409) or invalid (4xx)
        }, function () { self.retryLater(); });
      });
    }, Promise.resolve());
  };

  window.XapiQueue = XapiQueue;
  window.xapiUuid4 = uuid4;
})();
