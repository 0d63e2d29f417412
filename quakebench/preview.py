"""Previews: a small full-resolution window of a prediction, kept in its results file.

The leaderboard page shows, for a few fixed test samples of each preset, the pair, the truth
and each method's prediction and error. Downsampling would smear the step at the fault, so
a preview is a ``PREVIEW_PX`` square at full resolution, placed on the rupture trace where it
comes nearest the tile's centre (the same window for every method), stored as little-endian
float16 in base64: about 87 KB per sample.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field

import numpy as np

from quakebench.presets import preview_ids

PREVIEW_PX = 128
"""Side of a preview window, pixels."""

PREVIEW_FIELDS = ("row", "col", "size", "east", "north")


def preview_window(rupture_xy: np.ndarray, shape: tuple[int, int]) -> tuple[int, int, int]:
    """``(row, col, size)`` of the window: centred on the trace point nearest the tile's
    centre, moved inside the tile, at most ``PREVIEW_PX`` and at most the tile."""
    height, width = shape
    size = min(PREVIEW_PX, height, width)
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    points = np.asarray(rupture_xy, dtype=np.float64).reshape(-1, 2)
    if len(points) >= 2:
        # Trace points every 1/4 px, so the nearest one is found to that precision.
        points = np.concatenate(
            [
                np.linspace(a, b, 4 * int(np.ceil(np.abs(b - a).max())) + 2)
                for a, b in itertools.pairwise(points)
            ]
        )
    if len(points):
        centre = points[np.argmin(np.hypot(*(points - centre).T))]
    row = int(np.clip(np.rint(centre[1]) - size // 2, 0, height - size))
    col = int(np.clip(np.rint(centre[0]) - size // 2, 0, width - size))
    return row, col, size


def encode_preview(predicted: np.ndarray, rupture_xy: np.ndarray) -> dict:
    """The preview of a ``[2, H, W]`` prediction (east, north; pixels): its window and values."""
    row, col, size = preview_window(rupture_xy, predicted.shape[1:])
    window = np.asarray(predicted[:, row : row + size, col : col + size], dtype="<f2")
    return {
        "row": row,
        "col": col,
        "size": size,
        "east": base64.b64encode(window[0].tobytes()).decode("ascii"),
        "north": base64.b64encode(window[1].tobytes()).decode("ascii"),
    }


def decode_preview(preview: dict) -> np.ndarray:
    """``float32 [2, size, size]`` of :func:`encode_preview`'s output; raises ValueError naming
    the component that does not decode to ``size x size`` float16 values."""
    size = preview["size"]
    components = []
    for name in ("east", "north"):
        try:
            raw = base64.b64decode(preview[name], validate=True)
        except (ValueError, TypeError):
            raise ValueError(f"{name} is not base64") from None
        if len(raw) != 2 * size * size:
            raise ValueError(f"{name} holds {len(raw)} bytes, not {size} x {size} float16")
        components.append(np.frombuffer(raw, dtype="<f2").reshape(size, size))
    return np.stack(components).astype(np.float32)


@dataclass
class Previews:
    """The previews of the samples a preset's board shows, collected as they are scored.

    An instance is the ``on_sample`` callback of :func:`quakebench.evaluate.score`.
    """

    ids: frozenset[str]
    """The previewed sample ids."""
    encoded: dict[str, dict] = field(default_factory=dict)
    """``{id: preview}`` of the previewed samples scored so far."""

    @classmethod
    def of(cls, preset: str | None, dataset: str) -> Previews:
        """The previews ``dataset``'s board of ``preset`` shows (none for an unknown preset)."""
        return cls(frozenset(preview_ids(preset, dataset)))

    def __call__(self, sample: dict, predicted: np.ndarray, metrics: dict | None = None) -> None:
        if sample["id"] in self.ids:
            self.encoded[sample["id"]] = encode_preview(predicted, sample["rupture"])
