"""Searching a STAC API for Landsat-8 two-date pairs fit for the benchmark, with pystac-client.

A pair is two scenes of the same WRS-2 path/row whose dates are ``min_days`` to ``max_days``
apart. Each scene must pass the filters a geodesist applies before correlating: Level-1
precision terrain correction (L1TP) and Tier 1; little cloud over the scene and over land; a
model geometric RMSE within bounds where the item states it; no snow season; and the pair's sun
elevations close, since shadows move with the sun. The candidates file lists the pairs with
their dates, cloud cover, asset URLs and footprints, and counts what each filter refused.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from baselines.imagery.stac_config import SearchConfig
from quakebench.atomic import atomic_path
from quakebench.errors import QuakebenchError

GEOMETRIC_RMSE_KEYS = ("landsat:geometric_rmse_model", "accuracy:geometric_rmse")


def _date(item: dict) -> datetime.date:
    return datetime.date.fromisoformat(item["properties"]["datetime"][:10])


def _centre_latitude(item: dict) -> float:
    if item.get("bbox"):
        return (item["bbox"][1] + item["bbox"][3]) / 2
    ring = item["geometry"]["coordinates"][0]
    return sum(point[1] for point in ring) / len(ring)


def in_snow_season(date: datetime.date, latitude: float) -> bool:
    """Winter months away from the tropics: Nov-Apr above 30 N, May-Oct below 30 S."""
    if latitude > 30:
        return date.month in (11, 12, 1, 2, 3, 4)
    if latitude < -30:
        return date.month in (5, 6, 7, 8, 9, 10)
    return False


def rejection(item: dict, config: SearchConfig) -> str | None:
    """Why a scene is refused (the filter's name), or None if it passes."""
    p = item.get("properties", {})
    if str(p.get("platform", "")).lower().replace("_", "-") != "landsat-8":
        return "not Landsat-8"
    if p.get("landsat:correction") != "L1TP":
        return "not L1TP"
    if p.get("landsat:collection_category") != "T1":
        return "not Tier 1"
    for key in ("eo:cloud_cover", "landsat:cloud_cover_land"):
        if key in p and not 0 <= p[key] <= config.max_cloud_percent:
            return "cloudy"
    rmse = next((p[k] for k in GEOMETRIC_RMSE_KEYS if p.get(k) is not None), None)
    if rmse is not None and rmse > config.max_geometric_rmse_m:
        return "geometric RMSE"
    if config.asset not in item.get("assets", {}):
        return f"no {config.asset} asset"
    if config.skip_snow_season and in_snow_season(_date(item), _centre_latitude(item)):
        return "snow season"
    return None


def scene_record(item: dict, config: SearchConfig) -> dict:
    """What a candidates file keeps of an item."""
    p = item["properties"]
    return {
        "id": item["id"],
        "date": _date(item).isoformat(),
        "href": item["assets"][config.asset]["href"],
        "cloud_cover": p.get("eo:cloud_cover"),
        "cloud_cover_land": p.get("landsat:cloud_cover_land"),
        "sun_elevation_deg": p.get("view:sun_elevation"),
        "epsg": p.get("proj:epsg") or p.get("proj:code"),
        "geometry": item["geometry"],
    }


def pair_scenes(items: Iterable[dict], config: SearchConfig) -> list[dict]:
    """Pairs of scenes of one path/row, ``min_days`` to ``max_days`` apart, close sun elevations.

    Sorted by total cloud cover, then by time between the dates.
    """
    by_tile: dict[tuple[str, str], list[dict]] = {}
    for item in items:
        p = item["properties"]
        by_tile.setdefault((p["landsat:wrs_path"], p["landsat:wrs_row"]), []).append(item)
    pairs = []
    for (path, row), scenes in sorted(by_tile.items()):
        scenes.sort(key=_date)
        for i, first in enumerate(scenes):
            for second in scenes[i + 1 :]:
                days = (_date(second) - _date(first)).days
                if days > config.max_days:
                    break
                sun = [s["properties"].get("view:sun_elevation") for s in (first, second)]
                difference = abs(sun[0] - sun[1]) if None not in sun else None
                if days < config.min_days or (
                    difference is not None and difference > config.max_sun_elevation_difference_deg
                ):
                    continue
                records = [scene_record(s, config) for s in (first, second)]
                clouds = sum(r["cloud_cover"] or 0 for r in records)
                pairs.append(
                    {
                        "id": f"{path}{row}_{records[0]['date']}_{records[1]['date']}",
                        "wrs_path": path,
                        "wrs_row": row,
                        "days": days,
                        "sun_elevation_difference_deg": difference,
                        "cloud_cover": clouds,
                        "scenes": records,
                    }
                )
    return sorted(pairs, key=lambda p: (p["cloud_cover"], p["days"], p["id"]))


def search(config: SearchConfig) -> dict:
    """Search the STAC API, filter, pair; returns the candidates file's content."""
    from pystac_client import Client
    from pystac_client.exceptions import APIError

    try:
        client = Client.open(config.stac_url)
        found = client.search(
            collections=[config.collection],
            bbox=list(config.bbox),
            datetime=f"{config.start}/{config.end}",
            max_items=config.max_items,
        )
        items = list(found.items_as_dicts())
    except (APIError, OSError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        raise QuakebenchError(f"{config.stac_url}: search failed ({first})") from None
    refused = Counter()
    kept = []
    for item in items:
        reason = rejection(item, config)
        if reason:
            refused[reason] += 1
        else:
            kept.append(item)
    pairs = pair_scenes(kept, config)
    return {
        "search": {**asdict(config), "bbox": list(config.bbox)},
        "items": len(items),
        "refused": dict(sorted(refused.items())),
        "pairs": pairs,
    }


def write_candidates(candidates: dict, path: str | Path) -> None:
    """Write a candidates file atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(candidates, indent=1) + "\n")


def read_candidates(path: str | Path) -> dict:
    """A candidates file, checked for its pairs."""
    try:
        candidates = json.loads(Path(path).read_text())
        complete = all(
            "id" in pair and len(pair["scenes"]) == 2 and all("href" in s for s in pair["scenes"])
            for pair in candidates["pairs"]
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise QuakebenchError(f"{path}: not a candidates file ({error})") from None
    if not complete:
        raise QuakebenchError(f"{path}: a pair lacks its id or its two scenes' hrefs")
    return candidates
