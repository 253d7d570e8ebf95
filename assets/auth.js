/* Sessions in the browser (auth/, docs/access.md): when the server says this browser's
   session is over (401 from a Dash request: logged out, idle, revoked display), go to the
   sign-in page instead of showing a dead screen; and tell the server, at most once a minute,
   that a person is using this browser (keyboard, pointer, touch), which is what keeps a
   person's session from idling out. Automatic refreshes do not count as a person. */
(function () {
  "use strict";
  const PING_MS = 60 * 1000;
  let lastPing = 0, touched = false, leaving = false;

  function toLogin() {
    if (leaving) { return; }
    leaving = true;
    const here = window.location.pathname + window.location.search;
    window.location.assign("/login?next=" + encodeURIComponent(here));
  }

  window.seAuth = {toLogin: toLogin};  // the push stream's `bye` (assets/push.js)

  const original = window.fetch.bind(window);
  window.fetch = function (input, init) {
    return original(input, init).then(function (response) {
      const url = typeof input === "string" ? input : (input && input.url) || "";
      if (response.status === 401 && /\/_dash-|\/_reload-hash|\/auth\/ping/.test(url)) { toLogin(); }
      return response;
    });
  };

  function ping() {
    if (!touched || Date.now() - lastPing < PING_MS) { return; }
    touched = false;
    lastPing = Date.now();
    original("/auth/ping", {method: "POST", credentials: "same-origin"}).then(function (r) {
      if (r.status === 401) { toLogin(); }
    }).catch(function () { /* offline: the wall's own banner says so */ });
  }

  ["keydown", "pointerdown", "touchstart", "wheel"].forEach(function (type) {
    window.addEventListener(type, function () { touched = true; ping(); }, {passive: true, capture: true});
  });
  window.setInterval(ping, 15 * 1000);
})();
