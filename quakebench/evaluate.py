"""Scoring a predictions file against a dataset split: the only place metrics meet files.

Samples and prediction members are read one at a time, so memory does not grow with the
number of samples. The results (the contract's results file) hold the aggregate metrics (over
all valid pixels of all samples), each sample's metrics, and where the numbers come from.
"""

from __future__ import annotations

import datetime
import platform
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from tqdm.auto import tqdm

from quakebench import __version__
from quakebench.config import EvaluationConfig
from quakebench.data.address import resolve
from quakebench.data.content import combine, sample_digest
from quakebench.data.read_ahead import read_ahead
from quakebench.data.records import sample_record
from quakebench.errors import QuakebenchError
from quakebench.localization import format_width
from quakebench.metrics import ErrorStatistics, error_statistics, offset_distance_px
from quakebench.predictions import PredictionReader, check_prediction
from quakebench.presets import DIFFERENT, PRESETS, pinned_records
from quakebench.preview import Previews
from quakebench.results import EXTRA, PREVIEWS, SCHEMA_VERSION, json_ready


def split_record(record: dict, split: str, records: dict[str, dict]) -> dict:
    """The results' ``dataset`` with what the scored split is.

    ``split_sha256`` is the hash of the samples read; where the build names a preset whose
    records are pinned, they are compared (:mod:`quakebench.data.revision`): an official or
    numerically equivalent split records the official split's hash and keeps the preset, so
    it ranks on the official board; any other keeps neither.
    """
    from quakebench.data.revision import check_records

    out = {
        **record,
        "split_sha256": combine({i: r["sha256"] for i, r in records.items()}),
        "official_split_sha256": None,
        "revision": None,
    }
    preset = record.get("preset")
    if pinned_records(preset, record["name"]):
        check = check_records(record["name"], preset, records, splits=[split])
        out["revision"] = check.status  # the verdict, see results.verdict
        if check.status == DIFFERENT:
            out["preset"] = None
        else:
            out["official_split_sha256"] = PRESETS[preset].split_sha256[record["name"]][split]
    return out


def score(
    predictions: Mapping[str, np.ndarray] | PredictionReader,
    samples: Iterable[dict],
    on_sample: Callable[[dict, np.ndarray, dict], None] | None = None,
) -> dict:
    """Score predictions held in memory (or a predictions file) on samples.

    A validation loop calls it with ``{id: [2, H, W] array}``; ``quakebench evaluate`` with the
    predictions file; both give the same numbers for the same arrays.

    Parameters
    ----------
    predictions : mapping or PredictionReader
        One ``[2, H, W]`` float array (east, north; pixels) per sample id, no other ids.
    samples : iterable of dict
        The samples (the contract's fields), e.g. ``read_samples(folder, split)``.
    on_sample : callable, optional
        Called as ``on_sample(sample, predicted, metrics)`` after each sample (figures).

    Returns
    -------
    dict
        ``num_samples``, ``metrics`` (over all valid pixels of all samples) and ``per_sample``
        (each sample's additive error statistics, magnitude and fault-zone width in pixels),
        as in a results file
        (:mod:`quakebench.results`); undefined metrics (an empty distance band) are None.
    """
    if isinstance(predictions, PredictionReader):
        read = predictions.read
    else:

        def read(sample_id: str, shape: tuple[int, ...]) -> np.ndarray:
            if sample_id not in predictions:
                raise QuakebenchError(f"predictions: missing prediction for id {sample_id}")
            return check_prediction(predictions[sample_id], sample_id, shape, "predictions")

    total = ErrorStatistics()
    per_sample = {}
    for sample in samples:
        truth = sample["displacement"]
        predicted = read(sample["id"], truth.shape)
        zone_px = float(sample["fault_zone_width_m"]) / float(sample["pixel_size_m"])
        stats = error_statistics(
            predicted, truth, sample["valid"], sample["rupture"], offset_distance_px(zone_px)
        )
        total = total + stats
        per_sample[sample["id"]] = {
            "statistics": stats.record(),
            "magnitude": float(sample["magnitude"]),
            "fault_zone_width_px": zone_px,
        }
        if on_sample is not None:
            on_sample(sample, predicted, stats.metrics())
        del sample, truth, predicted  # not held while the next sample is read
    if not isinstance(predictions, PredictionReader):
        unknown = sorted(set(predictions) - per_sample.keys())
        if unknown:
            raise QuakebenchError(f"predictions: unknown id {unknown[0]} (not among the samples)")
    scored = {"num_samples": len(per_sample), "metrics": total.metrics(), "per_sample": per_sample}
    return json_ready(scored)


def results_file(
    scored: dict,
    dataset: dict,
    split: str,
    method: str,
    method_version: str = "",
    runtime_s_per_sample: float | None = None,
    hardware: str | None = None,
    previews: Mapping[str, dict] | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict:
    """A results file (schema v4): :func:`score`'s output on ``split``, the split's
    ``dataset`` (:func:`split_record`), what ran, and the optional previews and extras."""
    results = {
        "schema_version": SCHEMA_VERSION,
        "method": method,
        "method_version": method_version,
        "dataset": dataset,
        "split": split,
        "num_samples": scored["num_samples"],
        "metrics": scored["metrics"],
        "per_sample": scored["per_sample"],
        "runtime_s_per_sample": runtime_s_per_sample,
        "hardware": hardware,
        "evaluated_with": f"quakebench {__version__}",
        "evaluation_machine": platform.platform(),
        "date": datetime.date.today().isoformat(),
    }
    if previews:
        results[PREVIEWS] = dict(sorted(previews.items()))
    if extra:
        results[EXTRA] = dict(extra)
    return results


def evaluate(config: EvaluationConfig, progress: bool = True) -> dict:
    """Score a predictions file on a dataset split; returns the results (schema v4)."""
    source = resolve(config.data)
    ids = source.ids(config.split)
    if not ids:
        raise QuakebenchError(f"{config.data.dataset}: split {config.split} has no samples")
    method = config.method_name
    previews = Previews.of(source.record["preset"], source.record["name"])
    if config.plots:
        from quakebench import plots

        config.plots.mkdir(parents=True, exist_ok=True)

    def on_sample(sample: dict, predicted: np.ndarray, metrics: dict) -> None:
        previews(sample, predicted, metrics)
        if config.plots and sample["id"] in ids[: config.plot_samples]:
            figure = plots.plot_sample(sample, predicted, metrics)
            plots.save(figure, config.plots / f"sample_{sample['id']}.png")

    records = {}
    pinned = bool(pinned_records(source.record["preset"], source.record["name"]))

    def record(sample: dict) -> dict:
        return sample_record(sample) if pinned else {"sha256": sample_digest(sample)}

    def recorded(samples: Iterable[dict], bar: tqdm) -> Iterable[dict]:
        """Each sample's record (its digest alone where nothing is pinned), hashed in a thread
        while the sample is scored: hashing and NumPy release the GIL."""
        with ThreadPoolExecutor(1) as hashing:
            for sample in samples:
                pending = hashing.submit(record, sample)
                yield sample
                records[str(sample["id"])] = pending.result()
                bar.update()
                del sample, pending  # not held while the next one is read

    with PredictionReader(config.predictions) as reader:
        reader.check_ids(ids)
        # The bar is updated, not wrapped around the samples: tqdm's iterator would hold each
        # sample while the next is read. It is closed before an error is printed.
        with tqdm(total=len(ids), unit="sample", disable=not progress) as bar:
            samples = read_ahead(source.samples(config.split))
            scored = score(reader, recorded(samples, bar), on_sample)
    dataset = split_record(source.record, config.split, records)
    claimed = source.split_sha256.get(config.split)
    if dataset["split_sha256"] != claimed:
        raise QuakebenchError(
            f"{config.data.dataset}: split {config.split} hashes to "
            f"{dataset['split_sha256'][:12]}..., its manifest says {str(claimed)[:12]}...: the "
            "build changed after it was written (quakebench verify names the samples)"
        )
    results = results_file(
        scored,
        dataset,
        config.split,
        method,
        method_version=config.method_version,
        runtime_s_per_sample=config.runtime_s_per_sample,
        hardware=config.hardware,
        previews=previews.encoded,
        extra=dict(config.extra),
    )
    if config.plots:
        plots.save(
            plots.plot_profile({method: scored["metrics"]["profile"]}),
            config.plots / "error_profile.png",
        )
    return results


def summary_table(results: dict) -> str:
    """A plain-text table of the headline metrics and the distance bands."""
    metrics = results["metrics"]
    lines = [
        f"{results['method']} on {results['dataset']['name']} "
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
    zone = metrics["zone"]
    lines.append(
        f"apparent zone width: {format_width(zone['apparent_width_px'])} "
        f"(truth {format_width(zone['true_apparent_width_px'])})"
    )
    return "\n".join(lines)
