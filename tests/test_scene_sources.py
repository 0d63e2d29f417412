"""Searching and fetching real scene pairs from a STAC API, over loopback HTTP.

``tests/local_stac.py`` stands in for the network boundary: a STAC API and an asset server on
127.0.0.1 holding cloud-optimised copies of the bundled scenes. The real ``pystac-client``
searches it, and the real rasterio/GDAL reads the windows with range requests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio
from pystac_client import Client
from rasterio.warp import transform_bounds

from baselines.generator.samples.source import build_with_generator
from baselines.imagery.fetch import CATALOG, fetch
from baselines.imagery.scenes import bundled_catalog, read_catalog
from baselines.imagery.search import search, write_candidates
from baselines.imagery.stac_config import FetchConfig, SearchConfig
from quakebench.cli import main
from quakebench.config import BuildConfig
from quakebench.data.manifest import verify
from quakebench.errors import QuakebenchError
from tests.local_stac import LocalStac, landsat_item, write_cog

YAHTSE = ("LC08_063018_20160718_B8_yahtse", "LC08_063018_20160803_B8_yahtse")
CORUMBA = ("LC08_227074_20190809_B4_corumba", "LC08_227074_20190825_B4_corumba")
WORLD = (-180.0, -89.0, 180.0, 89.0)


@pytest.fixture(scope="module")
def cogs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cogs")
    scenes, _ = bundled_catalog()
    paths = {}
    for name in (*YAHTSE, *CORUMBA):
        paths[name] = folder / f"{name}.tif"
        write_cog(scenes[name], paths[name])
    return paths


@pytest.fixture
def stac(cogs):
    """The loopback catalogue: two good pairs among scenes each filter must refuse."""
    scenes, _ = bundled_catalog()
    with LocalStac({f"{name}.tif": path for name, path in cogs.items()}) as server:

        def item(item_id, name, date, **properties):
            url = server.asset_url(f"{name}.tif")
            server.items.append(landsat_item(item_id, scenes[name], url, date, **properties))

        item("LC08_L1TP_063018_20160718_20200906_02_T1", YAHTSE[0], "2016-07-18")
        item("LC08_L1TP_063018_20160803_20200906_02_T1", YAHTSE[1], "2016-08-03")
        item("LC08_L1TP_063018_20161021_20200906_02_T1", YAHTSE[1], "2016-10-21")  # too late
        item("LC08_L1GT_063018_20160726_20200906_02_T1", YAHTSE[0], "2016-07-26")
        item("LC08_L1TP_063018_20160625_20200906_02_T2", YAHTSE[0], "2016-06-25")
        item(
            "LC08_L1TP_063018_20160609_20200906_02_T1",
            YAHTSE[0],
            "2016-06-09",
            **{"eo:cloud_cover": 60.0},
        )
        item("LC08_L1TP_063018_20160102_20200906_02_T1", YAHTSE[0], "2016-01-02")  # winter
        item("LC08_L1TP_227074_20190809_20200827_02_T1", CORUMBA[0], "2019-08-09")
        item("LC08_L1TP_227074_20190825_20200827_02_T1", CORUMBA[1], "2019-08-25")
        item(
            "LC08_L1TP_227074_20190910_20200827_02_T1",
            CORUMBA[1],
            "2019-09-10",
            **{"view:sun_elevation": 60.0},
        )
        yield server


def search_config(stac: LocalStac) -> SearchConfig:
    return SearchConfig(WORLD, start="2016-01-01", end="2019-12-31", stac_url=stac.endpoint)


@pytest.fixture
def regions(tmp_path) -> Path:
    """Yahtse's ground trains, Corumba's is held out (by footprint)."""
    scenes, _ = bundled_catalog()
    entries = []
    for place, name, role in (("alaska", YAHTSE[0], "train"), ("pantanal", CORUMBA[0], "test")):
        scene = scenes[name]
        h, w = scene.image.shape
        a, _, c, _, e, f = scene.transform
        bbox = transform_bounds(scene.crs, "EPSG:4326", c, f + e * h, c + a * w, f)
        entries.append({"name": place, "bbox": list(bbox), "role": role, "reason": "test"})
    path = tmp_path / "regions.json"
    path.write_text(json.dumps({"regions": entries}))
    return path


def candidates_file(stac: LocalStac, tmp_path: Path) -> Path:
    path = tmp_path / "candidates.json"
    write_candidates(search(search_config(stac)), path)
    return path


def fetch_config(candidates: Path, output: Path, regions: Path) -> FetchConfig:
    return FetchConfig(
        candidates,
        output,
        window="256",
        windows_per_pair=2,
        min_usable_fraction=0.3,
        regions=regions,
    )


def test_search_filters_and_pairs_across_pages(stac):
    found = search(search_config(stac))
    assert found["items"] == 10 and stac.searches == ["POST"] * 4  # 3 items a page
    assert found["refused"] == {"cloudy": 1, "not L1TP": 1, "not Tier 1": 1, "snow season": 1}
    assert [p["id"] for p in found["pairs"]] == [
        "063018_2016-07-18_2016-08-03",
        "227074_2019-08-09_2019-08-25",
    ]
    pair = found["pairs"][0]
    assert pair["days"] == 16 and pair["sun_elevation_difference_deg"] == 0.0
    assert pair["scenes"][0]["href"] == stac.asset_url(f"{YAHTSE[0]}.tif")
    assert pair["scenes"][0]["geometry"]["type"] == "Polygon"
    # The API's GET search pages the same items.
    items = Client.open(stac.endpoint).search(method="GET", bbox=list(WORLD), max_items=None)
    assert len(list(items.items_as_dicts())) == 10 and "GET" in stac.searches


def test_search_command_writes_candidates(stac, tmp_path, capsys):
    output = tmp_path / "found.json"
    args = ["scenes", "search", "--bbox", *map(str, WORLD), "--stac-url", stac.endpoint]
    args += ["--start", "2016-01-01", "--end", "2019-12-31", "--days", "10", "40"]
    assert main([*args, "--output", str(output)]) == 0
    assert len(json.loads(output.read_text())["pairs"]) == 2
    assert "10 scenes" in capsys.readouterr().out
    assert main(["scenes", "search", "--output", str(output)]) == 2  # neither bbox nor region


def test_fetch_reads_only_windows_that_match_the_source(stac, cogs, regions, tmp_path):
    output = tmp_path / "scenes"
    catalog = fetch(fetch_config(candidates_file(stac, tmp_path), output, regions), False)
    assert catalog["pairs"], "no window passed the floor"
    sources, _ = bundled_catalog()
    by_href = {stac.asset_url(f"{n}.tif"): n for n in (*YAHTSE, *CORUMBA)}
    for entry in catalog["scenes"]:
        with rasterio.open(output / entry["file"]) as dataset:
            fetched = dataset.read(1)
            row, col, size = entry["source"]["window_px"]
            source = sources[by_href[entry["source"]["href"]]]
            assert np.array_equal(fetched, source.image[row : row + size, col : col + size])
            assert dataset.crs.to_string() == source.crs
            assert dataset.transform.c == source.transform[2] + col * source.transform[0]
            assert dataset.profile["compress"] == "deflate"
    roles = {e["role"] for e in catalog["scenes"] if "227074" in e["path_row"].replace("/", "")}
    assert roles == {"test"}
    assert {e["role"] for e in catalog["scenes"] if e["path_row"] == "063/018"} == {"train"}
    # Only the windows' tiles travelled.
    assert sum(stac.bytes_served.values()) < 0.5 * sum(p.stat().st_size for p in cogs.values())
    assert all(
        p["usable_fraction"] >= 0.3 and len(p["coregistration_px"]) == 2 for p in catalog["pairs"]
    )
    scenes, pairs = read_catalog(output / CATALOG)  # checksums verified
    assert len(pairs) == len(catalog["pairs"]) and len(scenes) == 2 * len(pairs)


def test_generate_builds_from_the_fetched_catalogue(stac, regions, tmp_path):
    output = tmp_path / "scenes"
    fetch(fetch_config(candidates_file(stac, tmp_path), output, regions), False)
    config = BuildConfig(
        "postwarped",
        4,
        output=tmp_path / "build",
        num_test_samples=2,
        size=64,
        seed=1,
        catalog=output / CATALOG,
        samples_per_shard=4,
        workers=1,
    )
    build_with_generator(config, progress=False)
    assert verify(tmp_path / "build") == []


def test_interrupted_fetch_resumes_without_rereading(stac, regions, tmp_path):
    candidates, output = candidates_file(stac, tmp_path), tmp_path / "scenes"
    stac.faults[f"{CORUMBA[0]}.tif"] = "500"
    with pytest.raises(QuakebenchError, match=f"{CORUMBA[0][:4]}.*cannot read http"):
        fetch(fetch_config(candidates, output, regions), False)
    partial = json.loads((output / CATALOG).read_text())
    assert partial["fetch"]["pairs_done"] == ["063018_2016-07-18_2016-08-03"]
    kept = len(partial["pairs"])
    stac.faults.clear()
    before = {name: stac.bytes_served[name] for name in (f"{n}.tif" for n in YAHTSE)}
    # Run again as a new process, as a user would (GDAL remembers a URL's failure in-process).
    args = ["scenes", "fetch", str(candidates), "--output", str(output), "--window", "256"]
    args += ["--windows-per-pair", "2", "--min-usable-fraction", "0.3", "--regions", str(regions)]
    rerun = subprocess.run(
        [sys.executable, "-m", "quakebench.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    catalog = json.loads((output / CATALOG).read_text())
    assert {name: stac.bytes_served[name] for name in before} == before  # not read again
    assert len(catalog["pairs"]) > kept
    assert catalog["pairs"][:kept] == partial["pairs"]


@pytest.mark.parametrize("fault", ["404", "500", "truncate"])
def test_server_faults_give_one_line_and_no_partial_file(stac, regions, tmp_path, fault, capsys):
    candidates, output = candidates_file(stac, tmp_path), tmp_path / "scenes"
    stac.faults[f"{YAHTSE[1]}.tif"] = fault
    args = ["scenes", "fetch", str(candidates), "--output", str(output), "--window", "256"]
    assert main([*args, "--regions", str(regions)]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith("quakebench: error: LC08_L1TP_063018_20160803")
    assert stac.asset_url(f"{YAHTSE[1]}.tif") in error
    assert not list(output.glob(".*")) and not list(output.glob("*.tif"))
