/* Functions the maps refer to by name (dash-leaflet "variable" props).
   Leaflet reads a string given to bindTooltip, bindPopup or a divIcon's html as HTML, and
   titles and names come from upstream systems: every one of them goes in as a text node. */
window.seMap = Object.assign({}, window.seMap, {
  levelColours: {red: "#ff3b30", orange: "#ff9500", yellow: "#ffd60a", blue: "#2f8cff"},

  /* An element showing `text` as text (a tooltip, popup or icon body). */
  textBox: function (text, tag) {
    const box = document.createElement(tag || "div");
    box.textContent = text === undefined || text === null ? "" : String(text);
    return box;
  },

  /* Districts shaded by the most severe open alarm in them (hideout.levels[adcode]). */
  districtStyle: function (feature, context) {
    const levels = (context && context.hideout && context.hideout.levels) || {};
    const level = levels[feature.properties.adcode];
    const fill = level ? window.seMap.levelColours[level] : "#1d3b5c";
    return {
      color: "#6fb7ff", weight: 1.5, opacity: 0.9,
      fillColor: fill, fillOpacity: level ? 0.22 : 0.55,
      className: "district" + (level ? " district-" + level : ""),
    };
  },
});

window.seMap = Object.assign({}, window.seMap, {
  /* Registry points: colour and size by layer key (feature.properties.k). */
  pointStyles: {
    hazard: {radius: 6, color: "#ffffff", weight: 1.5, fillColor: "#c45cff", fillOpacity: 0.95},
    enterprise: {radius: 4, color: "#7a4dff", weight: 1, fillColor: "#a98bff", fillOpacity: 0.85},
    team: {radius: 6, color: "#0b3", weight: 2, fillColor: "#30d158", fillOpacity: 0.95},
    depot: {radius: 6, color: "#fff", weight: 1.5, fillColor: "#b07a3b", fillOpacity: 0.95},
    shelter: {radius: 5, color: "#0aa", weight: 1, fillColor: "#40e0d0", fillOpacity: 0.9},
    school: {radius: 3, color: "#7cc4ff", weight: 1, fillColor: "#7cc4ff", fillOpacity: 0.7},
    hospital: {radius: 4, color: "#fff", weight: 1, fillColor: "#ff6fa8", fillOpacity: 0.95},
  },

  /* Live alarms: SVG circles (so CSS can make the newest pulse) coloured by level. */
  alarmPoint: function (feature, latlng) {
    const p = feature.properties;
    const big = p.level === "red" || p.level === "orange";
    const marker = L.circleMarker(latlng, {
      radius: big ? 10 : 8, color: "#fff", weight: 1.5,
      fillColor: window.seMap.levelColours[p.level], fillOpacity: 0.95,
      className: "alarm-marker level-" + p.level + (p.pulse ? " pulse" : ""),
    });
    marker.bindTooltip(window.seMap.textBox(p.tip));
    return marker;
  },

  registryPoint: function (feature, latlng, context) {
    const p = feature.properties;
    const style = Object.assign({}, window.seMap.pointStyles[p.k] || {radius: 4});
    if (p.k === "team") {
      const status = ((context && context.hideout && context.hideout.teams) || {})[p.id] || "ready";
      if (status !== "ready") { style.fillColor = "#ff9500"; style.color = "#a50"; }
    }
    const marker = L.circleMarker(latlng, style);
    if (p.name) { marker.bindTooltip(window.seMap.textBox(p.name)); }
    return marker;
  },

  /* Clusters of enterprises: a purple disc with the count. */
  cluster: function (feature, latlng, index, context) {
    const n = feature.properties.point_count;
    const size = 26 + Math.min(30, Math.round(Math.sqrt(n) * 3));
    const icon = L.divIcon({
      html: window.seMap.textBox(n, "span"), className: "se-cluster",
      iconSize: L.point(size, size),
    });
    return L.marker(latlng, {icon: icon});
  },
});
