"""The generator as the builder's sample source: places, scenes and the samples of one build.

:func:`generator_source` reads the scene catalogue (or a folder of scenes) a build names,
prepares each place's masks once, and returns a :class:`GeneratorSource` that renders sample
``(split, index)`` with :func:`~baselines.generator.samples.sample.make_sample`. The command
line hands it to :func:`quakebench.data.build.build`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from baselines.generator.earthquake.simulate import GENERATOR_VERSION
from baselines.generator.samples.sample import (
    Source,
    candidates,
    make_sample,
    pair_source,
    scene_source,
)
from baselines.imagery.scenes import BUNDLED_CATALOG, read_catalog, scenes_in_folder
from quakebench.config import BuildConfig
from quakebench.contract import ROLES, SPLITS, role_of


@dataclass(frozen=True)
class GeneratorSource:
    """Renders the samples of one build (see :class:`quakebench.data.source.SampleSource`)."""

    dataset: str
    seed: int
    size: int
    floor: float
    library: tuple[Source, ...]
    generator: str = GENERATOR_VERSION

    @property
    def pre_dtype(self) -> str:
        return "uint16" if self.library[0].pre.image.dtype == "uint16" else "float32"

    @property
    def scenes(self) -> list[str]:
        ids = {s.pre.id for s in self.library} | {s.post.id for s in self.library if s.post}
        return sorted(ids)

    @property
    def noise_px(self) -> dict[str, float]:
        """Each two-date place's real-pair noise, pixels (``postwarped`` only)."""
        if self.dataset != "postwarped":
            return {}
        return {s.place: s.noise_px for s in self.library if s.noise_px is not None}

    @property
    def places(self) -> dict[str, list[str]]:
        return {role: sorted({s.place for s in self.library if s.role == role}) for role in ROLES}

    def check(self, splits: Iterable[str]) -> None:
        for split in splits:
            candidates(self.dataset, split, self.size, list(self.library))

    def sample(self, split: str, index: int) -> dict:
        return make_sample(
            self.dataset, self.seed, split, index, self.size, list(self.library), self.floor
        )


def source_library(
    dataset: str,
    roles: Iterable[str],
    catalog: str | os.PathLike | None = None,
    scenes: str | os.PathLike | None = None,
) -> list[Source]:
    """The places of the given roles a dataset draws from, each with its masks: the pairs of a
    scene catalogue (and, for ``prewarped``, its single scenes), or a folder of scenes."""
    roles = set(roles)
    if scenes is not None:
        return [scene_source(scene) for scene in scenes_in_folder(scenes)]
    singles, pairs = read_catalog(catalog or BUNDLED_CATALOG)
    paired = {scene.id for pair in pairs for scene in (pair.pre, pair.post)}
    library = [pair_source(pair) for pair in pairs if pair.role in roles]
    if dataset == "prewarped":
        unpaired = [s for s in singles.values() if s.id not in paired and s.role in roles]
        library += [scene_source(scene) for scene in unpaired]
    return library


def generator_source(config: BuildConfig) -> GeneratorSource:
    """The source of a build: the places of the roles its splits draw from, with their masks."""
    roles = {role_of(split) for split in SPLITS if config.split_size(split)}
    library = source_library(config.dataset, roles, config.catalog, config.scenes)
    return GeneratorSource(
        config.dataset, config.seed, config.size, config.min_valid_fraction, tuple(library)
    )


def build_with_generator(config: BuildConfig, progress: bool = True) -> dict:
    """Build (or finish) a dataset folder with the generator's samples; returns the manifest.

    What ``quakebench generate`` runs: :func:`quakebench.data.build.build` fed by
    :func:`generator_source`.
    """
    from quakebench.data.build import build

    return build(config, generator_source(config), progress)
