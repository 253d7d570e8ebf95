"""One map for every screen (`#main-map`, ../shared/CONTRACT.md), in two halves:

- the data side knows nothing of Dash: `maps.datum` (the datum decision: over GCJ-02 tiles
  every WGS-84 position and outline is shifted to line up), `maps.points` (GeoJSON points
  from any frame with lon/lat), `maps.shapes` (district outlines as drawn), `maps.features`
  (the shared point layers, alarms and registry, and the districts' shading);
- the layout side imports no data source: `maps.layout` (the id scheme, the `dl.Map` with its
  base layers, the common layers, the panel around it, legends) and `maps.markers` (incident
  markers and other components drawn from plain rows).

Callbacks read their data, pass it through the data side and hand the result to the layout
side; a page's own map layers (the incident rings, the chemical parks) stay with the page.
"""
