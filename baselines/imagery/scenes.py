"""Real satellite scenes: reading GeoTIFFs, the bundled Landsat-8 catalogue, users' own scenes.

A catalogue is a JSON file listing scenes (a GeoTIFF each, with an optional SHA-256) and
two-date pairs of them::

    {"scenes": [{"id": "a", "file": "a.tif", "sha256": "...", "acquired": "2016-07-18",
                 "place": "yahtse", "role": "train"}, ...],
     "pairs": [{"id": "a_b", "pre": "a", "post": "b"}]}

Each scene belongs to a **place** (the ground it shows; scenes of one place overlap) and each
place has a **role**: ``train`` places give the train and validation splits, ``test`` places
(held out) the test split. A scene without them is of role ``train`` and its own place, or
its pair's (named by the pair's id).

The bundled catalogue (``data/landsat8/catalog.json``) is verified against its checksums
whenever it is read.
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from quakebench.checksums import sha256_file
from quakebench.contract import ROLES
from quakebench.errors import QuakebenchError

BUNDLED_CATALOG = Path(__file__).parent / "data" / "landsat8" / "catalog.json"


@dataclass(frozen=True)
class Scene:
    """One single-band georeferenced image.

    Attributes
    ----------
    id : str
        Unique name.
    image : numpy.ndarray
        ``[H, W]`` pixel values as stored (uint16 digital numbers for Landsat-8).
    crs : str
        Coordinate reference system, e.g. ``"EPSG:32607"``.
    transform : tuple of float
        Affine ``(a, b, c, d, e, f)``: ``x = a col + b row + c``, ``y = d col + e row + f`` for
        the pixel corner (rasterio's convention).
    acquired : str or None
        Acquisition date, ISO 8601.
    place : str
        The ground it shows (by default its id).
    role : {"train", "test"}
        Which splits its place serves.
    """

    id: str
    image: np.ndarray
    crs: str
    transform: tuple[float, ...]
    acquired: str | None = None
    place: str = ""
    role: str = "train"

    def __post_init__(self) -> None:
        if not self.place:
            object.__setattr__(self, "place", self.id)
        if self.role not in ROLES:
            raise QuakebenchError(
                f"scene {self.id}: role must be one of {', '.join(ROLES)}, got {self.role!r}"
            )

    @property
    def pixel_size_m(self) -> float:
        """Ground size of a (square, north-up) pixel, metres."""
        return float(abs(self.transform[0]))


@dataclass(frozen=True)
class ScenePair:
    """Two acquisitions of the same ground on the same pixel grid (one place, one role)."""

    id: str
    pre: Scene
    post: Scene

    @property
    def place(self) -> str:
        return self.pre.place

    @property
    def role(self) -> str:
        return self.pre.role


def read_scene(
    path: str | os.PathLike,
    scene_id: str | None = None,
    acquired: str | None = None,
    place: str = "",
    role: str = "train",
) -> Scene:
    """Read band 1 of a GeoTIFF as a :class:`Scene`.

    Raises
    ------
    QuakebenchError
        If the file cannot be read, or its pixels are not square and north-up.
    """
    path = Path(path)
    try:
        import rasterio
    except ImportError:  # a machine without GDAL, such as the GPU window's
        image, crs, transform = read_plain_geotiff(path)
    else:
        try:
            with rasterio.open(path) as dataset:
                image = dataset.read(1)
                crs = dataset.crs.to_string() if dataset.crs else ""
                transform = tuple(dataset.transform)[:6]
        except rasterio.errors.RasterioError as error:
            raise QuakebenchError(f"{path}: cannot read as a GeoTIFF ({error})") from None
    a, b, _, d, e, _ = transform
    if b != 0 or d != 0 or abs(a) != abs(e) or e > 0:
        raise QuakebenchError(f"{path}: pixels must be square and north-up, transform {transform}")
    return Scene(scene_id or path.stem, image, crs, transform, acquired, place, role)


def read_plain_geotiff(path: Path) -> tuple[np.ndarray, str, tuple[float, ...]]:
    """Band 1, CRS and transform of a north-up GeoTIFF with tifffile, without GDAL.

    Only the plain case is read: a pixel scale and one tie point, pixels as areas, a CRS given
    by its EPSG code (the bundled scenes; the tests compare it with rasterio on each).
    """
    import tifffile

    try:
        with tifffile.TiffFile(path) as tiff:
            page = tiff.pages[0]
            image = page.asarray()
            keys = page.geotiff_tags or {}
    except (OSError, ValueError, tifffile.TiffFileError) as error:
        raise QuakebenchError(f"{path}: cannot read as a GeoTIFF ({error})") from None
    scale, tie = keys.get("ModelPixelScale"), keys.get("ModelTiepoint")
    code = keys.get("ProjectedCSTypeGeoKey") or keys.get("GeographicTypeGeoKey")
    if scale is None or tie is None or code is None or int(keys.get("GTRasterTypeGeoKey", 1)) != 1:
        raise QuakebenchError(
            f"{path}: not a plain GeoTIFF (pixel scale, tie point, pixels as areas, EPSG code); "
            "install rasterio to read it"
        )
    if image.ndim == 3:
        image = image[..., 0] if page.planarconfig == tifffile.PLANARCONFIG.CONTIG else image[0]
    col, row, _, x, y, _ = (float(v) for v in tie[:6])
    transform = (
        float(scale[0]),
        0.0,
        x - col * scale[0],
        0.0,
        -float(scale[1]),
        y + row * scale[1],
    )
    return image, f"EPSG:{int(code)}", transform


def check_same_grid(pre: Scene, post: Scene) -> None:
    """Raise :class:`QuakebenchError` unless two scenes share CRS, transform and shape."""
    if (
        pre.crs != post.crs
        or pre.transform != post.transform
        or pre.image.shape != post.image.shape
    ):
        raise QuakebenchError(
            f"scenes {pre.id} and {post.id} are not on the same grid "
            f"({pre.crs} {pre.image.shape} vs {post.crs} {post.image.shape}); resample one first"
        )


def read_catalog(path: str | os.PathLike) -> tuple[dict[str, Scene], list[ScenePair]]:
    """Scenes and pairs of a JSON catalogue, checking each file's SHA-256 where given."""
    path = Path(path)
    try:
        catalog = json.loads(path.read_text())
        entries, pair_entries = catalog["scenes"], catalog.get("pairs", [])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise QuakebenchError(f"{path}: not a scene catalogue ({error})") from None
    scenes = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            raise QuakebenchError(f"{path}: scenes[{index}] needs an id")
        if not isinstance(entry.get("file"), str):
            raise QuakebenchError(f"{path}: scene {entry['id']} names no file")
    placed = {entry["id"]: entry for entry in entries}
    for entry in entries:
        file = path.parent / entry["file"]
        if not file.is_file():  # no FIFO, no device: hashing one would never end
            problem = "no such file" if not file.exists() else "not a regular file"
            raise QuakebenchError(f"{file}: {problem} (scene {entry['id']} of {path})")
        expected = entry.get("sha256")
        if expected and (got := sha256_file(file)) != expected:
            raise QuakebenchError(
                f"{file}: checksum mismatch (expected sha256:{expected}, got sha256:{got}); "
                "the file is corrupt or was replaced"
            )
        scenes[entry["id"]] = read_scene(
            file,
            entry["id"],
            entry.get("acquired"),
            entry.get("place", ""),
            entry.get("role", "train"),
        )
    pairs = []
    for entry in pair_entries:
        missing = {entry["pre"], entry["post"]} - scenes.keys()
        if missing:
            raise QuakebenchError(
                f"{path}: pair {entry['id']} names unknown scenes {sorted(missing)}"
            )
        pre, post = scenes[entry["pre"]], scenes[entry["post"]]
        if not any("place" in placed[i] for i in (pre.id, post.id)):  # a pair is one place
            pre = scenes[pre.id] = dataclasses.replace(pre, place=entry["id"])
            post = scenes[post.id] = dataclasses.replace(post, place=entry["id"])
        pair = ScenePair(entry["id"], pre, post)
        check_same_grid(pair.pre, pair.post)
        if (pair.pre.place, pair.pre.role) != (pair.post.place, pair.post.role):
            raise QuakebenchError(
                f"{path}: pair {entry['id']} joins scenes of different places or roles"
            )
        pairs.append(pair)
    return scenes, pairs


def bundled_catalog() -> tuple[dict[str, Scene], list[ScenePair]]:
    """The Landsat-8 scenes shipped with quakebench (see ``data/landsat8/PROVENANCE.md``)."""
    return read_catalog(BUNDLED_CATALOG)


def scenes_in_folder(folder: str | os.PathLike) -> list[Scene]:
    """Every GeoTIFF (``*.tif``, ``*.tiff``) of a folder, in name order, as single scenes."""
    folder = Path(folder)
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".tif", ".tiff"))
    if not files:
        raise QuakebenchError(f"{folder}: no GeoTIFF (.tif) files found")
    return [read_scene(file) for file in files]
