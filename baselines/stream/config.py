"""Settings of the generator's commands that the command line reads (no heavy import)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from quakebench.errors import QuakebenchError


@dataclass(frozen=True)
class BankConfig:
    """Which fields a bank holds.

    Attributes
    ----------
    output : Path
        The bank folder.
    num_fields : int
        Fields per pixel size.
    size : int
        Tile side of a field, pixels (crops of the stream are cut from it).
    pixel_sizes_m : tuple of float
        The pixel sizes of the places the stream will warp onto.
    seed : int
    workers : int
        Processes (default: every core).
    """

    output: Path
    num_fields: int = 256
    size: int = 256
    pixel_sizes_m: tuple[float, ...] = (15.0,)
    seed: int = 0
    workers: int | None = None

    def __post_init__(self) -> None:
        if self.num_fields < 1:
            raise QuakebenchError(f"num_fields must be at least 1, got {self.num_fields}")
        if self.size < 16:
            raise QuakebenchError(f"size must be at least 16 px, got {self.size}")
        if any(not p > 0 for p in self.pixel_sizes_m):
            raise QuakebenchError(f"pixel sizes must be positive, got {self.pixel_sizes_m}")
