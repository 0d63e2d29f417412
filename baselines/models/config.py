"""The networks' names and a training run's settings (imports nothing heavy: no torch).

The command line reads its choices and defaults here, so ``quakebench --help`` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from quakebench.config import DatasetConfig
from quakebench.errors import QuakebenchError

MODEL_NAMES = ("flownets", "flownetsd", "strainnet")
"""The networks, by the name of their constructor in :mod:`baselines.models.flownet`."""

MULTIPLE = 64
"""The networks' total stride: inputs are padded to a multiple of it, crops are multiples."""


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
        ``flownets``, ``flownetsd`` or ``strainnet``.
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


@dataclass(frozen=True)
class NetworkConfig:
    """A trained network to run: which one, its weights, and where.

    Attributes
    ----------
    model : str
    checkpoint : Path
        A ``best.pt`` or ``last.pt`` of :func:`baselines.models.train.train`.
    device : str or None
        ``cuda``, ``cpu``...; by default CUDA where available.
    """

    model: str
    checkpoint: Path
    device: str | None = None

    def __post_init__(self) -> None:
        check_model_name(self.model)
