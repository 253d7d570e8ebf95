/* Click-to-call (layouts/call.py, callbacks/call.py). Every phone number is a tel: link, which
   a tablet or phone dials itself. On a desk screen whose call bar is armed (the gateway is
   configured and this person may call) a click places the call through the server instead:
   the bar says 呼叫中… (Calling…) at once, and the server's answer (已接通 / 呼叫失败 and why,
   in the page's language) replaces it.
   A touch-first device (coarse pointer) keeps the tel: link: it has a dialler of its own. */
(function () {
  "use strict";
  const BAR = "call-bar", STATUS = "call-status", REQUEST = "call-request";

  function armed() {
    const bar = document.getElementById(BAR);
    if (!bar || bar.getAttribute("data-gateway") !== "1") { return false; }
    return !(window.matchMedia && window.matchMedia("(pointer: coarse)").matches);
  }

  function nameOf(link) {
    const named = link.closest("[data-call-name]");
    return named ? named.getAttribute("data-call-name") : "";
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest && event.target.closest('a[href^="tel:"]');
    const dc = window.dash_clientside;
    if (!link || !armed() || !dc || !dc.set_props) { return; }
    event.preventDefault();
    const number = link.getAttribute("data-call") || link.getAttribute("href").slice(4);
    const calling = document.getElementById(BAR).getAttribute("data-calling") || "呼叫中…";
    dc.set_props(STATUS, {children: calling + " " + number, "data-state": "calling"});
    dc.set_props(REQUEST, {
      data: {number: number, name: nameOf(link), page: location.pathname, at: Date.now()},
    });
  }, true);
})();
