"""Throughput of ``quakebench scenes fetch`` on loopback, and how few bytes travel.

Run: ``python benchmarks/fetch.py [--scene-px 8192] [--window 1024] [--windows 2]``

Two cloud-optimised GeoTIFFs the size of a Landsat-8 pan scene's core (uint16, 256 px tiles,
deflate; smoothed noise, so they neither compress away nor lack texture) are served by the
tests' loopback STAC and asset server with range requests. ``fetch`` reads ``--windows``
windows of each date: bytes served against the windows' own bytes and the files' sizes, and
MB/s (the validity check of each window included).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import ndimage as ndi

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rasterio  # noqa: E402
from rasterio.windows import Window  # noqa: E402

from baselines.imagery.fetch import GDAL_OPTIONS, fetch  # noqa: E402
from baselines.imagery.scenes import Scene  # noqa: E402
from baselines.imagery.search import search, write_candidates  # noqa: E402
from baselines.imagery.stac_config import FetchConfig, SearchConfig  # noqa: E402
from tests.local_stac import LocalStac, landsat_item, write_cog  # noqa: E402


def texture(size: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    field = ndi.gaussian_filter(rng.normal(size=(size, size)), 2.0)
    return (8000 + 2000 * field / field.std()).clip(1, 65535).astype(np.uint16)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene-px", type=int, default=8192)
    parser.add_argument("--window", type=int, default=1024)
    parser.add_argument("--windows", type=int, default=2, help="windows per pair")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        image = texture(args.scene_px)
        scene = Scene("bench", image, "EPSG:32611", (15.0, 0.0, 500000.0, 0.0, -15.0, 4000000.0))
        write_cog(scene, tmp / "scene.tif")
        file_bytes = 2 * (tmp / "scene.tif").stat().st_size
        with LocalStac({"scene.tif": tmp / "scene.tif"}) as stac:
            for date in ("2019-06-01", "2019-06-17"):
                item_id = f"LC08_L1TP_040036_{date.replace('-', '')}_20200827_02_T1"
                stac.items.append(landsat_item(item_id, scene, stac.asset_url("scene.tif"), date))
            config = SearchConfig((-180.0, -89.0, 180.0, 89.0), stac_url=stac.endpoint)
            write_candidates(search(config), tmp / "candidates.json")
            fetch_config = FetchConfig(
                tmp / "candidates.json",
                tmp / "out",
                window=str(args.window),
                windows_per_pair=args.windows,
                min_usable_fraction=0.0,
            )
            start = time.perf_counter()
            fetch(fetch_config, progress=False)
            seconds = time.perf_counter() - start
            served = sum(stac.bytes_served.values())
            # The reads alone: the same number of windows straight through rasterio.
            stac.bytes_served.clear()
            start = time.perf_counter()
            with rasterio.Env(**GDAL_OPTIONS), rasterio.open(stac.asset_url("scene.tif")) as src:
                for k in range(2 * args.windows):
                    offset = k * args.window
                    src.read(1, window=Window(offset, offset, args.window, args.window))
            read_seconds = time.perf_counter() - start
            read_bytes = sum(stac.bytes_served.values())
    window_bytes = 2 * args.windows * args.window**2 * 2
    print(
        f"fetched {args.windows} windows of {args.window} px from two {args.scene_px} px COGs "
        f"({file_bytes / 1e6:.0f} MB) in {seconds:.1f} s: {served / 1e6:.1f} MB served "
        f"({served / 1e6 / seconds:.1f} MB/s), {served / window_bytes:.2f} x the windows' "
        f"{window_bytes / 1e6:.1f} MB of pixels, {100 * served / file_bytes:.1f} % of the files"
    )
    print(
        f"reads alone: {read_bytes / 1e6:.1f} MB in {read_seconds:.2f} s "
        f"({read_bytes / 1e6 / read_seconds:.0f} MB/s over loopback); the rest of fetch's time is "
        "the validity and texture check of each window"
    )


if __name__ == "__main__":
    main()
