"""One GPU window: train FlowNetS, StrainNet and FlowNetSD and score them, in one command.

Here, once (the machine with the registries): ``python benchmarks/gpu_window.py wheels .whl``
downloads what the GPU machine lacks for Python 3.12 (``cutde`` and ``mako``, about 1 MB).

There, from the checkout's root, as one command of at most 10 minutes::

    PYTHONPATH=. PYTHONUNBUFFERED=1 python3 benchmarks/gpu_window.py run --wheels .whl \\
        --output $OUT --work /tmp/window

It installs the wheels, then runs :func:`baselines.models.window.run_window`: the ``prewarped``
``mini`` validation and test splits rendered there and checked against the pinned records, a
field bank on every core, each network trained in turn for its share of ``--budget-s``, and
scored. ``$OUT`` gets three results files, ``window.json`` (phases, throughput, logs),
``window_log.csv`` and ``window_curves.png``: six files, about 2 MB.

The machine needs Python 3.12 with torch, numpy, scipy, scikit-image, tifffile, tqdm,
matplotlib and pyarrow (the GPU image has them); ``rasterio``, ``datasets`` and ``dask`` are
not used. On a CPU it runs at a tiny size (``--steps 2 --test-samples 2 ...``), as CI does.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
from pathlib import Path

CARRIED = ("cutde==26.3.6", "mako==1.4.3")
"""What the GPU machine lacks, as pinned wheels (``mako`` renders cutde's kernels)."""

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
    from baselines.models.config import WindowConfig

    defaults = {f.name: f.default for f in dataclasses.fields(WindowConfig)}
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    wheels = commands.add_parser("wheels", help="download the carried wheels (here)")
    wheels.add_argument("folder", type=Path)
    run = commands.add_parser("run", help="run the recipe (there)")
    run.add_argument("--wheels", type=Path, help="install these wheels first")
    run.add_argument("--site", type=Path, default=Path("/tmp/window-site"))
    run.add_argument("--output", type=Path, required=True)
    run.add_argument("--work", type=Path, required=True)
    for name in ("dataset", "preset"):
        run.add_argument(f"--{name}", default=defaults[name])
    run.add_argument("--budget-s", type=float, default=defaults["budget_s"])
    run.add_argument("--models", nargs="+", default=list(defaults["models"]))
    for name in ("bank_fields", "bank_size", "crop", "batch_size", "seed"):
        run.add_argument(f"--{name.replace('_', '-')}", type=int, default=defaults[name])
    run.add_argument("--learning-rate", type=float, default=defaults["learning_rate"])
    run.add_argument("--symmetries", type=int, choices=(1, 8), default=defaults["symmetries"])
    for name in ("steps", "validation_samples", "test_samples", "workers"):
        run.add_argument(f"--{name.replace('_', '-')}", type=int, default=defaults[name])
    run.add_argument("--device", default=defaults["device"])
    args = parser.parse_args()

    if args.command == "wheels":
        download_wheels(args.folder)
        return
    if args.wheels is not None:
        install_wheels(args.wheels, args.site)
    from baselines.models.window import run_window

    options = {k: v for k, v in vars(args).items() if k not in ("command", "wheels", "site")}
    summary = run_window(WindowConfig(**{**options, "models": tuple(args.models)}))
    print(f"phases (s): {summary['phases_s']}, total {summary['total_s']} s")
    for model, network in summary["networks"].items():
        print(
            f"{model}: {network['steps']} steps in {network['seconds']} s "
            f"({network['training_samples_per_s']} samples/s), best validation MAE "
            f"{network['best_validation_mae_px']:.4f} px at step {network['best_step']} "
            f"(zero {summary['validation_zero_mae_px']:.4f})"
        )
    print(f"revision: {'; '.join(summary['revision'])}")
    print(f"results -> {args.output}: {', '.join(summary['results'])}")


if __name__ == "__main__":
    main()
