"""What ``simulate`` is asked for: an earthquake seed and the pixel grid it is drawn on.

It imports nothing heavy, so that the command line can read its defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from quakebench.errors import QuakebenchError


@dataclass(frozen=True)
class TileConfig:
    """One earthquake on a square tile.

    Attributes
    ----------
    seed : int
        Non-negative; fixes the scenario, the roughness and the slip.
    size : int
        Tile side, pixels (1024 in the release).
    pixel_size_m : float
        Ground size of a pixel (15 m for Landsat-8 band 8).
    """

    seed: int
    size: int = 1024
    pixel_size_m: float = 15.0

    def __post_init__(self) -> None:
        if self.seed < 0:
            raise QuakebenchError(f"seed must be non-negative, got {self.seed}")
        if self.size < 16:
            raise QuakebenchError(f"size must be at least 16 pixels, got {self.size}")
        if not self.pixel_size_m > 0:
            raise QuakebenchError(f"pixel_size_m must be positive, got {self.pixel_size_m} m")
