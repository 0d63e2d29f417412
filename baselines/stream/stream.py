"""An endless stream of physics-valid training pairs: banked fields on fresh real crops.

Item ``k`` of a stream is a pure function of ``(seed, k)``:

1. a field of the bank (:mod:`.bank`), cut to the crop around a random point of its rupture,
   under one of the 8 symmetries of the square (vectors and trace turned with the grid; an
   arbitrary rotation would interpolate across the trace and smear the step);
2. its amplitude scaled (displacement is linear in slip) so that the crop's RMS displacement
   is log-uniform in a range (a curriculum of stages by item), or left as simulated;
3. warped with the generator's quintic spline (:func:`~.sample.render_pair`) onto a random
   crop, in a random orientation, of a random *training* place whose crop has the build's floor
   of valid, textured pixels; for ``postwarped``, onto the pair's second date after
   co-registration, with its validity mask.

Places come from the scene catalogue's ``train`` role only, never a ``test`` one. A rendered
item is a dict of ``images`` (the normalised pair), ``displacement`` and ``valid``, as the
networks' training reads from stored tiles. :class:`StreamDataset` indexes items (exact resume,
any number of loading processes); :class:`PairStream` is the endless ``IterableDataset`` for
one's own training loop, split by rank and loading process.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset, IterableDataset, get_worker_info

from baselines.generator.samples.sample import (
    MAX_ATTEMPTS,
    WARP_MARGIN_PX,
    Source,
    first_crop_above_floor,
    render_pair,
)
from baselines.generator.samples.source import source_library
from baselines.stream.bank import Field, load_bank
from quakebench.contract import DATASETS
from quakebench.data.transforms import RandomDihedral, normalise_pair
from quakebench.errors import QuakebenchError

PLACE_DRAWS = 20
"""Places drawn for one item before the stream gives up (the floor is too high)."""

STREAM_FIELDS = ("images", "displacement", "valid")


@dataclass(frozen=True)
class StreamConfig:
    """A training stream.

    Attributes
    ----------
    bank : Path
        A bank folder of one pixel size (``BANK/15m-256px``).
    dataset : str
        ``prewarped`` (a date warped onto itself) or ``postwarped`` (onto a second date).
    crop : int
        Side of the rendered pairs, pixels.
    stages : tuple of (int, float, float), or None
        Amplitude curriculum: from item ``first`` on, the crop's RMS displacement is drawn
        log-uniform in ``[low, high]`` pixels; None keeps each field's simulated amplitude.
    floor : float
        Smallest fraction of valid, textured pixels of a crop.
    catalog : Path or None
        Scene catalogue (default: the bundled Landsat-8 one).
    seed : int
    """

    bank: Path
    dataset: str = "prewarped"
    crop: int = 64
    stages: tuple[tuple[int, float, float], ...] | None = ((0, 0.3, 2.0),)
    floor: float = 0.5
    catalog: Path | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise QuakebenchError(f"dataset must be one of {', '.join(DATASETS)}")
        if self.stages is not None and (
            not self.stages
            or self.stages[0][0] != 0
            or any(not 0 < low <= high for _, low, high in self.stages)
        ):
            raise QuakebenchError(
                f"stages: from item 0, each with 0 < low <= high; got {self.stages}"
            )

    def rms_range(self, index: int) -> tuple[float, float] | None:
        """The RMS range of item ``index`` (None: as simulated)."""
        if self.stages is None:
            return None
        current = [stage for stage in self.stages if stage[0] <= index][-1]
        return current[1], current[2]


def field_crop(field: Field, crop: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A ``crop``-sided window of a field around a random point of its rupture, and the trace
    in the window's pixel coordinates."""
    size = field.displacement_px.shape[1]
    if crop > size:
        raise QuakebenchError(f"crop {crop} px exceeds the bank's {size} px fields")
    trace = field.rupture_px
    inside = trace[np.all((trace >= 0) & (trace <= size - 1), axis=1)]
    centre = inside[rng.integers(len(inside))] if len(inside) else np.array([size / 2] * 2)
    jitter = rng.uniform(-crop / 4, crop / 4, 2)
    col, row = (np.clip(np.rint(centre + jitter) - crop // 2, 0, size - crop)).astype(int)
    window = field.displacement_px[:, row : row + crop, col : col + crop]
    return np.ascontiguousarray(window), trace - np.array([col, row], dtype=np.float64)


def symmetric(displacement: np.ndarray, trace: np.ndarray, rng: np.random.Generator) -> tuple:
    """One of the 8 symmetries of the square, drawn from ``rng``, of a field and its trace."""
    blank = np.zeros(displacement.shape[1:], np.float32)
    turned = RandomDihedral()(
        {
            "pre": blank,
            "post": blank,
            "valid": blank,
            "displacement": displacement,
            "rupture": trace,
        },
        rng,
    )
    return turned["displacement"], turned["rupture"]


def rms_factor(
    displacement: np.ndarray, rms_range: tuple[float, float], rng: np.random.Generator
) -> float:
    """The factor that brings a field's RMS displacement to a log-uniform draw in the range, at
    most what keeps its largest value inside the warp margin."""
    target = math.exp(rng.uniform(math.log(rms_range[0]), math.log(rms_range[1])))
    rms = float(np.sqrt(np.mean(displacement.astype(np.float64) ** 2))) or 1e-12
    largest = float(np.abs(displacement).max()) or 1e-12
    return min(target / rms, (WARP_MARGIN_PX - 4) / largest)


def render_item(
    dataset: str, displacement_px: np.ndarray, source: Source, origin: tuple, orientation: int
) -> dict:
    """The item of a field already cut, turned and scaled, on a crop of a place: what a
    stored sample with that field, crop and orientation holds, as a network reads it."""
    pair = render_pair(dataset, source, origin, orientation, displacement_px)
    return {
        "images": normalise_pair(pair.pre, pair.post),
        "displacement": np.ascontiguousarray(displacement_px, dtype=np.float32),
        "valid": pair.valid,
        "place": source.place,
    }


class PairStream(IterableDataset):
    """The stream: ``item(k)`` renders pair ``k``; iterating yields pairs without end.

    Parameters
    ----------
    config : StreamConfig
    rank, world : int
        This process's share of the stream under data parallelism: items ``rank``, ``rank +
        world``, ... (each loading process takes every n-th of those).
    start : int
        The first item (per rank): where a resumed run goes on.
    """

    def __init__(self, config: StreamConfig, rank: int = 0, world: int = 1, start: int = 0):
        self.config = config
        self.fields = load_bank(config.bank)
        pixel_size_m = self.fields[0].scenario["pixel_size_m"]
        library = source_library(config.dataset, ["train"], config.catalog)
        self.places = [
            s
            for s in library
            if s.role == "train"
            and (config.dataset == "prewarped" or s.post is not None)
            and s.pre.pixel_size_m == pixel_size_m
            and s.largest_tile() >= config.crop
        ]
        if not self.places:
            raise QuakebenchError(
                f"{config.bank}: no training place of {pixel_size_m:g} m pixels can host "
                f"{config.crop} px {config.dataset} crops"
            )
        self.rank, self.world, self.start = rank, world, start

    def item(self, index: int) -> dict:
        """Pair ``index`` of the stream (a pure function of the seed and the index)."""
        rng = np.random.default_rng([self.config.seed, index])
        field = self.fields[int(rng.integers(len(self.fields)))]
        displacement, trace = field_crop(field, self.config.crop, rng)
        displacement, _ = symmetric(displacement, trace, rng)
        rms_range = self.config.rms_range(index)
        if rms_range is not None:
            displacement = displacement * np.float32(rms_factor(displacement, rms_range, rng))
        for _ in range(PLACE_DRAWS):
            source = self.places[int(rng.integers(len(self.places)))]
            # Up to MAX_ATTEMPTS crops of this place, from the item's own generator.
            draws = itertools.repeat(rng, MAX_ATTEMPTS)
            placed = first_crop_above_floor(source, self.config.crop, self.config.floor, draws)
            if placed is not None:
                row, col, orientation = placed
                return render_item(
                    self.config.dataset, displacement, source, (row, col), orientation
                )
        raise QuakebenchError(
            f"stream item {index}: no crop of {PLACE_DRAWS} places drawn has "
            f"{self.config.floor:.0%} valid, textured pixels; lower the floor"
        )

    def __iter__(self):
        worker = get_worker_info()
        workers, worker_id = (1, 0) if worker is None else (worker.num_workers, worker.id)
        index = self.start * self.world + self.rank + self.world * worker_id
        while True:
            item = self.item(index)
            yield {name: item[name] for name in STREAM_FIELDS}
            index += self.world * workers


class StreamDataset(Dataset):
    """Items of a stream by index, for a sampler to choose (exact resume, any workers)."""

    def __init__(self, stream: PairStream) -> None:
        self.stream = stream

    def __len__(self) -> int:
        return 2**62

    def __getitem__(self, index: int) -> dict:
        item = self.stream.item(int(index))
        return {name: torch.from_numpy(np.asarray(item[name])) for name in STREAM_FIELDS}


def item_indices(start_step: int, batch_size: int, rank: int, world: int):
    """Indices of the items a rank trains on from ``start_step``: batch ``s`` of rank ``r`` is
    items ``(s * world + r) * batch_size`` onwards, so resuming at a step is exact."""
    step = start_step
    while True:
        first = (step * world + rank) * batch_size
        yield from range(first, first + batch_size)
        step += 1


def bank_folder(bank: Path) -> Path:
    """The bank folder itself, or its only pixel-size folder."""
    bank = Path(bank)
    if any(bank.glob("field-*.npz")):
        return bank
    folders = sorted(p for p in bank.iterdir() if p.is_dir()) if bank.is_dir() else []
    if len(folders) != 1:
        raise QuakebenchError(f"{bank}: give one pixel size's folder of the bank")
    return folders[0]
