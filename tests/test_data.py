"""Data stage: pulling the boundary layers from a mirror, verifying them, and clear failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from syriamap import data
from syriamap._io import read_table
from syriamap.errors import BoundaryError, DataError

from .conftest import MIRROR

MANIFEST = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "boundaries" / "manifest.json").read_text()
)


def test_pull_from_mirror_verifies_and_caches(data_dir: Path) -> None:
    folder = data.pull(source=MIRROR, progress=False)
    assert folder == data_dir.parent / "cache" / "boundaries" / "ocha-cod-ab-syr-v02"
    assert (folder / "syr_admin3.shp").is_file()
    before = (folder / "syr_admin3.shp").stat().st_mtime_ns
    assert data.ensure_layers() == folder  # already there: nothing copied again
    assert (folder / "syr_admin3.shp").stat().st_mtime_ns == before


@pytest.mark.parametrize("layer", sorted(MANIFEST["layers"]))
def test_each_layer_matches_its_manifest(layer: str) -> None:
    spec = MANIFEST["layers"][layer]
    gdf = getattr(data.read_boundaries(), layer)
    assert len(gdf) == spec["features"]
    assert gdf["pcode"].str.fullmatch(spec["pattern"]).all()
    assert gdf["pcode"].is_unique
    assert MANIFEST["datasets"][spec["dataset"]]["licence"] == "CC BY-IGO 3.0"


def test_missing_layer_names_both_ways_to_get_it(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYRIAMAP_DATA_MIRROR", raising=False)
    monkeypatch.setenv("SYRIAMAP_OFFLINE", "1")
    with pytest.raises(BoundaryError, match=r"syriamap data pull.*SYRIAMAP_DATA_MIRROR=DIR.*--from DIR"):
        data.read_boundaries()


def test_truncated_layer_is_detected(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "mirror" / "ocha-cod-ab-syr-v02"
    shutil.copytree(MIRROR / "ocha-cod-ab-syr-v02", bad)
    shp = bad / "syr_admin2.shp"
    shp.chmod(0o644)
    shp.write_bytes(shp.read_bytes()[:1000])
    with pytest.raises(BoundaryError, match=r"layer 'admin2'.*syriamap data clean"):
        data.pull(source=tmp_path / "mirror", progress=False)
    assert not (data_dir.parent / "cache" / "boundaries" / "ocha-cod-ab-syr-v02").exists()  # nothing half-written


def test_wrong_layer_is_detected(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "mirror"
    shutil.copytree(MIRROR / "ocha-cod-ab-syr-v02", bad)
    for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):  # districts where sub-districts belong
        target = bad / f"syr_admin3{ext}"
        target.chmod(0o644)
        shutil.copy(bad / f"syr_admin2{ext}", target)
    with pytest.raises(BoundaryError, match=r"layer 'admin3': 62 features, expected 272"):
        data.pull(source=bad, progress=False)


def test_not_a_mirror(data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(BoundaryError, match="not a boundary mirror"):
        data.pull(source=tmp_path, progress=False)


def test_clean_removes_pulled_layers(data_dir: Path) -> None:
    data.pull(source=MIRROR, progress=False)
    removed = data.clean()
    assert [p.name for p in removed] == ["ocha-cod-ab-syr-v02"]
    assert (data_dir / "boundaries" / "manifest.json").is_file()


def test_read_table_reports_non_utf8(tmp_path: Path) -> None:
    f = tmp_path / "events.csv"
    f.write_bytes("event_id\n\xe9".encode("latin-1"))
    with pytest.raises(DataError, match=r"events.csv:2: file: not UTF-8 text"):
        read_table(f)


def test_neighbours_ship_with_the_package() -> None:
    n = data.read_neighbours()
    assert {"Turkey", "Iraq", "Jordan", "Lebanon", "Israel"} <= set(n["name_en"])
    assert n["golan"].sum() == 1


def test_prepared_layers_are_cached_and_a_broken_cache_is_rebuilt(data_dir: Path) -> None:
    data.pull(source=MIRROR, progress=False)
    first = data.read_boundaries()
    cache = data_dir.parent / "cache" / "derived" / f"boundaries-{first.key}.npz"
    assert cache.is_file()
    data.read_boundaries.cache_clear()
    assert data.read_boundaries().admin3.equals(first.admin3)  # from the cache
    cache.write_bytes(b"not an archive")
    data.read_boundaries.cache_clear()
    assert data.read_boundaries().admin3["pcode"].tolist() == first.admin3["pcode"].tolist()


def publisher_url(data_dir: Path, url: str) -> None:
    """Point the test data folder's manifest at another 'publisher' URL."""
    path = data_dir / "boundaries" / "manifest.json"
    fake = json.loads(path.read_text())
    fake["datasets"]["ocha-cod-ab-syr-v02"]["url"] = url
    path.write_text(json.dumps(fake))
    data.manifest.cache_clear()


def test_publisher_download_is_unpacked_and_verified(data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    """The publisher's zip (names like syr_admbnda_adm1_uncs_unocha.shp) is fetched, renamed to the
    manifest's layer names and verified; here the 'publisher' is a local file:// URL."""
    import zipfile

    archive = tmp_path / "syr_admin_boundaries.shp.zip"
    names = {
        "syr_admin0": "syr_admbnda_adm0_uncs_unocha_20201217",
        "syr_admin1": "syr_admbnda_adm1_uncs_unocha_20201217",
        "syr_admin2": "syr_admbnda_adm2_uncs_unocha_20201217",
        "syr_admin3": "syr_admbnda_adm3_uncs_unocha_20201217",
        "syr_neighborhoods": "syr_admbnda_neighborhoods_uncs_unocha_20201217",
        "syr_adminpoints": "syr_admbndp_admall_uncs_unocha_20201217",
    }
    with zipfile.ZipFile(archive, "w") as z:
        for ours, theirs in names.items():
            for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                z.write(
                    MIRROR / "ocha-cod-ab-syr-v02" / f"{ours}{ext}", f"syr_admin_boundaries/{theirs}{ext}"
                )
    publisher_url(data_dir, archive.as_uri())
    monkeypatch.delenv("SYRIAMAP_DATA_MIRROR", raising=False)
    folder = data.pull(progress=False)
    assert sorted(p.name for p in folder.glob("*.shp")) == [
        "syr_admin0.shp",
        "syr_admin1.shp",
        "syr_admin2.shp",
        "syr_admin3.shp",
        "syr_neighborhoods.shp",
    ]


def test_download_failure_says_how_to_get_the_layers(data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    publisher_url(data_dir, (tmp_path / "missing.zip").as_uri())
    monkeypatch.delenv("SYRIAMAP_DATA_MIRROR", raising=False)
    with pytest.raises(BoundaryError, match=r"could not download .*SYRIAMAP_DATA_MIRROR=DIR"):
        data.pull(progress=False)
