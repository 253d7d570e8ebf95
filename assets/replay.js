/* The replay clock of `/wall?at=` (layouts/replay.py): the replayed time runs at ×1, ×10 or
   ×60 from where it was when a speed was chosen, or stands still (paused). The banner shows it;
   the panels re-read it on each step (callbacks/replay.py); wall.js and escalation.js read
   `window.seReplay.now()` instead of the browser's clock while a replayed page is shown. It
   never runs past the present: there it pauses. */
(function () {
  "use strict";
  const R = window.seReplay = {base: null, anchor: 0, speed: 0, page: null};
  const fmt = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
  });

  function banner() { return document.getElementById("replay-banner"); }

  /* A replayed page came (or went) under Dash's router: start from its banner. */
  function follow() {
    const b = banner();
    if (!b) { R.base = null; R.page = null; return; }
    if (R.page === b) { return; }
    R.page = b;
    R.base = Date.parse(b.dataset.at);
    R.anchor = Date.now();
    R.speed = Number(b.dataset.speed || 0);
  }

  /* The replayed moment now (a Date), or null on a live page. */
  R.now = function () {
    follow();
    if (R.base === null || Number.isNaN(R.base)) { return null; }
    const t = R.base + R.speed * (Date.now() - R.anchor);
    if (t >= Date.now()) { setSpeed(0, Date.now()); return new Date(R.base); }
    return new Date(t);
  };

  function setSpeed(speed, at) {
    R.base = at;
    R.anchor = Date.now();
    R.speed = speed;
    const b = banner();
    if (!b) { return; }
    b.dataset.speed = String(speed);
    b.querySelectorAll(".replay-controls .replay-btn").forEach(function (el) {
      el.classList.toggle("on", Number(el.dataset.speed || 0) === speed);
    });
  }

  function show() {
    const now = R.now();
    const el = document.getElementById("replay-time");
    if (now && el) {
      const text = fmt.format(now).replace(/\//g, "-");
      if (el.textContent !== text) { el.textContent = text; }
    }
  }
  setInterval(show, 250);

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.seReplay = {
    /* A control was pressed, or a step came while playing: the moment the panels show. */
    control: function () {
      const dc = window.dash_clientside;
      const trigger = (dc.callback_context.triggered_id || "");
      const now = R.now();
      if (!now) { return [dc.no_update, dc.no_update]; }
      if (trigger === "replay-pause") { setSpeed(0, now.getTime()); }
      const chosen = /^replay-speed-(\d+)$/.exec(trigger);
      if (chosen) { setSpeed(Number(chosen[1]), now.getTime()); }
      const iso = now.toISOString();
      if (trigger !== "replay-step") {
        // A reload (or a copied address) comes back to the moment shown.
        const url = new URL(window.location.href);
        url.searchParams.set("at", iso);
        if (R.speed) { url.searchParams.set("speed", String(R.speed)); } else { url.searchParams.delete("speed"); }
        window.history.replaceState(window.history.state, "", url);
      }
      return [iso, R.speed === 0];
    },
  };
})();
