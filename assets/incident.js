/* Points of incident command mode (dash-leaflet "variable" props): what lies around an
   incident, by kind (feature.properties.k); those in the downwind sector get a red rim. */
window.seMap = Object.assign({}, window.seMap, {
  nearbyStyles: {
    hazard: {radius: 7, color: "#ffffff", weight: 1.5, fillColor: "#c45cff", fillOpacity: 0.95},
    enterprise: {radius: 5, color: "#d9ccff", weight: 1, fillColor: "#8a63ff", fillOpacity: 0.9},
    firm: {radius: 3, color: "#6d7f99", weight: 1, fillColor: "#6d7f99", fillOpacity: 0.7},
    school: {radius: 5, color: "#ffffff", weight: 1, fillColor: "#3fa9ff", fillOpacity: 0.95},
    hospital: {radius: 6, color: "#ffffff", weight: 1.5, fillColor: "#ff6fa8", fillOpacity: 0.95},
    residential: {radius: 4, color: "#ffe6a8", weight: 1, fillColor: "#e8b04a", fillOpacity: 0.85},
    elderly: {radius: 6, color: "#ffffff", weight: 1.5, fillColor: "#ff8c42", fillOpacity: 0.95},
    team: {radius: 8, color: "#0b3", weight: 2, fillColor: "#30d158", fillOpacity: 0.95},
    depot: {radius: 8, color: "#fff", weight: 2, fillColor: "#b07a3b", fillOpacity: 0.95},
    shelter: {radius: 7, color: "#0aa", weight: 2, fillColor: "#40e0d0", fillOpacity: 0.95},
  },

  /* Text only (names come from upstream systems): never parsed as HTML. */
  tooltip: function (lines) {
    const box = document.createElement("div");
    lines.filter(Boolean).forEach(function (text) {
      const line = document.createElement("div");
      line.textContent = text;
      box.appendChild(line);
    });
    return box;
  },

  nearbyPoint: function (feature, latlng, context) {
    const p = feature.properties;
    const base = window.seMap.nearbyStyles[p.k] || {radius: 4, color: "#fff", weight: 1, fillColor: "#999", fillOpacity: 0.8};
    const style = Object.assign({}, base, {className: "nb-point nb-" + p.k + (p.dw ? " nb-downwind" : "")});
    if (p.k === "team") {
      const status = ((context && context.hideout && context.hideout.teams) || {})[p.id] || "ready";
      if (status !== "ready") { style.fillColor = "#ff9500"; style.color = "#a50"; }
    }
    if (p.dw) { style.color = "#ff3b30"; style.weight = 2.5; }
    const marker = L.circleMarker(latlng, style);
    marker.bindTooltip(window.seMap.tooltip([p.name, p.note]));
    return marker;
  },
});
