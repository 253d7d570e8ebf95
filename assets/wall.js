/* The wall in the browser: fit the design canvas to the screen, keep the clock and the
   age of every panel current, and say clearly when the server stops answering. */
(function () {
  "use strict";
  const TZ = "Asia/Shanghai";
  const state = {lastPulse: 0, lastServerTime: null, offlineSince: null, build: null,
                 loadedAt: Date.now(), viewKey: null, takeoverId: null};

  function viewport() { return document.getElementById("wall-viewport"); }
  function pulseRoot() { return document.getElementById("pulse"); }

  /* Scale the fixed-size canvas into the window (letterboxed), or show one tile of it. */
  function fit() {
    const vp = viewport();
    const canvas = document.getElementById("wall-canvas");
    if (!vp || !canvas) { return; }
    const [w, h] = vp.dataset.canvas.split("x").map(Number);
    const [cols, rows] = (vp.dataset.tiles || "1x1").split("x").map(Number);
    const k = Number(vp.dataset.tile || 1) - 1;
    const tileW = w / cols, tileH = h / rows;
    const scale = Math.min(window.innerWidth / tileW, window.innerHeight / tileH);
    const offX = (window.innerWidth - tileW * scale) / 2 - (k % cols) * tileW * scale;
    const offY = (window.innerHeight - tileH * scale) / 2 - Math.floor(k / cols) * tileH * scale;
    canvas.style.transform = `translate(${offX}px, ${offY}px) scale(${scale})`;
    vp.dataset.scale = scale.toFixed(4);
  }

  // A formatter is costly to build (every panel's age is drawn every second): one per style.
  const formats = new Map();
  // `en`: an element shown in English (inside a [lang="en"] page) gets English dates.
  function fmt(date, opts, en) {
    const key = (en ? "en:" : "zh:") + JSON.stringify(opts);
    if (!formats.has(key)) {
      formats.set(key, new Intl.DateTimeFormat(en ? "en-GB" : "zh-CN", Object.assign({timeZone: TZ}, opts)));
    }
    return formats.get(key).format(date);
  }
  function inEnglish(el) { return !!(el && el.closest('[lang="en"]')); }
  /* The wall's words in its language: the catalogue's `wall.js.*` (layouts/wall.py), with
     `{name}` fields filled from `fields`. */
  function words(key, fields) {
    const all = JSON.parse(viewport()?.dataset.words || "{}");
    return (all[key] || "").replace(/\{(\w+)\}/g, (_m, k) => String((fields || {})[k] ?? ""));
  }

  function ageText(seconds, en) {
    if (seconds < 60) { return Math.max(0, Math.round(seconds)) + (en ? " s ago" : " 秒前"); }
    if (seconds < 3600) { return Math.round(seconds / 60) + (en ? " min ago" : " 分钟前"); }
    return Math.round(seconds / 3600) + (en ? " h ago" : " 小时前");
  }

  /* Every `.as-of` shows how old its panel's data is; the panel turns stale when the source
     behind it stops answering or nothing has confirmed the data for too long. */
  function updateAges(pulse) {
    const now = Date.now();
    const staleMs = Number(pulseRoot()?.dataset.staleMs || 15000);
    const serverDown = state.offlineSince !== null;
    // Panels whose upstream systems are silent past their cadence, with the reason in words.
    const reasons = (!serverDown && pulse && pulse.stale) || {};
    const reasonsEn = (!serverDown && pulse && (pulse.stale_en || pulse.stale)) || {};
    document.querySelectorAll(".as-of").forEach(function (el) {
      const source = el.dataset.source;
      const ok = !serverDown && pulse && pulse.ok && pulse.ok[source];
      // While the source answers, the data it holds is current as of the latest sign of life:
      // a polled answer, or a pushed frame (the stream says nothing when nothing changed).
      if (ok && pulse.t) { el.dataset.confirmed = confirmedAt(pulse); }
      const stamp = el.dataset.confirmed || el.dataset.asOf;
      const panel = el.closest(".panel") || el.parentElement;
      if (!stamp) { el.textContent = "…"; return; }
      const age = (now - Date.parse(stamp)) / 1000;
      const en = inEnglish(el);
      const reason = (panel && panel.id && (en ? reasonsEn : reasons)[panel.id]) || "";
      el.textContent = reason || ((en ? "Data " : "数据 ") + fmt(new Date(stamp), {hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false}) + " · " + ageText(age, en));
      const stale = !ok || age * 1000 > staleMs || !!reason;
      el.classList.toggle("stale", stale);
      if (panel) {
        panel.classList.toggle("stale", stale);
        if (reason) { panel.dataset.staleReason = reason; } else { delete panel.dataset.staleReason; }
      }
    });
  }

  function push() { return window.sePush || {}; }
  function pushUp() { return push().mode === "push" && push().es; }

  function confirmedAt(pulse) {
    const t = Date.parse(pulse.t);
    const frame = pushUp() ? push().lastFrame : 0;
    return new Date(Math.max(t, frame)).toISOString();
  }

  /* The replayed moment on a replayed page (assets/replay.js), else null. */
  function replayNow() { return window.seReplay && window.seReplay.now ? window.seReplay.now() : null; }

  /* A replayed page: every stamp says the replayed moment it shows, never an age, never
     stale (nothing live is behind it). */
  function replayAges() {
    document.querySelectorAll(".as-of").forEach(function (el) {
      const stamp = el.dataset.asOf;
      const panel = el.closest(".panel") || el.parentElement;
      const mark = words("replayed") || "回放 ";
      const text = stamp ? mark + fmt(new Date(stamp), {month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false}) : mark + "…";
      if (el.textContent !== text) { el.textContent = text; }
      el.classList.add("replayed");
      el.classList.remove("stale");
      if (panel) { panel.classList.remove("stale"); }
    });
  }

  function updateClock() {
    const now = replayNow() || new Date();
    const clock = document.getElementById("topbar-clock");
    const date = document.getElementById("topbar-date");
    if (clock) { clock.textContent = fmt(now, {hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false}); }
    if (date) { date.textContent = fmt(now, {year: "numeric", month: "long", day: "numeric", weekday: "long"}, inEnglish(date)); }
    document.querySelectorAll(".page-clock").forEach(function (el) {
      // English: "Wed 2 Dec, 11:43:14" (a numeric day/month reads as 12 February to some).
      const en = inEnglish(el);
      el.textContent = fmt(now, {month: en ? "short" : "numeric", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false}, en);
    });
  }

  function updateSystems(pulse) {
    const rate = document.getElementById("topbar-rate");
    if (rate && pulse && pulse.rate) {
      const r = pulse.rate;
      rate.querySelector(".figure").textContent = r.registered ? Math.round(100 * r.integrated / r.registered) + "%" : "—";
      rate.querySelector(".detail").textContent = r.integrated + " / " + r.registered;
      rate.dataset.integrated = r.integrated;
      rate.dataset.registered = r.registered;
    }
    const list = document.getElementById("topbar-systems");
    if (!list || !pulse || !pulse.systems) { return; }
    const en = inEnglish(list);
    list.replaceChildren(...pulse.systems.map(function (s) {
      // Ages count on in the browser from the heartbeat's time (pushed pulses carry no age);
      // a system that never sent one has neither.
      const beat = typeof s.at === "number";
      const age = beat ? Math.max(0, Date.now() / 1000 - s.at) : (typeof s.age === "number" ? s.age : null);
      const li = document.createElement("li");
      li.className = "system " + (s.ok ? "ok" : "quiet");
      li.dataset.system = s.code;
      li.title = age === null ? words("no_beat") : words("last_beat") + ageText(age, en);
      const name = (en && s.name_en) || s.name;
      li.textContent = name + (s.ok ? "" : " · " + (age === null ? words("no_beat") : ageText(age, en)));
      return li;
    }));
  }

  function banner() {
    const el = document.querySelector(".conn-banner");
    if (!el) { return; }
    if (state.offlineSince === null) { el.hidden = true; return; }
    el.hidden = false;
    const since = fmt(state.offlineSince, {hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false});
    el.textContent = inEnglish(el)
      ? "Connection to the server lost · the screen has not updated since " + since + " · reconnecting"
      : "与服务器失去连接 · 自 " + since + " 起画面未更新 · 正在自动重连";
    document.body.classList.add("offline");
  }

  /* Once a day, at a quiet hour, start afresh: long-running pages leak in every browser. */
  function dailyReload() {
    const at = viewport()?.dataset.reloadAt;
    if (!at || Date.now() - state.loadedAt < 5 * 60 * 1000) { return; }
    const hhmm = fmt(new Date(), {hour: "2-digit", minute: "2-digit", hour12: false});
    if (hhmm === at) { window.location.reload(); }
  }

  /* Which focus view is on now: the rotation slot of the server's wall state, pushed to
     every tile of a wall at once, so the tiles (each its own browser) switch together. */
  function currentView(wall) {
    const vp = viewport();
    const views = JSON.parse(vp?.dataset.views || "[]");
    if (!views.length) { return null; }
    if (!wall || !wall.period) { return views[0]; }
    return views[wall.slot % views.length];
  }

  /* A second, browser-only timer: notices a silent server even when no callback returns. */
  function watchdog() {
    updateClock();
    if (replayNow()) { replayAges(); return; }
    if (!pulseRoot()) { state.lastPulse = 0; state.offlineSince = null; return; }
    const poll = Number(pulseRoot().dataset.refreshMs || 1000);
    const up = pushUp();
    // Pushed: a keepalive comes every few seconds at least. Polled (or reconnecting): a tick.
    const refresh = up ? push().keepaliveMs || 5000 : poll;
    const last = Math.max(state.lastPulse, push().lastFrame || 0);
    if (last && Date.now() - last > 2 * refresh && state.offlineSince === null
        && !state.probing && Date.now() - (state.lastProbe || 0) > refresh) {
      // The pulse is late. A busy server (or a busy browser) is not a lost one: ask /healthz
      // directly and only say "lost" when that fails too.
      const late = last;
      state.probing = true;
      state.lastProbe = Date.now();
      fetch("/healthz", {cache: "no-store", signal: AbortSignal.timeout(1500)})
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } })
        .catch(function () {
          if (Math.max(state.lastPulse, push().lastFrame || 0) === late) { state.offlineSince = new Date(late); }
        })
        .finally(function () { state.probing = false; });
    }
    if (state.offlineSince !== null && pushUp() && Date.now() - push().lastFrame < 2000) {
      state.offlineSince = null;  // the stream is back before any poll answered
      document.body.classList.remove("offline");
    }
    banner();
    updateAges(state.offlineSince === null ? state.pulse : null);
    dailyReload();
  }

  window.dash_clientside = window.dash_clientside || {};
  Object.assign(window.dash_clientside, {
    seWall: {
      /* Rotation and takeover: an unacknowledged red alarm holds the map until acknowledged. */
      rotate: function (wall) {
        const noUpdate = window.dash_clientside.no_update;
        const focus = wall ? wall.focus : null;
        const canvas = document.getElementById("wall-canvas");
        const hold = function (viewport, name, takeover, presenter) {
          return [viewport, name, !takeover, takeover || "", !presenter, presenter || ""];
        };
        if (focus) {
          const changed = state.takeoverId !== focus.id;
          state.takeoverId = focus.id;
          state.viewKey = null;
          if (canvas) { canvas.dataset.view = focus.mode; }
          let viewport = noUpdate;
          if (changed) {
            viewport = focus.bounds ? {bounds: focus.bounds, transition: "flyToBounds"}
              : {center: [focus.lat, focus.lon], zoom: 13, transition: "flyTo"};
          }
          // The wall state is one for every screen: it carries the takeover's text in both
          // languages (figures/wall_focus.py); an English wall shows `text_en`.
          const told = inEnglish(canvas) && focus.text_en ? focus.text_en : focus.text;
          if (focus.mode === "takeover" && told) {
            // {m:<epoch s>=<minutes>}: minutes waited, kept current here (callbacks/city_map.py).
            const text = told.replace(/\{m:(\d+)=(\d+)\}/g, (_m, since) =>
              String(Math.max(0, Math.floor((Date.now() / 1000 - Number(since)) / 60))));
            return hold(viewport, words("takeover"), text, null);
          }
          if (focus.mode === "takeover") {
            const more = focus.count > 1 ? words("takeover_more", {n: focus.count - 1}) : "";
            return hold(viewport, words("takeover"), words("takeover_line", focus) + more, null);
          }
          return hold(viewport, words("presenter"), null, words("presenter_line", focus));
        }
        state.takeoverId = null;
        const view = currentView(wall);
        if (!view) { return hold(noUpdate, "", null, null); }
        if (view.key === state.viewKey) { return [noUpdate, noUpdate, true, noUpdate, true, noUpdate]; }
        state.viewKey = view.key;
        if (canvas) { canvas.dataset.view = view.key; }
        document.querySelectorAll(".panel.focus").forEach((el) => el.classList.remove("focus"));
        if (view.panel) { document.getElementById(view.panel)?.classList.add("focus"); }
        return hold({bounds: view.bounds, transition: "flyToBounds"}, view.name, null, null);
      },
      onPulse: function (pulse) {
        if (!pulse) { return true; }
        if (pulse.via !== "push") { window.dash_clientside.sePulse?.answered(); }
        state.lastPulse = Date.now();
        state.pulse = pulse;
        if (state.offlineSince !== null) {
          state.offlineSince = null;
          document.body.classList.remove("offline");
        }
        // A redeployed server has a new build: reload once to pick up new code.
        if (state.build && pulse.build && pulse.build !== state.build) { window.location.reload(); }
        state.build = pulse.build;
        // Polled: the wall state rides on the answer (pushed, it has its own event).
        if (pulse.wall && JSON.stringify(pulse.wall) !== state.wallJson) {
          state.wallJson = JSON.stringify(pulse.wall);
          window.dash_clientside.set_props("wall-state", {data: pulse.wall});
        }
        updateSystems(pulse);
        updateAges(pulse);
        return true;
      },
    },
  });

  window.addEventListener("resize", fit);
  new MutationObserver(fit).observe(document.documentElement, {childList: true, subtree: true});
  setInterval(watchdog, 250);
  document.addEventListener("DOMContentLoaded", fit);
})();
