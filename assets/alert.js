/* The alert tone: a new alarm of a level that sounds (ALERT_SOUND_LEVELS, default red) and
   every escalation play assets/alert-tone.wav, again every few seconds, until the alarm is
   acknowledged (its row's status changes), leaves the screen, or someone presses 静音.

   It watches the DOM only: any element with data-alarm-id and data-level (the wall's feed,
   the tablet's list, the consultation table, the duty room's strip) is an alarm on screen;
   its status is data-status (or a status-* class), its escalation stage data-escalation (or
   a stage-N class). An escalation is a new stage, so it sounds again after a 静音.

   The wall in kiosk mode (?kiosk=1, Chromium started with
   --autoplay-policy=no-user-gesture-required) plays without a click; every other screen asks
   once whether to sound, and remembers the answer in localStorage. Only the first browser of
   a wall driven by several (tile 1) plays, and a replay (?at=) never does. */
(function () {
  "use strict";

  var CHOICE = "se-alert-sound"; // localStorage: "on" / "off"
  var SILENCED = "se-alert-silenced"; // sessionStorage: alarm keys silenced with 静音
  var REPEAT_MS = 4000;
  var SCREENS = ["/wall", "/consult", "/tablet", "/duty"];

  var audio = null;
  var timer = null;
  var sounding = [];
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

  function scan() {
    pending = null;
    var was = sounding.length;
    sounding = enabled() ? due() : [];
    if (sounding.length && !timer) {
      ring();
      timer = setInterval(ring, REPEAT_MS);
    } else if (!sounding.length && timer) {
      stopRinging();
    }
    if (sounding.length !== was || ui) render();
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

  function button(id, text, onClick, extra) {
    var b = document.createElement("button");
    b.type = "button";
    b.id = id;
    b.className = "alert-btn " + (extra || "");
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function ensureUI() {
    if (ui && document.body.contains(ui.root)) return ui;
    var root = document.createElement("div");
    root.id = "alert-controls";
    root.setAttribute("role", "region");
    root.setAttribute("aria-label", "警报声音");
    var ask = document.createElement("div");
    ask.id = "alert-ask";
    ask.className = "alert-ask";
    var label = document.createElement("span");
    label.textContent = "红色警情到达时是否播放警报声？";
    ask.appendChild(label);
    ask.appendChild(
      button("alert-enable", "开启警报声音", function () {
        choose("on");
        blocked = false;
        scan();
        render();
      }, "primary")
    );
    ask.appendChild(
      button("alert-decline", "不需要", function () {
        choose("off");
        scan();
        render();
      })
    );
    var mute = button("alert-mute", "静音", silence, "mute");
    var resume = button("alert-resume", "点击开启警报声音", function () {
      choose("on");
      blocked = false;
      if (sounding.length) ring();
      render();
    }, "primary");
    var toggle = button("alert-toggle", "", function () {
      choose(choice() === "on" ? "off" : "on");
      scan();
      render();
    }, "toggle");
    root.appendChild(ask);
    root.appendChild(resume);
    root.appendChild(mute);
    root.appendChild(toggle);
    document.body.appendChild(root);
    ui = { root: root, ask: ask, mute: mute, resume: resume, toggle: toggle };
    return ui;
  }

  /* Changes only what differs: the controls' own mutations must not wake the observer. */
  function set(el, hidden, text) {
    if (el.hidden !== hidden) el.hidden = hidden;
    if (text !== undefined && el.textContent !== text) el.textContent = text;
  }

  function render() {
    if (!document.body) return;
    var show = onScreen() && !replay() && leadBrowser();
    var u = ensureUI();
    set(u.root, !show);
    if (!show) return;
    var onWall = !!wall();
    if (u.root.classList.contains("on-wall") !== onWall) u.root.classList.toggle("on-wall", onWall);
    var c = choice();
    set(u.ask, !!c || kiosk());
    set(u.mute, !sounding.length, "静音（" + sounding.length + " 条警情）");
    set(u.resume, !(blocked && sounding.length));
    set(u.toggle, !c || kiosk(), c === "on" ? "警报声：开" : "警报声：关");
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
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
