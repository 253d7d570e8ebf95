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
  /* Marker sizes are for a 1080-high screen; the wall's canvas scales them by its --u
     (2 on a 3840x2160 canvas), so that they read across the hall. 1 on other screens. */
  unit: function () {
    const canvas = document.getElementById("wall-canvas");
    const u = canvas ? parseFloat(canvas.style.getPropertyValue("--u")) : NaN;
    return Number.isFinite(u) && u > 0 ? u : 1;
  },

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

  /* Is the page English? Its root's lang (the router swaps pages without a reload). */
  english: function () {
    const root = document.querySelector("#_pages_content [lang]");
    return ((root && root.lang) || document.documentElement.lang || "").startsWith("en");
  },

  /* Live alarms: SVG circles (so CSS can make the newest pulse) coloured by level. */
  alarmPoint: function (feature, latlng) {
    const p = feature.properties;
    const big = p.level === "red" || p.level === "orange";
    const u = window.seMap.unit();
    const marker = L.circleMarker(latlng, {
      radius: (big ? 10 : 8) * u, color: "#fff", weight: 1.5 * u,
      fillColor: window.seMap.levelColours[p.level], fillOpacity: 0.95,
      className: "alarm-marker level-" + p.level + (p.pulse ? " pulse" : ""),
    });
    const english = window.seMap.english() && p.tip_en;
    marker.bindTooltip(window.seMap.textBox(english ? p.tip_en : p.tip));
    return marker;
  },

  registryPoint: function (feature, latlng, context) {
    const p = feature.properties;
    const style = Object.assign({}, window.seMap.pointStyles[p.k] || {radius: 4});
    style.className = "registry-point k-" + p.k;
    const u = window.seMap.unit();
    style.radius *= u;
    style.weight = (style.weight || 1) * u;
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
    const size = (26 + Math.min(30, Math.round(Math.sqrt(n) * 3))) * window.seMap.unit();
    const icon = L.divIcon({
      html: window.seMap.textBox(n, "span"), className: "se-cluster",
      iconSize: L.point(size, size),
    });
    return L.marker(latlng, {icon: icon});
  },
});

/* The offline base map (maps/shapes.py basemap): water, rivers, canals, and place names
   that hide where they would overlap a more important one. */
window.seMap = Object.assign({}, window.seMap, {
  basemapStyle: function (feature) {
    const p = feature.properties;
    const u = window.seMap.unit();
    if (p.kind === "water") {
      return {
        stroke: false, fillColor: "#2a7fc0", fillOpacity: 1, interactive: false,
        className: "basemap-water" + (p.ref ? " water-" + p.ref : ""),
      };
    }
    return {
      color: "#2a7fc0", weight: (p.kind === "canal" ? 1.5 : 2) * u, opacity: 0.9,
      interactive: false, className: "basemap-" + p.kind,
    };
  },

  /* A name as a text marker; hidden by `declutter` where it would overlap. */
  placeLabel: function (feature, latlng) {
    const p = feature.properties;
    const en = window.seMap.english();
    const box = window.seMap.textBox(en && p.name_en ? p.name_en : p.name, "span");
    box.style.fontSize = ({water: 15, city: 15, town: 12}[p.kind] || 12) * window.seMap.unit() + "px";
    const icon = L.divIcon({html: box, className: "place-label place-" + p.kind, iconSize: null});
    const marker = L.marker(latlng, {icon: icon, interactive: false, keyboard: false,
      zIndexOffset: -1000});
    marker.seRank = p.rank;
    marker.on("add", function () {
      marker._seMap = marker._map;  // Leaflet forgets the map before "remove"
      window.seMap.watchLabels(marker._map, marker, true);
    });
    marker.on("remove", function () { window.seMap.watchLabels(marker._seMap, marker, false); });
    return marker;
  },

  watchLabels: function (map, marker, added) {
    if (!map) { return; }
    if (!map._seLabels) {
      map._seLabels = new Set();
      map.on("zoomend moveend resize", function () { window.seMap.declutterSoon(map); });
    }
    if (added) { map._seLabels.add(marker); } else { map._seLabels.delete(marker); }
    window.seMap.declutterSoon(map);
  },

  declutterSoon: function (map) {
    if (map._seDeclutter) { return; }
    map._seDeclutter = window.requestAnimationFrame(function () {
      map._seDeclutter = null;
      window.seMap.declutter(map);
    });
  },

  /* Show the names in rank order, each only where it overlaps none already shown. All are
     measured first, then all are set: one layout of the page, not one per name. (A hidden
     name keeps its box: `visibility` does not move anything.) */
  declutter: function (map) {
    const markers = Array.from(map._seLabels || []).filter(function (m) { return m._icon; });
    markers.sort(function (a, b) { return a.seRank - b.seRank; });
    const boxes = markers.map(function (m) {
      return (m._icon.firstChild || m._icon).getBoundingClientRect();
    });
    const pad = 4 * window.seMap.unit();
    const shown = [];
    const hide = boxes.map(function (r) {
      const clash = r.width === 0 || shown.some(function (s) {
        return r.left < s.right + pad && r.right + pad > s.left &&
          r.top < s.bottom + pad && r.bottom + pad > s.top;
      });
      if (!clash) { shown.push(r); }
      return clash;
    });
    markers.forEach(function (m, i) { m._icon.classList.toggle("label-hidden", hide[i]); });
  },
});
