"""Train the networks and score them in one short GPU job, in one command.

The job is sized for a GPU machine used for minutes, without ``cutde``, ``rasterio``,
``datasets`` or ``dask``, whose outputs are megabytes: nothing is carried but the checkout and
three wheels (``cutde``, ``mako`` and ``threadpoolctl``, :mod:`benchmarks.gpu_window`), and
everything is made on the GPU machine:

1. the preset's ``validation`` and ``test`` samples are rendered from the bundled scenes and
   the build's seed, by the generator (the scenes travel with the checkout; tifffile reads
   them without GDAL), and their records are compared with the pinned ones: an official or
   numerically equivalent split is scored, any other stops the recipe;
2. a field bank is simulated on every core;
3. each network is trained on the stream in turn (:func:`baselines.models.train.train`, the
   regenerated validation samples in memory), its steps fitted to its share of the time left
   from a short timed run;
4. each is scored on the regenerated test split (:func:`quakebench.evaluate.score`);
5. results files (ranked by the leaderboard like any other), the log and a figure of the
   validation curves are written to the output folder; weights stay in the scratch folder.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from baselines.generator.earthquake.simulate import GENERATOR_VERSION
from baselines.models.config import RECIPES, NetworkConfig, TrainConfig, WindowConfig
from baselines.models.predict import network_predictor
from baselines.models.train import train
from baselines.stream.bank import build_bank
from baselines.stream.config import BankConfig
from quakebench import __version__
from quakebench.config import BuildConfig, DatasetConfig
from quakebench.contract import parse_sample_id
from quakebench.data.address import manifest_record
from quakebench.data.records import sample_record
from quakebench.data.revision import DIFFERENT, check_records
from quakebench.errors import QuakebenchError
from quakebench.evaluate import results_file, score, split_record
from quakebench.plots import plot_training_curves, save
from quakebench.presets import get_preset
from quakebench.preview import Previews
from quakebench.results import write_results

CALIBRATION_STEPS = 30
"""Steps of the timed run that fits a network's steps to its share of the window."""

VALIDATIONS = 4
"""Validations (and checkpoints) per network: the best of them is scored."""

SCORING_RESERVE = 0.1
"""Share of the budget kept for scoring and writing."""

_source = None  # the generator's sample source, one per regenerating process


def _start_source(dataset: str, preset: str) -> None:
    from baselines.generator.samples.source import generator_source

    global _source
    _source = generator_source(BuildConfig(dataset, preset=preset, output=Path()))


def _render(sample_id: str) -> dict:
    _, split, index = parse_sample_id(sample_id)
    return _source.sample(split, index)


def regenerate(
    dataset: str, preset: str, ids: list[str], workers: int, progress: bool = True
) -> dict[str, dict]:
    """The preset's samples ``ids``, rendered here by the generator: ``{id: sample}``."""
    context = multiprocessing.get_context("spawn")  # the kernels' threads do not survive fork
    with ProcessPoolExecutor(
        workers, context, initializer=_start_source, initargs=(dataset, preset)
    ) as pool:
        rendered = tqdm(
            pool.map(_render, ids), total=len(ids), desc="samples", disable=not progress
        )
        return dict(zip(ids, rendered, strict=True))


def pinned_ids(dataset: str, preset: str, split: str, count: int | None) -> list[str]:
    """The first ``count`` (default: all) pinned sample ids of a split, in id order."""
    records = get_preset(preset).records(dataset)
    ids = sorted(i for i, r in records.items() if r["scalars"]["split"] == split)
    return ids[:count] if count is not None else ids


@dataclass
class TrainedNetwork:
    """What the window trained: the run folder, its steps, and what the training cost."""

    model: str
    folder: Path
    steps: int
    batch_size: int
    seconds: float
    step_seconds: float
    log: list[dict]

    @property
    def best(self) -> dict:
        """The log row of the checkpoint scored (the lowest validation MAE)."""
        return min(self.log, key=lambda row: row["validation_mae_px"])


def fitted_steps(left_s: float, step_s: float, overhead_s: float) -> int:
    """Steps that fit in ``left_s`` seconds at ``step_s`` a step, after the start-up and the
    validations (``overhead_s`` each, as the timed run's); at least the timed run's."""
    return max(int((left_s - VALIDATIONS * overhead_s) / step_s), CALIBRATION_STEPS)


def own_recipe(model: str) -> str:
    """What ``model`` trains with instead of the window's settings (``RECIPES``), as text."""
    settings = RECIPES.get(model, {})
    if not settings:
        return ""
    return f"; {model} overrides: " + ", ".join(
        f"{name} {value}" for name, value in settings.items()
    )


def train_network(
    model: str,
    config: WindowConfig,
    bank: Path,
    validation: list[dict],
    share_s: float,
    progress: bool,
) -> TrainedNetwork:
    """Train ``model`` on the stream for about ``share_s`` seconds (or ``config.steps``)."""
    run = TrainConfig(
        model,
        DatasetConfig(config.dataset),
        config.work / "runs" / model,
        crop=config.crop,
        batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        seed=config.seed,
        workers=config.loaders,
        device=config.device,
        stream=bank,
        steps=config.steps or CALIBRATION_STEPS,
        validate_every=config.steps or CALIBRATION_STEPS,
    )
    run = replace(run, **RECIPES.get(model, {}))
    shutil.rmtree(run.output, ignore_errors=True)  # the window starts afresh
    started = time.perf_counter()
    step_s = float("nan")
    if config.steps is None:  # a timed run in a scratch folder, thrown away
        calibration = replace(run, output=config.work / "runs" / f"{model}-timing")
        shutil.rmtree(calibration.output, ignore_errors=True)
        (row,) = train(calibration, progress=progress, validation=validation)
        step_s = row["seconds"] / CALIBRATION_STEPS
        elapsed_s = time.perf_counter() - started
        steps = fitted_steps(share_s - elapsed_s, step_s, elapsed_s - row["seconds"])
        run = replace(run, steps=steps, validate_every=max(steps // VALIDATIONS, 1))
    log = train(run, progress=progress, validation=validation)
    return TrainedNetwork(
        model,
        run.output,
        run.steps,
        run.batch_size,
        time.perf_counter() - started,
        step_s,
        log,
    )


def score_network(
    trained: TrainedNetwork,
    config: WindowConfig,
    test: dict[str, dict],
    dataset_record: dict,
    records: dict[str, dict],
    hardware: str,
) -> dict:
    """The results file of a trained network's best checkpoint on the regenerated test split."""
    predict = network_predictor(
        NetworkConfig(trained.model, trained.folder / "best.pt", config.device, config.symmetries)
    )
    started = time.perf_counter()
    predictions = {sample_id: predict(sample) for sample_id, sample in test.items()}
    runtime_s = (time.perf_counter() - started) / len(test)
    previews = Previews.of(config.preset, config.dataset)
    scored = score(predictions, test.values(), previews)
    best = trained.best
    recipe = (
        f"one-window recipe (baselines/models/window.py): {config.bank_fields} fields of "
        f"{config.bank_size} px, crop {config.crop}, batch {config.batch_size}, lr "
        f"{config.learning_rate:g} cosine over {trained.steps} steps fitted to the window, "
        f"seed {config.seed}; checkpoint selected on validation; predictions averaged over "
        f"{config.symmetries} symmetries of the square" + own_recipe(trained.model)
    )
    return results_file(
        scored,
        split_record(dataset_record, "test", records),
        "test",
        trained.model,
        method_version=(
            f"quakebench {__version__}, window recipe: best.pt at step {best['step']} of "
            f"{trained.steps}"
        ),
        runtime_s_per_sample=round(runtime_s, 4),
        hardware=hardware,
        previews=previews.encoded,
        extra={
            "trained_on": hardware,
            "steps": str(trained.steps),
            "samples_seen": str(trained.steps * trained.batch_size),
            "wall_time_s": str(round(trained.seconds)),
            "recipe": recipe,
            "data": "validation and test splits rendered on the scoring machine by the "
            "generator and checked against the pinned records",
        },
    )


def run_window(config: WindowConfig, progress: bool = True) -> dict:
    """Run the recipe; returns its summary (also written as ``window.json``)."""
    started = time.perf_counter()
    deadline = started + config.budget_s
    config.output.mkdir(parents=True, exist_ok=True)
    device = config.device or ("cuda" if torch.cuda.is_available() else "cpu")
    config = replace(config, device=device)
    hardware = torch.cuda.get_device_name() if device.startswith("cuda") else "CPU"
    phases: dict[str, float] = {}

    def phase(name: str, since: float) -> float:
        phases[name] = round(time.perf_counter() - since, 1)
        return time.perf_counter()

    now = time.perf_counter()
    validation_ids = pinned_ids(
        config.dataset, config.preset, "validation", config.validation_samples
    )
    test_ids = pinned_ids(config.dataset, config.preset, "test", config.test_samples)
    samples = regenerate(
        config.dataset, config.preset, validation_ids + test_ids, config.processes, progress
    )
    records = {sample_id: sample_record(sample) for sample_id, sample in samples.items()}
    check = check_records(config.dataset, config.preset, records, splits=None)
    if check.status == DIFFERENT:
        raise QuakebenchError(
            "regenerated samples differ from the pinned records: " + "; ".join(check.summary())
        )
    now = phase("regenerate", now)

    bank_config = BankConfig(
        config.work / "bank",
        config.bank_fields,
        config.bank_size,
        seed=config.seed,
        workers=config.processes,
    )
    (pixel_size_m,) = bank_config.pixel_sizes_m  # the default: Landsat-8 panchromatic, 15 m
    bank = build_bank(bank_config, progress)[pixel_size_m]
    now = phase("bank", now)

    validation = [samples[i] for i in validation_ids]
    test = {i: samples[i] for i in test_ids}
    preset = get_preset(config.preset)
    # The record a build of the preset's manifest gives (the samples were checked against it).
    dataset_record = manifest_record(
        {
            "dataset": config.dataset,
            "preset_parameters": config.preset,
            "generator": GENERATOR_VERSION,
            **preset.parameters,
            "content_sha256": preset.content_sha256[config.dataset],
        }
    )
    trained, written = [], []
    for k, model in enumerate(config.models):
        left = deadline - time.perf_counter() - SCORING_RESERVE * config.budget_s
        network = train_network(
            model, config, bank, validation, left / (len(config.models) - k), progress
        )
        trained.append(network)
        now = phase(f"train {model}", now)
        results = score_network(
            network, config, test, dataset_record, {i: records[i] for i in test_ids}, hardware
        )
        path = config.output / f"{config.dataset}-{config.preset}-{model}-window.json"
        write_results(results, path)
        written.append(path.name)
        now = phase(f"score {model}", now)

    zero = {s["id"]: np.zeros_like(s["displacement"]) for s in validation}
    zero_px = score(zero, validation)["metrics"]["mae"]
    curves = {
        n.model: ([row["step"] for row in n.log], [row["validation_mae_px"] for row in n.log])
        for n in trained
    }
    save(plot_training_curves(curves, zero_px), config.output / "window_curves.png")
    summary = {
        "hardware": hardware,
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "verdict": check.summary(),
        "phases_s": phases,
        "total_s": round(time.perf_counter() - started, 1),
        "validation_zero_mae_px": zero_px,
        "networks": {
            n.model: {
                "steps": n.steps,
                "seconds": round(n.seconds, 1),
                "training_samples_per_s": round(n.batch_size / n.step_seconds, 1)
                if np.isfinite(n.step_seconds)
                else None,
                "best_step": n.best["step"],
                "best_validation_mae_px": n.best["validation_mae_px"],
                "log": n.log,
            }
            for n in trained
        },
        "results": written,
    }
    (config.output / "window.json").write_text(json.dumps(summary, indent=1))
    _write_log(config.output / "window_log.csv", trained)
    return summary


def _write_log(path: Path, trained: list[TrainedNetwork]) -> None:
    """Every network's log rows in one CSV, with the network's name."""
    rows = [{"model": n.model, **row} for n in trained for row in n.log]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, sorted({k for row in rows for k in row}))
        writer.writeheader()
        writer.writerows(rows)
