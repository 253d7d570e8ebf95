/* A gate for a panel's own fast tick (layouts/gate.py: the roll call's countdown, the
   presenter's focus, the landing page's state):
   the tick asks the server only when the panel's last ask was answered. Dash keeps only the
   newest request of a callback, so a tick that came while a slow answer was in flight would
   supersede it, and on a server slower than the tick the panel would never change at all.
   The same gate as the pulse's (assets/push.js sePulse), keyed by the tick's id. */
(function () {
  "use strict";
  const TIMEOUT_MS = 10000; // an unanswered ask is given up after this long
  const asking = {};

  function ask(n) {
    const dc = window.dash_clientside;
    const hit = (dc.callback_context.triggered || [])[0];
    const key = hit ? hit.prop_id.slice(0, hit.prop_id.lastIndexOf(".")) : "";
    const now = Date.now();
    if (asking[key] && now - asking[key] < TIMEOUT_MS) { return dc.no_update; }
    asking[key] = now;
    return n;
  }

  function answered(_stamp, tickId) {
    asking[typeof tickId === "string" ? tickId : JSON.stringify(tickId)] = 0;
    return Date.now();
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.seGate = {ask: ask, answered: answered};
})();
