"""Geodesy leaf: the coordinate systems every stage shares."""

from __future__ import annotations

#: Lambert azimuthal equal-area centred on Syria: areas in m2, never in degrees.
EQUAL_AREA = "+proj=laea +lat_0=35 +lon_0=38.5 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
