"""Scoring a predictions file against a dataset split: the only place metrics meet files.

Samples and prediction members are read one at a time, so memory does not grow with the
number of samples. The results (the contract's results file) hold the aggregate metrics (over
all valid pixels of all samples), each sample's metrics, and where the numbers come from.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import platform
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from quakebench import __version__
from quakebench.atomic import atomic_path
from quakebench.data.manifest import MANIFEST, read_manifest
from quakebench.data.reader import dataset_path, iter_samples, split_ids, stream_split
from quakebench.errors import QuakebenchError
from quakebench.metrics import ErrorStatistics, error_statistics
from quakebench.predictions import PredictionReader

PER_SAMPLE_METRICS = (
    "mae",
    "mae_east",
    "mae_north",
    "epe",
    "rmse",
    "bias_east",
    "bias_north",
    "fault_offset_bias",
    "fault_offset_mae",
)


@dataclass(frozen=True)
class EvaluationConfig:
    """What to score, and how to label the results.

    Attributes
    ----------
    predictions : Path
        The ``.npz`` predictions file.
    dataset : str
        A dataset folder, or a Hub name (``prewarped``, ``postwarped``, ``owner/name``).
    split : str
    method : str
        Name of the method, for the leaderboard.
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
    """

    predictions: Path
    dataset: str
    split: str = "validation"
    method: str = "unnamed"
    method_version: str = ""
    runtime_s_per_sample: float | None = None
    hardware: str | None = None
    plots: Path | None = None
    plot_samples: int = 3


def dataset_revision(dataset: str) -> dict:
    """Generator version, seed, size and content hash of a build, from its manifest.

    A Hub dataset's manifest is downloaded (``manifest.json`` of the repository).
    """
    path = dataset_path(dataset)
    origin = {}
    if not Path(path).is_dir():
        from huggingface_hub import hf_hub_download
        from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

        try:
            path = Path(hf_hub_download(path, MANIFEST, repo_type="dataset")).parent
        except (HfHubHTTPError, LocalEntryNotFoundError, OSError) as error:
            raise QuakebenchError(f"{dataset}: cannot fetch its {MANIFEST} ({error})") from None
        origin = {"hub": dataset_path(dataset)}
    manifest = read_manifest(path)
    keys = ("dataset", "generator", "seed", "size", "num_samples", "content_sha256")
    return {**origin, **{key: manifest[key] for key in keys}}


def _finite(value):
    """JSON has no NaN: undefined metrics (e.g. an empty band) become null."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return None if isinstance(value, float) and math.isnan(value) else value


def evaluate(config: EvaluationConfig, progress: bool = True) -> dict:
    """Score a predictions file; returns the results (see :func:`write_results`)."""
    dataset = stream_split(config.dataset, config.split)
    ids = split_ids(config.dataset, config.split)
    if not ids:
        raise QuakebenchError(f"{config.dataset}: split {config.split} has no samples")
    revision = dataset_revision(config.dataset)
    if config.plots:
        from quakebench import plots

        config.plots.mkdir(parents=True, exist_ok=True)

    total = ErrorStatistics()
    per_sample = {}
    with (
        PredictionReader(config.predictions) as reader,
        tqdm(total=len(ids), unit="sample", disable=not progress) as bar,
    ):
        reader.check_ids(ids)
        for index, sample in enumerate(iter_samples(dataset)):
            bar.update()
            truth = sample["displacement"]
            predicted = reader.read(sample["id"], truth.shape)
            stats = error_statistics(predicted, truth, sample["valid"], sample["rupture"])
            total = total + stats
            metrics = stats.metrics()
            per_sample[sample["id"]] = {
                **{name: metrics[name] for name in PER_SAMPLE_METRICS},
                "mae_by_band": {band: m["mae"] for band, m in metrics["bands"].items()},
                "magnitude": sample["magnitude"],
            }
            if config.plots and index < config.plot_samples:
                figure = plots.plot_sample(sample, predicted, metrics)
                plots.save(figure, config.plots / f"sample_{sample['id']}.png")

    metrics = total.metrics()
    results = {
        "method": config.method,
        "method_version": config.method_version,
        "dataset": revision,
        "split": config.split,
        "num_samples": len(ids),
        "metrics": metrics,
        "per_sample": per_sample,
        "runtime_s_per_sample": config.runtime_s_per_sample,
        "hardware": config.hardware,
        "evaluated_with": f"quakebench {__version__}",
        "evaluation_machine": platform.platform(),
        "date": datetime.date.today().isoformat(),
    }
    if config.plots:
        plots.save(plots.plot_profile(metrics, config.method), config.plots / "error_profile.png")
    return _finite(results)


def write_results(results: dict, path: str | os.PathLike) -> None:
    """Write the results JSON atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(json.dumps(results, indent=2) + "\n")


def summary_table(results: dict) -> str:
    """A plain-text table of the headline metrics and the distance bands."""
    metrics = results["metrics"]
    lines = [
        f"{results['method']} on {results['dataset'].get('dataset', results['dataset'])} "
        f"{results['split']} ({results['num_samples']} samples), pixels:",
        f"{'':>12} {'mae':>8} {'mae_E':>8} {'mae_N':>8} {'epe':>8} {'rmse':>8} "
        f"{'bias_E':>8} {'bias_N':>8} {'pixels':>10}",
    ]
    rows = [("all", {**metrics, "count": sum(b["count"] for b in metrics["bands"].values())})]
    rows += list(metrics["bands"].items())
    for name, m in rows:
        values = [
            m[k] for k in ("mae", "mae_east", "mae_north", "epe", "rmse", "bias_east", "bias_north")
        ]
        cells = " ".join("       -" if v is None else f"{v:8.4f}" for v in values)
        lines.append(f"{name:>12} {cells} {m['count']:>10}")
    bias = metrics["fault_offset_bias"]
    lines.append(
        "fault offset: "
        + (
            "-"
            if bias is None
            else f"relative bias {bias:+.3f}, mae {metrics['fault_offset_mae']:.4f} px"
        )
    )
    return "\n".join(lines)
