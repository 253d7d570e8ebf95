/* The alert tone: a new alarm of a level that sounds (ALERT_SOUND_LEVELS, default red) and
   every escalation play assets/alert-tone.wav, again every few seconds, until the alarm is
   acknowledged (its row's status changes), leaves the screen, or someone presses 静音.

   It watches the DOM only: any element with data-alarm-id and data-level (the wall's feed,
   the tablet's list, the consultation table, the duty room's strip) is an alarm on screen;
   its status is data-status (or a status-* class), its escalation stage data-escalation (or
   a stage-N class). An escalation is a new stage, so it sounds again after a 静音.
   Silenced alarms are kept for the browser tab (sessionStorage).

   The wall in kiosk mode (?kiosk=1, Chromium started with
   --autoplay-policy=no-user-gesture-required) plays without a click; every other screen asks
   once, when the first alarm that would sound is on it, and remembers the answer in
   localStorage (a small 警报声 toggle changes it later). Only the first browser of
   a wall driven by several (tile 1) plays, and a replay (?at=) never does. */
(function () {
  "use strict";

  var CHOICE = "se-alert-sound"; // localStorage: "on" / "off"
  var SILENCED = "se-alert-silenced"; // sessionStorage: alarm keys silenced with 静音
  var REPEAT_MS = 4000;
  var SCREENS = ["/wall", "/consult", "/tablet", "/duty"];

  var audio = null;
  var timer = null;
  var waiting = []; // alarms on screen that would sound
  var sounding = []; // ... and do (sound is on here)
  var blocked = false; // the browser refused to play without a gesture
  var silenced = loadSilenced();
  var ui = null;
  var pending = null;

  function loadSilenced() {
    try {
      return JSON.parse(sessionStorage.getItem(SILENCED) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function saveSilenced() {
    try {
      sessionStorage.setItem(SILENCED, JSON.stringify(silenced));
    } catch (e) {
      /* private mode: silenced for this page only */
    }
  }

  function config() {
    var el = document.getElementById("alert-config");
    var levels = el ? (el.getAttribute("data-levels") || "").split(",") : ["red"];
    return {
      levels: levels.filter(Boolean),
      tone: (el && el.getAttribute("data-tone")) || "/assets/alert-tone.wav",
    };
  }

  function onScreen() {
    var path = location.pathname.replace(/\/+$/, "") || "/";
    return SCREENS.indexOf(path) >= 0;
  }

  function wall() {
    return document.querySelector(".wall-viewport");
  }

  function kiosk() {
    var w = wall();
    return !!(w && w.classList.contains("kiosk"));
  }

  function leadBrowser() {
    var w = wall();
    var tile = w && w.getAttribute("data-tile");
    return !tile || tile === "1";
  }

  function replay() {
    return new URLSearchParams(location.search).has("at");
  }

  function choice() {
    try {
      return localStorage.getItem(CHOICE);
    } catch (e) {
      return null;
    }
  }

  function choose(value) {
    try {
      localStorage.setItem(CHOICE, value);
    } catch (e) {
      /* not remembered: asked again next time */
    }
  }

  function enabled() {
    if (!onScreen() || replay() || !leadBrowser()) return false;
    var c = choice();
    if (c) return c === "on";
    return kiosk();
  }

  function statusOf(el) {
    var s = el.getAttribute("data-status");
    if (s) return s;
    var m = /(?:^|\s)status-([a-z]+)/.exec(el.className || "");
    return m ? m[1] : "";
  }

  function stageOf(el) {
    var v = el.getAttribute("data-escalation");
    if (v === null) {
      var m = /(?:^|\s)stage-(\d+)/.exec(el.className || "");
      v = m ? m[1] : "0";
    }
    return parseInt(v, 10) || 0;
  }

  /* Keys ("<alarm id>#<stage>") of the unacknowledged alarms on screen that should sound. */
  function due() {
    var levels = config().levels;
    var keys = {};
    var rows = document.querySelectorAll("[data-alarm-id][data-level]");
    for (var i = 0; i < rows.length; i++) {
      var el = rows[i];
      if (statusOf(el) !== "new") continue;
      var stage = stageOf(el);
      if (stage === 0 && levels.indexOf(el.getAttribute("data-level")) < 0) continue;
      keys[el.getAttribute("data-alarm-id") + "#" + stage] = true;
    }
    return Object.keys(keys).filter(function (k) {
      return !silenced[k];
    });
  }

  function ring() {
    if (!audio) {
      audio = new Audio(config().tone);
      audio.preload = "auto";
    }
    try {
      audio.currentTime = 0;
    } catch (e) {
      /* not loaded yet */
    }
    var played = audio.play();
    if (played && typeof played.then === "function") {
      played.then(
        function () {
          if (blocked) {
            blocked = false;
            render();
          }
        },
        function (err) {
          if (err && err.name === "NotAllowedError") {
            blocked = true;
            render();
          }
        }
      );
    }
  }

  function stopRinging() {
    if (timer) clearInterval(timer);
    timer = null;
    if (audio) {
      try {
        audio.pause();
      } catch (e) {
        /* nothing playing */
      }
    }
  }

  var scans = 0;

  function scan() {
    pending = null;
    scans += 1;
    waiting = onScreen() && !replay() && leadBrowser() ? due() : [];
    sounding = enabled() ? waiting : [];
    if (sounding.length && !timer) {
      ring();
      timer = setInterval(ring, REPEAT_MS);
    } else if (!sounding.length && timer) {
      stopRinging();
    }
    render();
  }

  function schedule() {
    if (!pending) pending = setTimeout(scan, 150);
  }

  function silence() {
    sounding.forEach(function (k) {
      silenced[k] = true;
    });
    saveSilenced();
    stopRinging();
    sounding = [];
    render();
  }

  function bind(id, onClick) {
    var el = document.getElementById(id);
    if (el && !el.getAttribute("data-bound")) {
      el.setAttribute("data-bound", "1");
      el.addEventListener("click", onClick);
    }
    return el;
  }

  /* The controls are part of the shell (layouts/alert.py); null until the app has rendered. */
  function ensureUI() {
    var root = document.getElementById("alert-controls");
    if (!root) return null;
    if (ui && ui.root === root) return ui;
    ui = {
      root: root,
      ask: document.getElementById("alert-ask"),
      mute: bind("alert-mute", silence),
      resume: bind("alert-resume", function () {
        choose("on");
        blocked = false;
        if (sounding.length) ring();
        render();
      }),
      toggle: bind("alert-toggle", function () {
        choose(choice() === "on" ? "off" : "on");
        scan();
        render();
      }),
    };
    bind("alert-enable", function () {
      choose("on");
      blocked = false;
      scan();
      render();
    });
    bind("alert-decline", function () {
      choose("off");
      scan();
      render();
    });
    return ui;
  }

  /* Changes only what differs: the controls' own mutations must not wake the observer. */
  function set(el, hidden) {
    if (el.hidden !== hidden) el.hidden = hidden;
  }

  /* Attributes only: the controls' text belongs to React (layouts/alert.py). */
  function attr(el, name, value) {
    if (el.getAttribute(name) !== value) el.setAttribute(name, value);
  }

  function render() {
    if (!document.body) return;
    var show = onScreen() && !replay() && leadBrowser();
    var u = ensureUI();
    if (!u) return;
    set(u.root, !show);
    if (!show) return;
    var onWall = !!wall();
    if (u.root.classList.contains("on-wall") !== onWall) u.root.classList.toggle("on-wall", onWall);
    var c = choice();
    // Asked once, when it first matters: an alarm that would sound is on screen.
    set(u.ask, !!c || kiosk() || !waiting.length);
    set(u.mute, !sounding.length);
    attr(u.mute, "data-count", String(sounding.length));
    set(u.resume, !(blocked && sounding.length));
    set(u.toggle, !c || kiosk());
    attr(u.toggle, "data-state", c === "on" ? "on" : "off");
    var pressed = c === "on" ? "true" : "false";
    if (u.toggle.getAttribute("aria-pressed") !== pressed) {
      u.toggle.setAttribute("aria-pressed", pressed);
    }
  }

  /* A page opened with sound on may not play until someone touches it: the first touch or
     key retries (the browser's autoplay policy). */
  function unblock() {
    if (blocked && sounding.length) ring();
  }

  function start() {
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        if (!ui || !ui.root.contains(records[i].target)) return schedule();
      }
    }).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["data-status", "data-escalation", "data-level", "class"],
    });
    document.addEventListener("pointerdown", unblock, true);
    document.addEventListener("keydown", unblock, true);
    window.addEventListener("popstate", schedule);
    scan();
    render();
  }

  /* For tests and for people at the console. */
  window.seAlert = {
    sounding: function () {
      return sounding.slice();
    },
    silence: silence,
    scans: function () {
      return scans;
    },
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
