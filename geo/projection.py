"""Coordinate reference systems used by the project.

Geometries are stored and served in WGS-84 (lon/lat). Distances, areas and buffers are
computed in METRIC_CRS: CGCS2000 / 3-degree Gauss-Kruger zone with central meridian 120E
(EPSG:4549, transverse Mercator, false easting 500 000 m, no zone prefix). Its area of use
(118.5E-121.5E) covers all of Suzhou (about 119.9E-121.4E); the scale error there is at
most ~2.1e-4 (21 cm per km, at Taicang's eastern edge). CGCS2000 and WGS-84 agree to a
few centimetres, so no datum shift is needed.
"""

from __future__ import annotations

import geopandas as gpd

METRIC_CRS = "EPSG:4549"
WGS84 = "EPSG:4326"


def to_metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of gdf projected to METRIC_CRS (x = easting, y = northing, metres)."""
    # geopandas always uses (x=east, y=north) order, even though EPSG:4549's
    # official axis order is northing first.
    return gdf.to_crs(METRIC_CRS)
