/* The lesson player: HLS (hls.js or native), own buttons, captions by choice, transcript from
   the WebVTT cues, resume from the xAPI State resource, and Video Profile statements. */
(function () {
  "use strict";
  var root = document.getElementById("player");
  if (!root) return;
  var d = root.dataset;
  var video = document.getElementById("player-video");
  var playButton = document.getElementById("player-play");
  var status = document.getElementById("player-status");
  var select = document.getElementById("player-captions");
  var transcriptToggle = document.getElementById("player-transcript-toggle");
  var transcript = document.getElementById("player-transcript");
  var cueList = document.getElementById("player-cues");
  var VIDEO = "https://w3id.org/xapi/video";
  var EXT = VIDEO + "/extensions/";
  var queue = new window.XapiQueue({
    endpoint: d.endpoint,
    csrf: d.csrfToken,
    owner: d.actorName,
    onStatus: function (what) {
      if (what === "offline") say(d.labelOffline);
      if (what === "signed-out") say(d.labelSignedOut);
    }
  });
  queue.flush(); // what a previous page load left unsent

  function say(text) { status.textContent = text; }
  function round(t) { return Math.round(t * 1000) / 1000; }
  var agent = { objectType: "Agent", account: { homePage: d.homePage, name: d.actorName } };
  var length = parseFloat(d.length) || 0;
  var segments = []; // closed [start, end] pairs
  var segmentStart = null; // open segment while playing
  var lastTime = 0;
  var completed = false;
  var terminated = false;
  var ccLang = "";

  function duration() { return (isFinite(video.duration) && video.duration) || length; }
  function segmentsString() {
    var all = segments.slice();
    if (segmentStart !== null && lastTime > segmentStart) all.push([segmentStart, lastTime]);
    return all.map(function (s) { return round(s[0]) + "[.]" + round(s[1]); }).join("[,]");
  }
  function progress() {
    var all = segments.slice();
    if (segmentStart !== null && lastTime > segmentStart) all.push([segmentStart, lastTime]);
    all.sort(function (a, b) { return a[0] - b[0]; });
    var covered = 0, end = -1;
    all.forEach(function (s) {
      var from = Math.max(s[0], end);
      if (s[1] > from) { covered += s[1] - from; end = s[1]; }
    });
    var len = duration();
    return len ? Math.min(1, Math.round((covered / len) * 1000) / 1000) : 0;
  }
  function closeSegment(at) {
    if (segmentStart !== null && at > segmentStart) segments.push([segmentStart, at]);
    segmentStart = null;
  }

  function send(verb, display, result, extraContext) {
    var ctxExt = {};
    ctxExt[EXT + "session-id"] = d.sessionId;
    ctxExt[EXT + "length"] = round(duration());
    ctxExt[EXT + "cc-enabled"] = !!ccLang;
    if (ccLang) ctxExt[EXT + "cc-subtitle-lang"] = ccLang;
    ctxExt[EXT + "user-agent"] = navigator.userAgent;
    Object.keys(extraContext || {}).forEach(function (k) { ctxExt[k] = extraContext[k]; });
    var context = {
      contextActivities: {
        parent: [{ id: d.moduleIri, objectType: "Activity" }],
        grouping: [{ id: d.courseIri, objectType: "Activity" }],
        category: [{ id: VIDEO, objectType: "Activity" }]
      },
      extensions: ctxExt
    };
    if (d.registration) context.registration = d.registration;
    var statement = {
      actor: agent,
      verb: { id: verb, display: { "en-US": display } },
      object: {
        id: d.lessonIri,
        objectType: "Activity",
        definition: { type: "https://w3id.org/xapi/video/activity-type/video", name: { "it-IT": d.lessonTitle } }
      },
      context: context
    };
    if (result) statement.result = result;
    return queue.push(statement);
  }
  function ext(values) { var r = {}; Object.keys(values).forEach(function (k) { r[EXT + k] = values[k]; }); return { extensions: r }; }

  // --- resume: the xAPI State resource ---------------------------------------------------
  function stateUrl() {
    var q = new URLSearchParams({ activityId: d.lessonIri, agent: JSON.stringify(agent), stateId: d.stateId });
    if (d.registration) q.set("registration", d.registration);
    return d.endpoint + "activities/state?" + q.toString();
  }
  var stateHeaders = { "X-Experience-API-Version": "1.0.3", "X-CSRFToken": d.csrfToken };
  var lastSaved = null;
  function saveState(keepalive) {
    var t = round(video.currentTime || 0);
    if (t === lastSaved) return;
    lastSaved = t;
    var body = {};
    body[EXT + "time"] = t;
    fetch(stateUrl(), {
      method: "PUT", credentials: "same-origin", keepalive: !!keepalive,
      headers: Object.assign({ "Content-Type": "application/json" }, stateHeaders),
      body: JSON.stringify(body)
    }).catch(function () { lastSaved = null; });
  }
  var resumeAt = fetch(stateUrl(), { credentials: "same-origin", headers: stateHeaders })
    .then(function (r) { return r.ok ? r.json() : {}; })
    .then(function (doc) { var t = parseFloat(doc && doc[EXT + "time"]); return isFinite(t) ? t : 0; })
    .catch(function () { return 0; });

  // --- the source ----------------------------------------------------------------------
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = d.masterUrl;
  } else if (window.Hls && window.Hls.isSupported()) {
    var hls = new window.Hls();
    hls.loadSource(d.masterUrl);
    hls.attachMedia(video);
  } else {
    video.src = d.masterUrl;
  }

  var initialized = false;
  video.addEventListener("loadedmetadata", function () {
    resumeAt.then(function (t) {
      if (t > 0 && t < duration() - 1) {
        video.currentTime = t;
        lastTime = t;
        say(d.labelResumed);
      }
      if (!initialized) {
        initialized = true;
        send("http://adlnet.gov/expapi/verbs/initialized", "initialized", null, {});
      }
    });
  });

  var seeking = false;
  video.addEventListener("timeupdate", function () {
    if (!video.seeking && !seeking) lastTime = video.currentTime;
    highlightCue();
    if (!completed && progress() >= 0.95) {
      completed = true;
      send("http://adlnet.gov/expapi/verbs/completed", "completed",
        Object.assign(ext({ time: round(lastTime), progress: progress(), "played-segments": segmentsString() }),
          { completion: true, duration: "PT" + round(duration()) + "S" }));
    }
  });
  video.addEventListener("play", function () {
    segmentStart = video.currentTime;
    lastTime = video.currentTime;
    playButton.textContent = d.labelPause;
    send(VIDEO + "/verbs/played", "played", ext({ time: round(video.currentTime) }));
  });
  video.addEventListener("pause", function () {
    if (video.seeking) return; // a seek while playing is reported as seeked
    var at = video.ended ? duration() : video.currentTime;
    lastTime = at;
    closeSegment(at);
    playButton.textContent = d.labelPlay;
    send(VIDEO + "/verbs/paused", "paused",
      ext({ time: round(at), progress: progress(), "played-segments": segmentsString() }));
    saveState();
  });
  video.addEventListener("seeking", function () {
    if (seeking) return;
    seeking = true;
    var from = lastTime;
    var wasPlaying = segmentStart !== null;
    closeSegment(from);
    video.addEventListener("seeked", function once() {
      video.removeEventListener("seeked", once);
      seeking = false;
      var to = video.currentTime;
      lastTime = to;
      if (Math.abs(to - from) < 0.01) { if (wasPlaying) segmentStart = to; return; }
      send(VIDEO + "/verbs/seeked", "seeked", ext({ "time-from": round(from), "time-to": round(to), progress: progress(), "played-segments": segmentsString() }));
      if (wasPlaying && !video.paused) segmentStart = to;
    });
  });

  setInterval(function () { if (!video.paused) saveState(); }, 10000);
  window.addEventListener("pagehide", function () {
    if (terminated) return;
    terminated = true;
    var at = video.currentTime;
    if (!video.paused) { lastTime = at; closeSegment(at); }
    send("http://adlnet.gov/expapi/verbs/terminated", "terminated",
      ext({ time: round(at), progress: progress(), "played-segments": segmentsString() }));
    saveState(true);
  });

  // --- own buttons ---------------------------------------------------------------------
  playButton.addEventListener("click", function () { if (video.paused) video.play(); else video.pause(); });
  function skip(by) { video.currentTime = Math.max(0, Math.min(duration(), video.currentTime + by)); }
  document.getElementById("player-back").addEventListener("click", function () { skip(-10); });
  document.getElementById("player-forward").addEventListener("click", function () { skip(10); });
  video.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft") { skip(-10); e.preventDefault(); }
    else if (e.key === "ArrowRight") { skip(10); e.preventDefault(); }
  });
  video.addEventListener("ratechange", function () {
    send("http://adlnet.gov/expapi/verbs/interacted", "interacted", ext({ time: round(video.currentTime) }),
      (function () { var c = {}; c[EXT + "speed"] = video.playbackRate + "x"; return c; })());
  });
  document.addEventListener("fullscreenchange", function () {
    send("http://adlnet.gov/expapi/verbs/interacted", "interacted", ext({ time: round(video.currentTime) }),
      (function () { var c = {}; c[EXT + "full-screen"] = !!document.fullscreenElement; return c; })());
  });

  // --- captions and transcript ---------------------------------------------------------
  function tracks() { return Array.prototype.slice.call(video.textTracks || []); }
  var transcriptTrack = null;
  function showCaptions(lang) {
    ccLang = lang;
    tracks().forEach(function (t) { t.mode = t.language === lang ? "showing" : (t === transcriptTrack ? "hidden" : "disabled"); });
  }
  if (select) {
    tracks().forEach(function (t) { t.mode = "disabled"; });
    select.addEventListener("change", function () {
      showCaptions(select.value);
      send("http://adlnet.gov/expapi/verbs/interacted", "interacted", ext({ time: round(video.currentTime) }));
    });
  }
  function buildTranscript() {
    var track = tracks().filter(function (t) { return t.language === (ccLang || document.documentElement.lang); })[0] || tracks()[0];
    if (!track) return;
    transcriptTrack = track;
    if (track.mode === "disabled") track.mode = "hidden";
    function fill() {
      if (!track.cues || !track.cues.length) return false;
      cueList.textContent = "";
      Array.prototype.forEach.call(track.cues, function (cue) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.dataset.start = cue.startTime;
        b.dataset.end = cue.endTime;
        var m = Math.floor(cue.startTime / 60), s = Math.floor(cue.startTime % 60);
        b.textContent = m + ":" + (s < 10 ? "0" : "") + s + " " + cue.text.replace(/<[^>]*>/g, "");
        b.addEventListener("click", function () { video.currentTime = cue.startTime; });
        li.appendChild(b);
        cueList.appendChild(li);
      });
      return true;
    }
    if (!fill()) {
      var tries = 0;
      var t = setInterval(function () { if (fill() || ++tries > 50) clearInterval(t); }, 100);
    }
  }
  function highlightCue() {
    if (!cueList) return;
    var now = video.currentTime;
    Array.prototype.forEach.call(cueList.children, function (li) {
      var b = li.firstChild;
      li.classList.toggle("is-current", now >= parseFloat(b.dataset.start) && now < parseFloat(b.dataset.end));
    });
  }
  if (transcriptToggle) {
    transcriptToggle.addEventListener("click", function () {
      var open = transcript.hidden;
      transcript.hidden = !open;
      transcriptToggle.setAttribute("aria-expanded", String(open));
      if (open) buildTranscript();
    });
  }
})();
