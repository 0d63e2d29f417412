"""The correlator's settings (imports nothing heavy: the command line reads its defaults)."""

from __future__ import annotations

from dataclasses import dataclass

from quakebench.errors import QuakebenchError


@dataclass(frozen=True)
class CorrelatorConfig:
    """Correlator settings, defaults for Landsat-8 panchromatic images.

    Attributes
    ----------
    window : int
        Fine window side, pixels.
    step : int
        Output spacing, pixels (1: a value at every pixel).
    coarse_window : int
        Window side of the integer stage.
    coarse_step : int
        Grid spacing of the integer stage.
    max_frequency : float
        Frequency mask radius, cycles per pixel.
    iterations : int
        Robust reweighting iterations of the phase-plane fit.
    taper_beta : float
        Fraction of the window side under the raised-cosine taper.
    device : str or None
        None: NumPy/SciPy on the CPU. A torch device (``"cuda"``, ``"cpu"``): the fine stage's
        FFTs and fits run in torch there.
    """

    window: int = 32
    step: int = 1
    coarse_window: int = 64
    coarse_step: int = 16
    max_frequency: float = 0.35
    iterations: int = 3
    taper_beta: float = 0.5
    device: str | None = None

    def __post_init__(self) -> None:
        for name in ("window", "coarse_window"):
            value = getattr(self, name)
            if value < 8 or value % 2:
                raise QuakebenchError(f"{name} must be an even number >= 8, got {value}")
        for name in ("step", "coarse_step", "iterations"):
            if getattr(self, name) < 1:
                raise QuakebenchError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not 0 < self.max_frequency <= 0.5:
            raise QuakebenchError(
                f"max_frequency must be in (0, 0.5] cycles per pixel, got {self.max_frequency}"
            )
