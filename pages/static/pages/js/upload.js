// A small tus 1.0 client for the project's own endpoint: chunked PATCHes, resumable after a
// reload (the upload URL is kept in localStorage per file) and after a dropped connection
// (retries with backoff, resuming from the server's offset given by HEAD).
(function () {
  "use strict";
  var form = document.getElementById("tus-upload");
  if (!form) return;
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var data = form.dataset;
  var TUS = "1.0.0";

  function say(template, values) {
    status.textContent = template.replace(/\{(\w+)\}/g, function (_m, key) { return key === "percent" ? values[key] + "%" : values[key]; });
  }
  function b64(text) { return btoa(unescape(encodeURIComponent(text))); }
  function headers(extra) {
    var h = { "Tus-Resumable": TUS, "X-CSRFToken": data.csrf };
    for (var k in extra) h[k] = extra[k];
    return h;
  }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function keyOf(file) { return "tus:" + data.course + ":" + file.name + ":" + file.size + ":" + file.lastModified; }
  function show(offset, size) {
    var percent = size ? Math.floor((offset * 100) / size) : 0;
    bar.value = percent;
    say(data.textUploading, { percent: percent });
  }
  async function errorText(response) {
    try { var body = await response.json(); return body.failure_message || body.message || response.statusText; }
    catch (e) { return response.statusText; }
  }

  async function create(file, title) {
    var meta = "course " + b64(data.course) + ",filename " + b64(file.name);
    if (title) meta += ",title " + b64(title);
    var r = await fetch(data.endpoint, { method: "POST", credentials: "same-origin",
      headers: headers({ "Upload-Length": String(file.size), "Upload-Metadata": meta }) });
    if (r.status !== 201) throw { fatal: await errorText(r) };
    return r.headers.get("Location");
  }
  async function offsetOf(url) {
    var r = await fetch(url, { method: "HEAD", credentials: "same-origin", headers: headers({}) });
    if (r.status === 404 || r.status === 410) return null;
    if (!r.ok) throw new Error("HEAD " + r.status);
    return parseInt(r.headers.get("Upload-Offset"), 10);
  }

  async function send(file, url, offset) {
    var chunk = parseInt(data.chunkSize, 10) || 5242880;
    while (offset < file.size) {
      var body = file.slice(offset, Math.min(offset + chunk, file.size));
      var r = await fetch(url, { method: "PATCH", credentials: "same-origin", body: body,
        headers: headers({ "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" }) });
      if (r.status === 409) { offset = await offsetOf(url); continue; }
      if (r.status !== 204) {
        var reason = await errorText(r);
        try {
          var detail = await fetch(url, { credentials: "same-origin", headers: headers({}) });
          if (detail.ok) { var d = await detail.json(); if (d.failure_message) reason = d.failure_message; }
        } catch (e) { /* the response's own message stands */ }
        throw { fatal: reason };
      }
      offset = parseInt(r.headers.get("Upload-Offset"), 10);
      show(offset, file.size);
    }
  }

  async function watch(url) {
    var videoId = null;
    for (;;) {
      if (!videoId) {
        var u = await fetch(url, { credentials: "same-origin", headers: headers({}) });
        var upload = await u.json();
        if (upload.status === "failed") throw { fatal: upload.failure_message };
        videoId = upload.video_id;
      }
      if (videoId) {
        var v = await fetch(data.videoUrl.replace("00000000-0000-0000-0000-000000000000", videoId), { credentials: "same-origin" });
        var video = await v.json();
        if (video.status === "ready") { bar.value = 100; say(data.textReady, {}); return; }
        if (video.status === "failed") throw { fatal: video.failure_message };
        bar.value = video.progress_percent;
        say(data.textProcessing, { percent: video.progress_percent });
      }
      await sleep(1000);
    }
  }

  async function run(file, title) {
    var key = keyOf(file);
    var url = localStorage.getItem(key);
    var offset = 0;
    if (url) {
      var found = await offsetOf(url);
      if (found === null) { localStorage.removeItem(key); url = null; }
      else { offset = found; bar.value = Math.floor((offset * 100) / file.size); say(data.textResuming, { percent: bar.value }); }
    }
    if (!url) { url = await create(file, title); localStorage.setItem(key, url); }
    var delay = 1000;
    for (;;) {
      try {
        await send(file, url, offset);
        break;
      } catch (error) {
        if (error && error.fatal !== undefined) { localStorage.removeItem(key); throw error; }
        say(data.textRetrying, { seconds: Math.round(delay / 1000) });
        await sleep(delay);
        delay = Math.min(delay * 2, 8000);
        try { var again = await offsetOf(url); if (again !== null) { offset = again; say(data.textResuming, { percent: Math.floor((offset * 100) / file.size) }); } }
        catch (e) { /* still offline: try again */ }
      }
    }
    localStorage.removeItem(key);
    await watch(url);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.querySelector("input[type=file]").files[0];
    if (!file) return;
    var title = form.querySelector("input[name=title]").value;
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    run(file, title).catch(function (error) {
      say(data.textFailed, { reason: error && error.fatal !== undefined ? error.fatal : String(error) });
    }).finally(function () { button.disabled = false; });
  });
})();
