/* Camera tiles (layouts/video.py): play each <figure class="video-tile"> of the page.

   HLS through hls.js (assets/vendor/hls.light.min.js, Media Source Extensions, no worker: the
   CSP allows media from blob: and the camera origins only); MJPEG as the <img>'s source.
   A stream that stops (hls.js gives up, the picture stands still for STALL_S, the MJPEG
   camera stops answering) shows 信号中断 over its tile and is tried again after 1, 2, 4 ...
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
  var TEXT = { connecting: "连接中…", down: "信号中断", held: "▶ 点击播放" };
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

  function show(t, state) {
    t.state = state;
    t.fig.setAttribute("data-state", state);
    // The page's language: the grid carries the catalogue's words (layouts/video.py).
    var grid = t.fig.closest(".video-grid");
    var said = grid && grid.getAttribute("data-text-" + state);
    t.overlay.textContent = said || TEXT[state] || "";
  }

  function active() { return tiles.filter(function (t) { return t.active; }); }

  function disconnect(t) {
    if (t.hls) { t.hls.destroy(); t.hls = null; }
    if (t.kind === "hls") {
      t.media.removeAttribute("src");
      t.media.load();
    } else {
      t.media.removeAttribute("src");  // ends the multipart response
    }
  }

  function connect(t) {
    t.lastTime = t.kind === "hls" ? t.media.currentTime : 0;
    t.since = now();
    var m = t.media;
    if (t.kind === "mjpeg") {
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
    if (t.kind === "mjpeg" && t.state === "playing" && now() - t.probedAt > PROBE_S * 1000) {
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
    };
    fig.bound = true;
    tiles.push(t);
    if (t.kind === "mjpeg") {
      media.addEventListener("error", function () {
        if (t.connected && media.getAttribute("src")) { down(t); }
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
