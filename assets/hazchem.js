/* Hazard sources on the hazardous-chemicals map (dash-leaflet "variable" props), coloured by
   their risk (hideout.risk[id]); the selected one is drawn larger with a white rim. */
window.seMap = Object.assign({}, window.seMap, {
  riskColours: {red: "#ff3b30", orange: "#ff9500", yellow: "#ffd60a", blue: "#2f8cff"},

  riskPoint: function (feature, latlng, context) {
    const p = feature.properties;
    const hideout = (context && context.hideout) || {};
    const risk = (hideout.risk || {})[p.id] || "blue";
    const selected = hideout.selected === p.id;
    const marker = L.circleMarker(latlng, {
      radius: selected ? 12 : 4 + (5 - (p.grade || 4)) * 1.5,
      color: selected ? "#ffffff" : "#06111f",
      weight: selected ? 3 : 1,
      fillColor: window.seMap.riskColours[risk],
      fillOpacity: 0.95,
      className: "risk-point risk-" + risk + (selected ? " selected" : ""),
    });
    const tip = document.createElement("div");
    tip.textContent = p.name;  // text only: names come from upstream systems
    marker.bindTooltip(tip);
    return marker;
  },
});

