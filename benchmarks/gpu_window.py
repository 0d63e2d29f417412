"""Train and score in one short GPU job: FlowNetS, StrainNet, FlowNetSD and the correlator
refiner, in one command.

On the machine that prepares the job: ``python benchmarks/gpu_window.py wheels .whl``
downloads what the GPU machine needs beyond its image, for Python 3.12 (``cutde``, ``mako``
and ``threadpoolctl``, about 1 MB).

On the GPU machine, from the checkout's root, as one command of about 10 minutes::

    PYTHONPATH=. PYTHONUNBUFFERED=1 python3 benchmarks/gpu_window.py run --wheels .whl \\
        --output $OUT --work /tmp/window

It installs the wheels, then runs :func:`baselines.models.window.run_window`: the
``prewarped`` ``mini`` validation and test splits rendered on the GPU machine and checked
against the pinned records, a field bank on every core, each network trained in turn for its
share of ``--budget-s``, and scored. ``$OUT`` gets four results files, ``window.json``
(phases, throughput, logs), ``window_log.csv`` and ``window_curves.png``: seven files, about
3 MB.

The machine needs one CUDA GPU and Python 3.12 with torch, numpy, scipy, scikit-image,
tifffile, tqdm, matplotlib and pyarrow; ``rasterio``, ``datasets`` and ``dask`` are not used.
On a CPU it runs at a tiny size (``--steps 2 --test-samples 2 ...``), as CI does.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

CARRIED = ("cutde==26.3.6", "mako==1.4.3", "threadpoolctl==3.8.0")
"""What the GPU machine needs beyond its image, as pinned wheels (``mako`` renders cutde's
kernels; ``threadpoolctl`` keeps BLAS in one thread inside the correlator's threads)."""

PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64")


def download_wheels(folder: Path) -> None:
    """The carried wheels for CPython 3.12 on x86-64 Linux."""
    platforms = [option for name in PLATFORMS for option in ("--platform", name)]
    pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    for_312 = ["--python-version", "3.12", "--implementation", "cp", *platforms]
    subprocess.run([*pip, *for_312, "-d", str(folder), *CARRIED], check=True)


def install_wheels(folder: Path, target: Path) -> None:
    """Install carried wheels into ``target`` and put it first on the import path."""
    wheels = sorted(str(path) for path in folder.glob("*.whl"))
    if not wheels:
        sys.exit(f"{folder}: no wheels (python benchmarks/gpu_window.py wheels {folder})")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps"]
    into = ["--no-compile", "--upgrade", "--target", str(target)]
    subprocess.run([*pip, *into, *wheels], check=True)
    sys.path.insert(0, str(target))  # spawned processes inherit the path


def main() -> None:
    from baselines.models.config import MODEL_NAMES, WindowConfig
    from quakebench.cli.options import config_from, config_option

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    wheels = commands.add_parser("wheels", help="download the carried wheels (here)")
    wheels.add_argument("folder", type=Path)
    run = commands.add_parser("run", help="run the recipe (there)")
    run.add_argument("--wheels", type=Path, help="install these wheels first")
    run.add_argument(
        "--site", type=Path, default=Path("/tmp/window-site"), help="where the wheels go"
    )

    def option(field: str, help: str, **kwargs) -> None:
        config_option(run, WindowConfig, field, help, **kwargs)

    option("output", "results files, window.json, the log and the figure", type=Path)
    option("work", "scratch: the bank and the runs (weights)", type=Path)
    option("dataset", "the pinned dataset to regenerate and score")
    option("preset", "its preset")
    option("budget_s", "seconds for the whole recipe")
    option("models", "networks, trained in turn", nargs="+", type=str, choices=MODEL_NAMES)
    option("bank_fields", "fields in the bank")
    option("bank_size", "side of the bank's fields, pixels")
    option("crop", "training crop side, pixels")
    option("batch_size", "samples per step")
    option("learning_rate", "AdamW learning rate")
    option("steps", "steps per network (default: fitted to the budget)", type=int)
    option("symmetries", "predictions averaged over 1 or 8 symmetries", choices=(1, 8))
    option("validation_samples", "the first pinned validation samples (default: all)", type=int)
    option("test_samples", "the first pinned test samples (default: all)", type=int)
    option("workers", "processes (default: every core)", type=int)
    option("device", "cuda, cpu, ... (default: cuda if available)")
    option("seed", "seed of the bank and the training runs")
    args = parser.parse_args()

    if args.command == "wheels":
        download_wheels(args.folder)
        return
    if args.wheels is not None:
        install_wheels(args.wheels, args.site)
    from baselines.models.window import run_window

    summary = run_window(config_from(WindowConfig, args, models=tuple(args.models)))
    print(f"phases (s): {summary['phases_s']}, total {summary['total_s']} s")
    for model, network in summary["networks"].items():
        print(
            f"{model}: {network['steps']} steps in {network['seconds']} s "
            f"({network['training_samples_per_s']} samples/s), best validation MAE "
            f"{network['best_validation_mae_px']:.4f} px at step {network['best_step']} "
            f"(zero {summary['validation_zero_mae_px']:.4f})"
        )
    print(f"verdict: {'; '.join(summary['verdict'])}")
    print(f"results -> {args.output}: {', '.join(summary['results'])}")


if __name__ == "__main__":
    main()
