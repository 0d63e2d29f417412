"""What the builder needs from whoever renders samples: a sample source.

The builder (:mod:`quakebench.data.build`) plans shards, resumes, runs Dask and writes the
manifest and card; it renders nothing itself. The command line wires in the generator's
source (``generator.source.generator_source`` of the reference methods' package), so the
core's data layer imports no method, generator or correlator code.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class SampleSource(Protocol):
    """Renders the samples of one build (it must pickle: Dask ships it to every worker).

    Attributes
    ----------
    generator : str
        The generator version, recorded in every sample and in the manifest.
    pre_dtype : str
        The stored dtype of the first image: ``uint16`` digital numbers, or ``float32``.
    scenes : list of str
        The scene ids samples may be cropped from.
    places : dict
        ``{role: place names}``.
    noise_px : dict
        ``{place: pixels}``: the noise of a two-date place's real pair (the robust spread of
        its measured displacement where the ground is stable), the floor under any method's
        error there; empty where samples come from single dates.
    """

    generator: str
    pre_dtype: str
    scenes: list[str]
    places: dict[str, list[str]]
    noise_px: dict[str, float]

    def check(self, splits: Iterable[str]) -> None:
        """Raise :class:`~quakebench.errors.QuakebenchError` if a split cannot be rendered
        (no place can host its tiles), before anything is written."""

    def sample(self, split: str, index: int) -> dict:
        """Sample ``index`` of ``split``: the contract's fields."""
