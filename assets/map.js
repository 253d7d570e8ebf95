/* Functions the maps refer to by name (dash-leaflet "variable" props). */
window.seMap = Object.assign({}, window.seMap, {
  levelColours: {red: "#ff3b30", orange: "#ff9500", yellow: "#ffd60a", blue: "#2f8cff"},

  /* Districts shaded by the most severe open alarm in them (hideout.levels[adcode]). */
  districtStyle: function (feature, context) {
    const levels = (context && context.hideout && context.hideout.levels) || {};
    const level = levels[feature.properties.adcode];
    const fill = level ? window.seMap.levelColours[level] : "#1d3b5c";
    return {
      color: "#6fb7ff", weight: 1.5, opacity: 0.9,
      fillColor: fill, fillOpacity: level ? 0.28 : 0.55,
      className: "district" + (level ? " district-" + level : ""),
    };
  },
});
