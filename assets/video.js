/* Camera tiles (layouts/video.py): play each <figure class="video-tile"> of the page.

   HLS through hls.js (assets/vendor/hls.light.min.js, Media Source Extensions, no worker: the
   CSP allows media from blob: and the camera origins only).

   MJPEG is read here, not left to the <img>: the multipart body is fetched (this server's
   demo stream, or a camera that answers CORS), each JPEG in it is cut out by its own markers
   (whatever the boundary is called) and drawn from a blob. So a picture that stops coming
   (the camera holds the connection open and sends nothing, or sends the same picture again
   and again) is seen, as is a stream that ends. A camera that does not answer CORS cannot be
   read: its stream is the <img>'s source, asked every PROBE_S whether it still answers, and
   the tile says 无法校验画面是否实时 (a script may not look at its picture).

   A stream that stops (hls.js gives up, the picture stands still for STALL_S, the camera
   stops answering) shows 信号中断 over its tile and is tried again after 1, 2, 4 ...
   BACKOFF_MAX_S seconds until its picture moves again. At most data-max-streams tiles of a
   screen play at once; the others show 点击播放, and a click plays that one in place of the
   tile that has played longest. Addresses are used only as a media source, never as HTML. */
(function () {
  "use strict";
  var TICK_MS = 1000;
  var STALL_S = 5;  // a playing picture that stands still this long has stopped
  var CONNECT_S = 12;  // a (re)connection may take this long to show its first picture
  var BACKOFF_MIN_S = 1;
  var BACKOFF_MAX_S = 15;
  var DEFAULT_CAP = 4;
  // An <img> whose multipart response ends fires no event and keeps its last picture (nor
  // may a script read a cross-origin picture to see it stand still): a playing MJPEG camera
  // is asked every PROBE_S whether it still answers (a request dropped at its headers).
  var PROBE_S = 4;
  // A multipart body that yields no JPEG in this many bytes is not an MJPEG stream.
  var MAX_PENDING = 8 * 1024 * 1024;
  var TEXT = {
    connecting: "连接中…", down: "信号中断", held: "▶ 点击播放", unchecked: "无法校验画面是否实时",
  };
  var tiles = [];

  function now() { return Date.now(); }

  // Only http(s) addresses (or paths on this server, which resolve to one) are played.
  function safeSrc(raw) {
    var url;
    try { url = new URL(raw || "", window.location.href); } catch (e) { return null; }
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  }

  function capOf(fig) {
    var grid = fig.closest("[data-max-streams]");
    var n = grid ? parseInt(grid.getAttribute("data-max-streams"), 10) : DEFAULT_CAP;
    return n > 0 ? n : DEFAULT_CAP;
  }

  // The page's language: the grid carries the catalogue's words (layouts/video.py).
  function word(t, key) {
    var grid = t.fig.closest(".video-grid");
    return (grid && grid.getAttribute("data-text-" + key)) || TEXT[key] || "";
  }

  function show(t, state) {
    t.state = state;
    t.fig.setAttribute("data-state", state);
    t.overlay.textContent = word(t, state);
  }

  // Whether the page can tell this tile's picture is live: "checked" (HLS, or MJPEG read
  // here) or "unchecked" (an MJPEG camera without CORS), said on the tile too.
  function liveness(t, how) {
    t.fig.setAttribute("data-live", how);
    var badge = t.fig.querySelector(".video-unchecked");
    if (how === "unchecked" && !badge) {
      badge = document.createElement("div");
      badge.className = "video-unchecked";
      badge.textContent = word(t, "unchecked");
      t.media.parentNode.appendChild(badge);
    } else if (how !== "unchecked" && badge) {
      badge.remove();
    }
  }

  /* ---- MJPEG read frame by frame ---- */

  function join(a, b) {
    if (!a.length) { return b; }
    var out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }

  function soi(b, from) {
    for (var i = b.indexOf(0xFF, from); i >= 0 && i + 2 < b.length; i = b.indexOf(0xFF, i + 1)) {
      if (b[i + 1] === 0xD8 && b[i + 2] === 0xFF) { return i; }
    }
    return -1;
  }

  // One past the end (FF D9) of the JPEG that starts (FF D8) at `start`: -1 while it has not
  // all come, -2 when what follows is not a JPEG. Segments are skipped by their lengths (an
  // EXIF thumbnail's own FF D9 is inside one), entropy-coded data up to its next marker.
  function jpegEnd(b, start) {
    var i = start + 2;
    for (;;) {
      if (i + 2 > b.length) { return -1; }
      if (b[i] !== 0xFF) { return -2; }
      var marker = b[i + 1];
      if (marker === 0xFF) { i += 1; continue; }  // fill
      if (marker === 0xD9) { return i + 2; }
      if ((marker >= 0xD0 && marker <= 0xD7) || marker === 0x01) { i += 2; continue; }
      if (i + 4 > b.length) { return -1; }
      var length = (b[i + 2] << 8) | b[i + 3];
      if (length < 2) { return -2; }
      i += 2 + length;
      if (marker !== 0xDA) { continue; }
      for (;;) {  // the scan's data: FF 00 is a stuffed FF, FF D0-D7 a restart marker
        i = b.indexOf(0xFF, i);  // native: a whole picture is looked through at each chunk
        if (i < 0 || i + 1 >= b.length) { return -1; }
        var next = b[i + 1];
        if (next === 0x00 || (next >= 0xD0 && next <= 0xD7)) { i += 2; continue; }
        if (next !== 0xFF) { break; }
        i += 1;
      }
    }
  }

  function same(a, b) {
    if (!a || !b || a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
    return true;
  }

  // One picture at a time into the <img>; what comes meanwhile waits (only the newest). A
  // picture counts as movement once it is on the screen: decoded, and not the one before.
  function paint(t, bytes) {
    var generation = t.generation;
    var url = URL.createObjectURL(new Blob([bytes], { type: "image/jpeg" }));
    var done = function (event) {
      t.media.removeEventListener("load", done);
      t.media.removeEventListener("error", done);
      if (generation !== t.generation) { URL.revokeObjectURL(url); return; }  // disconnected
      if (t.url) { URL.revokeObjectURL(t.url); }
      t.url = url;
      if (event.type === "load") { t.changes += 1; }  // a broken picture: the next follows
      t.painting = false;
      if (t.pending) { var next = t.pending; t.pending = null; t.painting = true; paint(t, next); }
    };
    t.media.addEventListener("load", done);
    t.media.addEventListener("error", done);
    t.media.src = url;
  }

  function picture(t, bytes) {
    if (same(bytes, t.lastBytes)) { return; }  // the same picture again is no movement
    t.lastBytes = bytes;
    if (t.painting) {
      t.pending = bytes;
    } else {
      t.painting = true;
      paint(t, bytes);
    }
  }

  // Every whole JPEG in `b` to `found`; what is left (the start of the next) is returned.
  function cut(b, found) {
    for (;;) {
      var start = soi(b, 0);
      if (start < 0) { return b.subarray(Math.max(0, b.length - 2)); }
      var end = jpegEnd(b, start);
      if (end === -1) { return b.subarray(start); }
      if (end === -2) { b = b.subarray(start + 2); continue; }
      found(b.slice(start, end));
      b = b.subarray(end);
    }
  }

  // For tests and diagnostics: the pictures of a multipart body as it would come in chunks
  // of `chunk` bytes.
  window.seVideo = {
    pictures: function (body, chunk) {
      var found = [];
      var pending = new Uint8Array(0);
      for (var i = 0; i < body.length; i += chunk) {
        pending = cut(join(pending, body.subarray(i, i + chunk)), function (p) { found.push(p); });
      }
      return found;
    },
  };

  function read(t, reader, ctrl) {
    var pending = new Uint8Array(0);
    var pump = function () {
      return reader.read().then(function (r) {
        if (r.done || t.reader !== ctrl) { return; }
        pending = cut(join(pending, r.value), function (p) { picture(t, p); });
        if (pending.length > MAX_PENDING) { throw new Error("no JPEG in the stream"); }
        return pump();
      });
    };
    return pump();
  }

  // The camera answers but not with CORS: play it as the <img>'s source, unchecked.
  function fallBack(t, ctrl) {
    window.fetch(t.src, { mode: "no-cors", cache: "no-store", credentials: "omit",
                          signal: ctrl.signal })
      .then(function () {
        ctrl.abort();
        if (t.reader !== ctrl) { return; }
        t.reader = null;
        t.cors = false;
        connect(t);
      })
      .catch(function (e) {
        if (t.reader === ctrl && !(e && e.name === "AbortError")) { down(t); }
      });
  }

  function connectMjpeg(t) {
    var ctrl = new AbortController();
    var before = t.changes;
    t.reader = ctrl;
    // lastBytes stays: a camera that comes back with the picture it froze on is still down.
    liveness(t, "checked");
    // This server's cookies go to this server only (the demo stream), never to a camera.
    window.fetch(t.src, { mode: "cors", cache: "no-store", credentials: "same-origin",
                          signal: ctrl.signal })
      .then(function (response) {
        if (!response.ok || !response.body) { throw new Error("HTTP " + response.status); }
        return read(t, response.body.getReader(), ctrl);
      })
      .then(function () { if (t.reader === ctrl) { down(t); } })  // the stream ended
      .catch(function (e) {
        if (t.reader !== ctrl || (e && e.name === "AbortError")) { return; }
        if (e instanceof TypeError && t.changes === before) { fallBack(t, ctrl); } else { down(t); }
      });
  }


  function active() { return tiles.filter(function (t) { return t.active; }); }

  function disconnect(t) {
    if (t.hls) { t.hls.destroy(); t.hls = null; }
    if (t.reader) { t.reader.abort(); t.reader = null; }
    // A picture being decoded is dropped (its <img> may never say it loaded).
    t.generation += 1;
    t.painting = false;
    t.pending = null;
    t.media.removeAttribute("src");  // an <img>'s: ends its multipart response
    if (t.kind === "hls") { t.media.load(); }
    if (t.url) { URL.revokeObjectURL(t.url); t.url = null; }
  }

  function connect(t) {
    t.lastTime = t.kind === "hls" ? t.media.currentTime : 0;
    t.since = now();
    var m = t.media;
    if (t.kind === "mjpeg" && t.cors !== false && window.AbortController && window.ReadableStream) {
      connectMjpeg(t);
      return;
    }
    if (t.kind === "mjpeg") {
      liveness(t, "unchecked");
      m.src = t.src;
      return;
    }
    m.muted = true;
    m.loop = true;  // a recorded clip (the demo's) starts again; a live stream never ends
    m.playsInline = true;
    var play = function () { var p = m.play(); if (p && p.catch) { p.catch(function () {}); } };
    if (window.Hls && window.Hls.isSupported()) {
      var hls = new window.Hls({
        enableWorker: false,
        manifestLoadingMaxRetry: 1,
        levelLoadingMaxRetry: 2,
        fragLoadingMaxRetry: 2,
      });
      hls.on(window.Hls.Events.ERROR, function (_e, data) {
        if (data && data.fatal && t.hls === hls) { down(t); }
      });
      hls.on(window.Hls.Events.MANIFEST_PARSED, play);
      hls.loadSource(t.src);
      hls.attachMedia(m);
      t.hls = hls;
    } else if (m.canPlayType("application/vnd.apple.mpegurl")) {
      m.src = t.src;
      play();
    } else {
      down(t);
    }
  }

  function down(t) {
    if (!t.active) { return; }
    disconnect(t);
    show(t, "down");
    t.retryAt = now() + t.delay * 1000;
    t.delay = Math.min(t.delay * 2, BACKOFF_MAX_S);
    t.connected = false;
  }

  function start(t) {
    t.active = true;
    t.delay = BACKOFF_MIN_S;
    t.connected = true;
    show(t, "connecting");
    connect(t);
  }

  function hold(t) {
    t.active = false;
    t.connected = false;
    disconnect(t);
    show(t, "held");
  }

  // Has the picture moved since the last look?
  function moved(t) {
    if (t.kind === "mjpeg" && t.cors !== false) {
      var changed = t.changes > t.seen;
      t.seen = t.changes;
      return changed;
    }
    if (t.kind === "mjpeg") {
      return t.media.naturalWidth > 0;
    }
    var time = t.media.currentTime;
    var ok = time > t.lastTime + 0.01 || (t.lastTime > 0 && time + 0.5 < t.lastTime);  // looped
    t.lastTime = time;
    return ok;
  }

  function probe(t) {
    t.probedAt = now();
    var ctrl = window.AbortController ? new AbortController() : null;
    var src = t.src;
    window.fetch(src, { mode: "no-cors", cache: "no-store", credentials: "omit",
                        signal: ctrl && ctrl.signal })
      .then(function () { if (ctrl) { ctrl.abort(); } })
      .catch(function (e) {
        if (e && e.name === "AbortError") { return; }
        if (t.connected && t.state === "playing" && t.src === src) { down(t); }
      });
  }

  function look(t) {
    if (!t.active) { return; }
    if (t.kind === "mjpeg" && t.cors === false && t.state === "playing"
        && now() - t.probedAt > PROBE_S * 1000) {
      probe(t);
    }
    if (!t.connected) {
      if (now() >= t.retryAt) {
        t.connected = true;
        connect(t);
      }
      return;
    }
    if (moved(t)) {
      t.since = now();
      if (t.state !== "playing") {
        show(t, "playing");
        t.delay = BACKOFF_MIN_S;
      }
    } else if (now() - t.since > (t.state === "playing" ? STALL_S : CONNECT_S) * 1000) {
      down(t);
    }
  }

  function bind(fig) {
    var src = safeSrc(fig.getAttribute("data-src"));
    var media = fig.querySelector(".video-media");
    var overlay = fig.querySelector(".video-overlay");
    if (!src || !media || !overlay) { return; }
    var t = {
      fig: fig, kind: fig.getAttribute("data-kind"), src: src, media: media, overlay: overlay,
      hls: null, active: false, connected: false, delay: BACKOFF_MIN_S, retryAt: 0,
      since: 0, lastTime: -1, state: "idle", startedAt: 0, probedAt: 0,
      // MJPEG read here: the fetch's controller, pictures that differed, those looked at.
      reader: null, cors: null, changes: 0, seen: 0, lastBytes: null, url: null,
      painting: false, pending: null, generation: 0,
    };
    fig.bound = true;
    tiles.push(t);
    if (t.kind === "mjpeg") {
      media.addEventListener("error", function () {
        if (t.cors === false && t.connected && media.getAttribute("src")) { down(t); }
      });
    }
    fig.addEventListener("click", function () {
      if (t.active) { return; }
      var playing = active();
      if (playing.length >= capOf(fig)) {
        playing.sort(function (a, b) { return a.startedAt - b.startedAt; });
        hold(playing[0]);
      }
      t.startedAt = now();
      start(t);
    });
    if (active().length < capOf(fig)) {
      t.startedAt = now();
      start(t);
    } else {
      hold(t);
    }
  }

  function tick() {
    tiles = tiles.filter(function (t) {
      if (document.contains(t.fig)) { return true; }
      t.active = false;
      disconnect(t);
      return false;
    });
    var figs = document.querySelectorAll("figure.video-tile[data-src]");
    for (var i = 0; i < figs.length; i++) {
      if (!figs[i].bound) { bind(figs[i]); }
    }
    tiles.forEach(look);
  }

  window.setInterval(tick, TICK_MS);
})();
