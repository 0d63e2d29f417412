"""The settings of phase correlation, with no defaults: each user states its own.

The correlator baseline takes its defaults from :class:`baselines.correlator.config.
CorrelatorConfig`; the generator's motion mask from a frozen constant of the data contract
(:data:`baselines.imagery.validity.MOTION_CORRELATION`), so changing a baseline default can
never change the data. Imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass

from quakebench.errors import QuakebenchError

TRANSFORMS = ("sliding", "window")
"""The fine stage's ways of transforming windows (:attr:`CorrelationSettings.transform`)."""


@dataclass(frozen=True)
class CorrelationSettings:
    """How :func:`baselines.imagery.correlate.correlate` maps a pair.

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
        window transforms and fits run in torch there.
    transform : str
        How the fine stage transforms its windows: ``"sliding"`` shares each row segment's
        transform between the windows that contain it
        (:mod:`~baselines.imagery.sliding_transform`, NumPy); ``"window"`` runs an ``rfft2`` per
        window (NumPy, or torch on ``device``). The two agree to float32 rounding.
    """

    window: int
    step: int
    coarse_window: int
    coarse_step: int
    max_frequency: float
    iterations: int
    taper_beta: float
    device: str | None
    transform: str

    def __post_init__(self) -> None:
        for name in ("window", "coarse_window"):
            value = getattr(self, name)
            if value < 8 or value % 2:
                raise QuakebenchError(f"{name} must be an even number >= 8, got {value}")
        for name in ("step", "coarse_step", "iterations"):
            if getattr(self, name) < 1:
                raise QuakebenchError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.transform not in TRANSFORMS:
            raise QuakebenchError(
                f"transform must be one of {', '.join(TRANSFORMS)}, got {self.transform!r}"
            )
        if self.device is not None and self.transform != "window":
            raise QuakebenchError(
                f"device {self.device}: a torch device runs the window transform, so set "
                "transform to 'window' (--transform window); the sliding one runs in NumPy"
            )
        if not 0 < self.max_frequency <= 0.5:
            raise QuakebenchError(
                f"max_frequency must be in (0, 0.5] cycles per pixel, got {self.max_frequency}"
            )
