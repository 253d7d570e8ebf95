/* Alarm actions (callbacks/alarm_actions.py): which alarm's button was tapped, as a store that
   changes only on a tap, never when the lists redraw their buttons (n_clicks back to none). */
(function () {
  "use strict";
  function tapped() {
    const dc = window.dash_clientside;
    const hit = (dc.callback_context.triggered || []).find((t) => t && t.value);
    if (!hit) { return dc.no_update; }
    const key = hit.prop_id.slice(0, hit.prop_id.lastIndexOf("."));
    let id;
    try { id = JSON.parse(key); } catch (e) { return dc.no_update; }
    return {action: id.action, id: id.id, at: Date.now()};
  }
  /* The same for any pattern-matched button: its whole id, e.g. {type, unit} of a roll-call
     room's phone-answer button (callbacks/rollcall.py). */
  function pressed() {
    const dc = window.dash_clientside;
    const hit = (dc.callback_context.triggered || []).find((t) => t && t.value);
    if (!hit) { return dc.no_update; }
    const key = hit.prop_id.slice(0, hit.prop_id.lastIndexOf("."));
    try { return {id: JSON.parse(key), at: Date.now()}; } catch (e) { return dc.no_update; }
  }
  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.seActions = {tapped: tapped, pressed: pressed};
})();
