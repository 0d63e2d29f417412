"""The options of the core's commands, checked: what to build, what to score, what to predict.

These dataclasses are the single source of every default: the command line reads its defaults
and choices from them. They import nothing heavy, so that ``quakebench --help`` stays fast.
Bad values raise :class:`~quakebench.errors.QuakebenchError` naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from quakebench.contract import DATASETS, check_label, split_of
from quakebench.errors import QuakebenchError

DEFAULT_SPLIT = "validation"
"""The split that methods predict and ``evaluate`` scores unless told otherwise: validation,
where recipes are tuned and scored as often as one likes. The leaderboard ranks ``test``, which
is scored once per submitted model and so is always asked for by name (``--split test``)."""


@dataclass(frozen=True)
class DatasetConfig:
    """Which dataset a command reads: the one address every split reader takes.

    Attributes
    ----------
    dataset : str
        A dataset folder, or a Hub name (``prewarped``, ``postwarped``, ``owner/name``).
    config_name : str or None
        The Hub config (a preset: ``mini``, ``full``); default: the repository's default.
    revision : str or None
        The Hub branch, tag or commit; read at the commit it resolves to, which results record.
    """

    dataset: str
    config_name: str | None = None
    revision: str | None = None


MAX_SAMPLES = 1_000_000
"""Sample ids number a split with 6 digits; the release holds 100,000 samples a dataset."""

BUILD_DEFAULTS = {"num_samples": None, "num_test_samples": 0, "size": 1024, "seed": 0}
"""The parameters a preset may fix, and their values without one."""


@dataclass(frozen=True)
class BuildConfig:
    """What to build, and where.

    Attributes
    ----------
    dataset : {"prewarped", "postwarped"}
    num_samples : int
        Samples of the train and validation splits together (required unless a preset).
    output : Path
        The dataset folder.
    num_test_samples : int
        Samples of the test split, from the held-out places (default 0).
    size : int
        Tile side, pixels (default 1024).
    seed : int
        Default 0.
    preset : str or None
        ``mini`` or ``full`` (:mod:`quakebench.presets`): fixes the four fields above; giving
        one of them with another value is an error.
    min_valid_fraction : float
        Smallest fraction of valid, textured pixels of every sample.
    samples_per_shard : int or None
        Samples per Parquet shard; by default enough for about 500 MB.
    catalog : Path or None
        JSON scene catalogue (:mod:`baselines.imagery.scenes`); the bundled one by default.
    scenes : Path or None
        A folder of single-date GeoTIFFs instead (``prewarped`` only, all of role ``train``).
    workers : int or None
        Local Dask worker processes (default: one per core).
    scheduler : str or None
        Address of a running Dask scheduler (e.g. one started by dask-jobqueue on a cluster)
        instead of a local cluster.
    """

    dataset: str
    num_samples: int | None = None
    output: Path = field(kw_only=True)
    num_test_samples: int | None = None
    size: int | None = None
    seed: int | None = None
    preset: str | None = None
    min_valid_fraction: float = 0.5
    samples_per_shard: int | None = None
    catalog: Path | None = None
    scenes: Path | None = None
    workers: int | None = None
    scheduler: str | None = None

    def __post_init__(self) -> None:
        values = dict(BUILD_DEFAULTS)
        if self.preset is not None:
            from quakebench.presets import get_preset

            values = get_preset(self.preset).parameters
            for name, value in values.items():
                given = getattr(self, name)
                if given is not None and given != value:
                    raise QuakebenchError(
                        f"{name} {given} conflicts with preset {self.preset} ({name} {value}); "
                        "drop one of them"
                    )
        for name, value in values.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        object.__setattr__(self, "output", Path(self.output))
        if self.dataset not in DATASETS:
            raise QuakebenchError(
                f"dataset must be one of {', '.join(DATASETS)}, got {self.dataset}"
            )
        if self.num_samples is None or not 1 <= self.num_samples <= MAX_SAMPLES:
            raise QuakebenchError(
                f"num_samples must lie in [1, {MAX_SAMPLES:,}] (or give a preset), "
                f"got {self.num_samples}"
            )
        if not 0 <= self.num_test_samples <= MAX_SAMPLES:
            raise QuakebenchError(
                f"num_test_samples must lie in [0, {MAX_SAMPLES:,}], got {self.num_test_samples}"
            )
        if self.size < 16:
            raise QuakebenchError(f"size must be at least 16 pixels, got {self.size}")
        if self.seed < 0:
            raise QuakebenchError(f"seed must be non-negative, got {self.seed}")
        if not 0 <= self.min_valid_fraction <= 1:
            raise QuakebenchError(
                f"min_valid_fraction must be in [0, 1], got {self.min_valid_fraction}"
            )
        if self.samples_per_shard is not None and self.samples_per_shard < 1:
            raise QuakebenchError(
                f"samples_per_shard must be at least 1, got {self.samples_per_shard}"
            )
        if self.workers is not None and self.workers < 1:
            raise QuakebenchError(f"workers must be at least 1, got {self.workers}")
        if self.scenes is not None and self.dataset == "postwarped":
            raise QuakebenchError("scenes: postwarped needs two-date pairs; give a catalog instead")

    def split_size(self, split: str) -> int:
        """Samples of ``split`` in this build."""
        if split == "test":
            return self.num_test_samples
        return sum(split_of(i) == split for i in range(self.num_samples))


@dataclass(frozen=True)
class EvaluationConfig:
    """What to score, and how to label the results.

    Attributes
    ----------
    predictions : Path
        The ``.npz`` predictions file.
    data : DatasetConfig
        The dataset scored.
    split : str
    method : str or None
        Name of the method, for the leaderboard (default: the predictions file's name).
    method_version : str
        Its version or commit.
    runtime_s_per_sample : float or None
        Seconds per sample of the method, when measured.
    hardware : str or None
        Where that runtime was measured.
    plots : Path or None
        Folder for figures.
    plot_samples : int
        Samples drawn as maps.
    extra : tuple of (str, str)
        Fields of the submitter's own, kept under the results file's ``extra`` key.
    """

    predictions: Path
    data: DatasetConfig
    split: str = DEFAULT_SPLIT
    method: str | None = None
    method_version: str = ""
    runtime_s_per_sample: float | None = None
    hardware: str | None = None
    plots: Path | None = None
    plot_samples: int = 3
    extra: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        check_label("method", self.method_name)
        check_label("method_version", self.method_version)
        check_label("hardware", self.hardware)
        if self.runtime_s_per_sample is not None and not self.runtime_s_per_sample >= 0:
            raise QuakebenchError(
                f"runtime_s_per_sample must be non-negative, got {self.runtime_s_per_sample}"
            )

    @property
    def method_name(self) -> str:
        """The method's name: as given, else the predictions file's name."""
        return self.method or Path(self.predictions).stem


MAX_REPLICATES = 100_000
"""More draws than this narrow no interval visibly, and their weights would fill memory."""


@dataclass(frozen=True)
class BootstrapConfig:
    """How a board's intervals are drawn.

    Attributes
    ----------
    replicates : int
        Bootstrap draws per interval.
    seed : int
        Seed of the draws, so the page is reproducible.
    confidence : float
        Coverage of the intervals.
    """

    replicates: int = 2000
    seed: int = 0
    confidence: float = 0.95

    def __post_init__(self) -> None:
        if not 100 <= self.replicates <= MAX_REPLICATES:
            raise QuakebenchError(
                f"replicates must lie in [100, {MAX_REPLICATES}], got {self.replicates}"
            )
        if not 0 < self.confidence < 1:
            raise QuakebenchError(f"confidence must lie in (0, 1), got {self.confidence}")


@dataclass(frozen=True)
class LeaderboardConfig:
    """Which results files make the leaderboard, and how its intervals are drawn.

    Attributes
    ----------
    results : tuple of Path
        Results files (``quakebench evaluate --output``), each validated.
    output : Path or None
        Markdown file whose tables (between the leaderboard markers) are replaced.
    html : Path or None
        The self-contained HTML page to write.
    official : bool
        Refuse results scored on a revision that is not a pinned preset.
    replicates, seed, confidence
        The intervals' draws (:class:`BootstrapConfig`, which :attr:`bootstrap` returns).
    maps : tuple of str
        Datasets (folders or Hub names) the page's example maps read their preview samples
        from; None: no maps.
    """

    results: tuple[Path, ...]
    output: Path | None = None
    html: Path | None = None
    official: bool = False
    replicates: int = BootstrapConfig.replicates
    seed: int = BootstrapConfig.seed
    confidence: float = BootstrapConfig.confidence
    maps: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not self.results:
            raise QuakebenchError("results: give at least one results file")
        self.bootstrap  # noqa: B018 (validates the draws' settings)

    @property
    def bootstrap(self) -> BootstrapConfig:
        """The intervals' draws, as the boards take them."""
        return BootstrapConfig(self.replicates, self.seed, self.confidence)


HUB_REPO = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
HUB_CONFIG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


@dataclass(frozen=True)
class PushConfig:
    """Which build goes to which Hub repository, as which config.

    Attributes
    ----------
    folder : Path
        A finished build (``quakebench generate --output``).
    repo_id : str
        The dataset repository, ``owner/name`` (e.g. ``quakebench/prewarped``).
    config_name : str or None
        The config (and folder) it becomes in the repository; default: the build's preset.
    revision : str
        The branch to commit to (created from ``main`` if missing).
    private : bool
        Create the repository private (an existing one keeps its visibility).
    batch_files : int
        Shards uploaded per batch (each batch is resumable on its own).
    """

    folder: Path
    repo_id: str
    config_name: str | None = None
    revision: str = "main"
    private: bool = False
    batch_files: int = 50

    def __post_init__(self) -> None:
        if not HUB_REPO.fullmatch(self.repo_id):
            raise QuakebenchError(f"repo_id must be owner/name, got {self.repo_id!r}")
        if self.config_name is not None and not HUB_CONFIG.fullmatch(self.config_name):
            raise QuakebenchError(
                f"config {self.config_name!r} must be a name of letters, digits, - and _ "
                "(it becomes a folder of the repository)"
            )
        if self.batch_files < 1:
            raise QuakebenchError(f"batch_files must be positive, got {self.batch_files}")


@dataclass(frozen=True)
class PredictionConfig:
    """Which split a method predicts, and the predictions file it writes.

    Attributes
    ----------
    data : DatasetConfig
        The dataset predicted.
    output : Path
        The ``.npz`` predictions file.
    split : str
    workers : int or None
        Predict on a local Dask cluster of this many processes, one task a shard.
    scheduler : str or None
        Predict on the cluster of a running Dask scheduler (``tcp://HOST:PORT``).
    """

    data: DatasetConfig
    output: Path
    split: str = DEFAULT_SPLIT
    workers: int | None = None
    scheduler: str | None = None
