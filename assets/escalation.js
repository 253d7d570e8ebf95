/* Keep the minutes an escalated alarm has waited current between server updates
   (layouts/escalation.py renders them as .waiting-min[data-since] in epoch seconds). */
(function () {
  function update() {
    // A replayed page counts to its replayed moment (assets/replay.js).
    const replayed = window.seReplay && window.seReplay.now ? window.seReplay.now() : null;
    const now = (replayed ? replayed.getTime() : Date.now()) / 1000;
    document.querySelectorAll(".waiting-min[data-since]").forEach((el) => {
      const since = Number(el.dataset.since);
      if (!Number.isFinite(since)) { return; }
      const text = String(Math.max(0, Math.floor((now - since) / 60)));
      if (el.textContent !== text) { el.textContent = text; }
    });
  }
  window.setInterval(update, 5000);
})();
