"""The networks' names and a training run's settings (imports nothing heavy: no torch).

The command line reads its choices and defaults here, so ``quakebench --help`` stays fast.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from quakebench.config import DatasetConfig
from quakebench.errors import QuakebenchError

MODEL_NAMES = ("flownets", "flownetsd", "strainnet", "refiner")
"""The networks, by the name of their constructor: the seed paper's three in
:mod:`baselines.models.flownet`, the correlator refiner in :mod:`baselines.models.refiner`."""

MULTIPLE = 64
"""The networks' total stride: inputs are padded to a multiple of it, crops are multiples."""

SCHEDULES = ("cosine", "constant")
ZERO_MOTION = ("subtract", "none")

RECIPES = {
    "refiner": {
        "learning_rate": 1e-3,
        "curriculum": ((0.0, 0.003, 0.3),),
        "zero_motion": "none",
        "near_fault_weight": 4.0,
    }
}
"""What a network's training changes from the shared settings (the one-command GPU job applies
it): the refiner learns at the data's own amplitudes (0.003-0.3 px RMS, as the `mini`
splits), starts as the correlator, so without zero-motion subtraction, and weighs the pixels
next to the rupture."""


def check_model_name(name: str) -> None:
    """Raise :class:`QuakebenchError` naming the choices if ``name`` is no known network."""
    if name not in MODEL_NAMES:
        raise QuakebenchError(f"model: unknown {name!r}; choose one of {', '.join(MODEL_NAMES)}")


@dataclass(frozen=True)
class TrainConfig:
    """A training run.

    Attributes
    ----------
    model : str
        One of :data:`MODEL_NAMES`: ``flownets``, ``flownetsd``, ``strainnet`` or ``refiner``.
    data : DatasetConfig
        The dataset trained on (its train split) and validated on (its validation split).
    output : Path
        Run folder: ``last.pt``, ``best.pt``, ``log.csv``.
    crop : int
        Side of the random training crops (512 in the seed paper).
    batch_size : int
        Samples per step on each device (8 in the seed paper).
    epochs : int
    learning_rate : float
    weight_decay : float
    seed : int
    workers : int
        Data-loading processes per device.
    device : str or None
        ``cuda``, ``cpu``...; by default CUDA where available.
    stream : Path or None
        A field bank folder (``quakebench bank``): train on the stream of pairs it renders
        onto training places (:mod:`baselines.stream.stream`) for ``steps`` steps, instead
        of the stored train split for ``epochs``. The dataset gives the validation split.
    steps : int
        Optimiser steps on a stream.
    validate_every : int
        Steps between validations and checkpoints on a stream.
    curriculum : tuple of (float, float, float)
        The stream's amplitude stages: ``(start, low, high)``, from the fraction ``start`` of
        the steps on, the crops' RMS displacement is drawn log-uniform in ``[low, high]`` px.
    schedule : str
        ``cosine`` (decay to zero over the steps) or ``constant`` learning rate.
    scale_weights : tuple of float
        Loss weights of the flows, finest first (the seed paper's by default).
    zero_motion : str
        ``subtract``: the network predicts ``f(pre, post) - f(pre, pre)``, so a pair without
        motion gives none; ``none``: ``f(pre, post)``.
    near_fault_weight : float
        Extra loss weight of the pixels next to the rupture (within 2 px of where the true
        field shears; see :func:`baselines.models.loss.near_fault_mask`): 0 weighs all alike.
    """

    model: str
    data: DatasetConfig
    output: Path
    crop: int = 512
    batch_size: int = 8
    epochs: int = 100
    learning_rate: float = 1e-4
    weight_decay: float = 4e-4
    seed: int = 0
    workers: int = 0
    device: str | None = None
    stream: Path | None = None
    steps: int = 2000
    validate_every: int = 200
    curriculum: tuple[tuple[float, float, float], ...] = ((0.0, 0.3, 2.0), (0.5, 0.02, 2.0))
    schedule: str = "cosine"
    scale_weights: tuple[float, ...] = (0.005, 0.01, 0.02, 0.08, 0.32)
    zero_motion: str = "subtract"
    near_fault_weight: float = 0.0

    def __post_init__(self) -> None:
        check_model_name(self.model)
        if self.crop <= 0 or self.crop % MULTIPLE:
            raise QuakebenchError(
                f"crop must be a positive multiple of {MULTIPLE} px, got {self.crop}"
            )
        for name in ("batch_size", "epochs"):
            if getattr(self, name) < 1:
                raise QuakebenchError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not self.learning_rate > 0:
            raise QuakebenchError(f"learning_rate must be positive, got {self.learning_rate}")
        if self.workers < 0:
            raise QuakebenchError(f"workers must be non-negative, got {self.workers}")
        for name in ("steps", "validate_every"):
            if getattr(self, name) < 1:
                raise QuakebenchError(f"{name} must be at least 1, got {getattr(self, name)}")
        if (
            not self.curriculum
            or self.curriculum[0][0] != 0
            or any(not (0 <= start < 1 and 0 < low <= high) for start, low, high in self.curriculum)
        ):
            raise QuakebenchError(
                "curriculum: stages (start, low, high) from start 0, with 0 <= start < 1 and "
                f"0 < low <= high px; got {self.curriculum}"
            )
        if self.schedule not in SCHEDULES:
            raise QuakebenchError(f"schedule: one of {', '.join(SCHEDULES)}, got {self.schedule!r}")
        if len(self.scale_weights) != 5 or any(w < 0 for w in self.scale_weights):
            raise QuakebenchError(
                f"scale_weights: 5 non-negative weights, got {self.scale_weights}"
            )
        if self.zero_motion not in ZERO_MOTION:
            raise QuakebenchError(
                f"zero_motion: one of {', '.join(ZERO_MOTION)}, got {self.zero_motion!r}"
            )
        if not self.near_fault_weight >= 0:
            raise QuakebenchError(
                f"near_fault_weight must be non-negative, got {self.near_fault_weight}"
            )


@dataclass(frozen=True)
class NetworkConfig:
    """A trained network to run: which one, its weights, and where.

    Attributes
    ----------
    model : str
    checkpoint : Path or None
        A ``best.pt`` or ``last.pt`` of :func:`baselines.models.train.train`.
    device : str or None
        ``cuda``, ``cpu``...; by default CUDA where available.
    symmetries : int
        1, or 8: the pair is also predicted under the other 7 symmetries of the square and
        the 8 fields, turned back, averaged (exact: no interpolation across the fault).
    weights : str or None
        Instead of a checkpoint, published weights: ``REPO@REVISION`` on the Hub
        (:mod:`quakebench.hub.weights`).
    """

    model: str
    checkpoint: Path | None = None
    device: str | None = None
    symmetries: int = 1
    weights: str | None = None

    def __post_init__(self) -> None:
        check_model_name(self.model)
        if (self.checkpoint is None) == (self.weights is None):
            raise QuakebenchError("give a checkpoint or published weights (REPO@REVISION), one")
        if self.symmetries not in (1, 8):
            raise QuakebenchError(f"symmetries: 1 or 8, got {self.symmetries}")


@dataclass(frozen=True)
class WindowConfig:
    """The one-window recipe (:mod:`baselines.models.window`): everything in one command.

    Attributes
    ----------
    output : Path
        Where the results files, the log and the figure go.
    work : Path
        Scratch: the bank and the runs (weights stay there, never in ``output``).
    dataset, preset : str
        The pinned split to regenerate and score (``prewarped`` ``mini``).
    budget_s : float
        Seconds for the whole recipe; the networks' steps are fitted to what is left.
    models : tuple of str
        Trained in turn, each with an equal share of the training time.
    bank_fields, bank_size : int
        The field bank (15 m pixels) built first, on every core.
    crop, batch_size, learning_rate : int, int, float
        The stream recipe's (:class:`TrainConfig` for the rest: curriculum, zero motion...).
    steps : int or None
        Steps per network; None fits them to the budget (a short timed run of each first).
    symmetries : int
        Predictions averaged over 1 or the 8 symmetries of the square when scoring
        (:class:`NetworkConfig`).
    validation_samples, test_samples : int or None
        The first of the pinned validation and test samples (None: all of them).
    workers : int or None
        Processes for regenerating samples and the bank, and loaders (default: every core).
    device : str or None
        ``cuda`` where available.
    seed : int
    """

    output: Path
    work: Path
    dataset: str = "prewarped"
    preset: str = "mini"
    budget_s: float = 480.0
    models: tuple[str, ...] = ("flownets", "strainnet", "flownetsd", "refiner")
    bank_fields: int = 256
    bank_size: int = 128
    crop: int = 64
    batch_size: int = 32
    learning_rate: float = 1e-4
    steps: int | None = None
    symmetries: int = 8
    validation_samples: int | None = None
    test_samples: int | None = None
    workers: int | None = None
    device: str | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        for model in self.models:
            check_model_name(model)
        if self.budget_s <= 0:
            raise QuakebenchError(f"budget_s must be positive, got {self.budget_s}")
        if self.steps is not None and self.steps < 1:
            raise QuakebenchError(f"steps must be at least 1, got {self.steps}")

    @property
    def processes(self) -> int:
        """Processes that regenerate samples and build the bank: ``workers`` or every core."""
        return self.workers or os.cpu_count() or 1

    @property
    def loaders(self) -> int:
        """The stream's loading processes: every core but two (the trainer's), none on two."""
        return max(self.processes - 2, 0)


def parse_floats(text: str) -> tuple[float, ...]:
    """``"0.005,0.01"`` as floats (an option's type)."""
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected comma-separated numbers") from None


def parse_curriculum(text: str) -> tuple[tuple[float, float, float], ...]:
    """``"0:0.3:2,0.5:0.02:2"`` as ``((start, low, high), ...)`` stages (an option's type)."""
    stages = []
    for part in text.split(","):
        values = part.split(":")
        try:
            start, low, high = (float(v) for v in values)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{part!r}: a stage is START:LOW:HIGH (three numbers)"
            ) from None
        stages.append((start, low, high))
    return tuple(stages)
