"""The correlator baseline's defaults (imports nothing heavy: the command line reads them)."""

from __future__ import annotations

from dataclasses import dataclass

from baselines.imagery.settings import CorrelationSettings


@dataclass(frozen=True)
class CorrelatorConfig(CorrelationSettings):
    """The correlator baseline's settings, defaults for Landsat-8 panchromatic images (fields
    as :class:`~baselines.imagery.settings.CorrelationSettings`)."""

    window: int = 32
    step: int = 1
    coarse_window: int = 64
    coarse_step: int = 16
    max_frequency: float = 0.35
    iterations: int = 3
    taper_beta: float = 0.5
    device: str | None = None
    transform: str = "sliding"
