"""The options of scene search and fetch, and the release's regions (no heavy imports).

Defaults are those of the public Landsat Collection 2 Level-1 catalogue, the USGS LandsatLook
STAC server (https://landsatlook.usgs.gov/stac-server, collection ``landsat-c2l1``), whose
items carry ``landsat:wrs_path``/``landsat:wrs_row`` (zero-padded strings),
``landsat:correction`` (``L1TP``), ``landsat:collection_category`` (``T1``), ``eo:cloud_cover``,
``landsat:cloud_cover_land``, ``view:sun_elevation`` and ``proj:*``, and whose band 8 asset is
``pan`` (a cloud-optimised GeoTIFF). Its ``https`` links may ask for a USGS login and its
``s3://usgs-landsat`` copies are requester-pays: credentials go through GDAL's own settings
(``GDAL_HTTP_HEADERS`` or ``GDAL_HTTP_COOKIEFILE`` for https; ``AWS_REQUEST_PAYER=requester``
and the usual ``AWS_*`` variables or profile for s3), never through quakebench.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from quakebench.contract import ROLES
from quakebench.errors import QuakebenchError

DEFAULT_STAC_URL = "https://landsatlook.usgs.gov/stac-server"
DEFAULT_COLLECTION = "landsat-c2l1"
PAN_ASSET = "pan"
REGIONS = Path(__file__).parent / "data" / "regions.json"


@dataclass(frozen=True)
class Region:
    """A box of the Earth with a role: its windows serve train/validation or test."""

    name: str
    bbox: tuple[float, float, float, float]
    role: str
    reason: str

    def meets(self, bbox: tuple[float, float, float, float]) -> bool:
        """Whether a (west, south, east, north) box overlaps this region."""
        west, south, east, north = bbox
        return not (
            east < self.bbox[0]
            or west > self.bbox[2]
            or north < self.bbox[1]
            or south > self.bbox[3]
        )


def read_regions(path: str | Path = REGIONS) -> dict[str, Region]:
    """The regions of a JSON file (the release's by default), by name."""
    try:
        entries = json.loads(Path(path).read_text())["regions"]
        regions = {
            e["name"]: Region(e["name"], tuple(e["bbox"]), e["role"], e["reason"]) for e in entries
        }
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise QuakebenchError(f"{path}: not a regions file ({error})") from None
    for region in regions.values():
        if region.role not in ROLES or len(region.bbox) != 4:
            raise QuakebenchError(f"{path}: region {region.name} needs a role and a 4-value bbox")
    return regions


@dataclass(frozen=True)
class SearchConfig:
    """Which scenes to search and how to pair them.

    Attributes
    ----------
    bbox : (west, south, east, north), degrees
    start, end : str
        ISO dates of the search interval.
    stac_url, collection, asset : str
        The STAC API, its Landsat-8 Level-1 collection and the band 8 asset key.
    max_cloud_percent : float
        Scene cloud cover and cloud cover over land, at most.
    min_days, max_days : int
        Days between the two dates of a pair (16 days is one Landsat-8 repeat).
    max_sun_elevation_difference_deg : float
        Shadows move with the sun: pairs whose sun elevations differ more are refused.
    max_geometric_rmse_m : float
        Model geometric RMSE, where the item gives it (``landsat:geometric_rmse_model``).
    skip_snow_season : bool
        Refuse winter dates (November to April north of 30 N, May to October south of 30 S).
    max_items : int
        Items read from the API at most.
    """

    bbox: tuple[float, float, float, float]
    start: str = "2013-04-11"
    end: str = "2024-12-31"
    stac_url: str = DEFAULT_STAC_URL
    collection: str = DEFAULT_COLLECTION
    asset: str = PAN_ASSET
    max_cloud_percent: float = 10.0
    min_days: int = 16
    max_days: int = 64
    max_sun_elevation_difference_deg: float = 8.0
    max_geometric_rmse_m: float = 12.0
    skip_snow_season: bool = True
    max_items: int = 5000

    def __post_init__(self) -> None:
        west, south, east, north = self.bbox
        if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
            raise QuakebenchError(f"bbox must be west south east north, got {self.bbox}")
        if not 0 <= self.min_days <= self.max_days:
            raise QuakebenchError(
                f"days must satisfy 0 <= min <= max, got {self.min_days}, {self.max_days}"
            )


@dataclass(frozen=True)
class FetchConfig:
    """Which windows of which pairs to fetch, and the quality they must reach.

    Attributes
    ----------
    candidates : Path
        A candidates file of ``quakebench scenes search``.
    output : Path
        Folder of the GeoTIFFs and their ``catalog.json``.
    window : str
        Window size: pixels (``1024``) or kilometres (``15km``).
    windows_per_pair : int
        Windows kept per pair at most.
    min_usable_fraction : float
        Fraction of a window's pixels that must be valid (correlated, not moving) and
        textured: the benchmark's crop floor.
    regions : Path
        Regions with roles: a window that meets a test region is held out.
    max_pairs : int
        Candidate pairs read at most, in the candidates file's order (least cloud first).
    """

    candidates: Path
    output: Path
    window: str = "1024"
    windows_per_pair: int = 4
    min_usable_fraction: float = 0.5
    regions: Path = REGIONS
    max_pairs: int = 20

    def window_px(self, pixel_size_m: float) -> int:
        """The window's side in pixels of this size."""
        text = self.window.strip().lower()
        try:
            if text.endswith("km"):
                return round(float(text[:-2]) * 1000 / pixel_size_m)
            return int(text)
        except ValueError:
            raise QuakebenchError(
                f"window must be pixels (1024) or km (15km), got {text}"
            ) from None
