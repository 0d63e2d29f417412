"""The ``quakebench`` command line: parses options and calls the library, nothing more."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from quakebench import __version__
from quakebench.errors import QuakebenchError


def _output_file(value: str, suffixes: tuple[str, ...]) -> Path:
    path = Path(value)
    if path.suffix.lower() not in suffixes:
        raise QuakebenchError(f"{value}: expected a file ending in {' or '.join(suffixes)}")
    if not path.parent.is_dir():
        raise QuakebenchError(f"{value}: folder {path.parent} does not exist")
    return path


def _simulate(args: argparse.Namespace) -> None:
    from baselines.generator.simulate import save_simulation, simulate

    output = _output_file(args.output, (".npz",))
    figure_path = _output_file(args.figure, (".png", ".pdf", ".svg")) if args.figure else None
    simulation = simulate(args.seed, args.size, args.pixel_size)
    save_simulation(simulation, output)
    scenario = simulation.scenario
    print(
        f"seed {args.seed}: Mw {scenario['magnitude']:.2f} {scenario['sense']}, "
        f"length {scenario['length_km']:.1f} km, mean slip {scenario['mean_slip_m']:.2f} m, "
        f"peak displacement {abs(simulation.displacement_px).max():.3f} px -> {output}"
    )
    if figure_path:
        from baselines.generator.figure import plot_displacement

        title = f"Mw {scenario['magnitude']:.2f} {scenario['sense']} (seed {args.seed})"
        figure = plot_displacement(
            simulation.displacement_px, simulation.rupture_px, args.pixel_size, title
        )
        _save_figure(figure, figure_path)


def _save_figure(figure, path: Path) -> None:
    from quakebench.atomic import atomic_path

    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=120)
    print(f"figure -> {path}")


def _generate(args: argparse.Namespace) -> None:
    from quakebench.data.build import BuildConfig, build

    config = BuildConfig(
        dataset=args.dataset,
        num_samples=args.num_samples,
        size=args.size,
        seed=args.seed,
        output=Path(args.output),
        samples_per_shard=args.samples_per_shard,
        catalog=Path(args.catalog) if args.catalog else None,
        scenes=Path(args.scenes) if args.scenes else None,
    )
    manifest = build(config, scheduler=args.scheduler, workers=args.workers)
    size = sum(shard["bytes"] for shard in manifest["shards"])
    print(
        f"{args.dataset}: {args.num_samples} samples of {args.size} px in "
        f"{len(manifest['shards'])} shards, {size / 1e6:.1f} MB -> {args.output}\n"
        f"content sha256:{manifest['content_sha256']}"
    )


def _verify(args: argparse.Namespace) -> int:
    from quakebench.data.manifest import read_manifest, verify

    problems = verify(args.folder)
    for problem in problems:
        print(f"quakebench: error: {args.folder}/{problem}", file=sys.stderr)
    if problems:
        return 1
    manifest = read_manifest(args.folder)
    if not manifest.get("complete"):
        print(
            f"quakebench: error: {args.folder}: build not finished; run generate again",
            file=sys.stderr,
        )
        return 1
    print(f"{args.folder}: {len(manifest['shards'])} shards verified")
    return 0


def _scenes(args: argparse.Namespace) -> None:
    from baselines.generator.scenes import BUNDLED_CATALOG, read_catalog
    from baselines.generator.validity import pair_report

    catalog = Path(args.catalog) if args.catalog else BUNDLED_CATALOG
    figure_path = _output_file(args.figure, (".png", ".pdf", ".svg")) if args.figure else None
    scenes, pairs = read_catalog(catalog)
    for scene in scenes.values():
        print(
            f"scene {scene.id}: {scene.image.shape[0]} x {scene.image.shape[1]} px of "
            f"{scene.pixel_size_m:g} m, {scene.crs}, acquired {scene.acquired or 'unknown'}"
        )
    for pair in pairs:
        valid, registration = pair_report(pair)
        print(
            f"pair {pair.id}: {100 * valid.mean():.1f} % valid; co-registration of date 2 on "
            f"date 1: {registration.row_px:+.3f} px rows, {registration.col_px:+.3f} px cols "
            f"(spread {registration.spread_px:.3f} px over {registration.tiles} stable tiles)"
        )
        if figure_path:
            from baselines.generator.figure import plot_pair_validity

            title = f"{pair.id}: {pair.pre.acquired} / {pair.post.acquired}"
            path = figure_path.with_name(f"{figure_path.stem}_{pair.id}{figure_path.suffix}")
            _save_figure(plot_pair_validity(pair.pre.image, pair.post.image, valid, title), path)


def _evaluate(args: argparse.Namespace) -> None:
    from quakebench.evaluate import EvaluationConfig, evaluate, summary_table, write_results

    output = _output_file(args.output, (".json",)) if args.output else None
    config = EvaluationConfig(
        predictions=Path(args.predictions),
        dataset=args.dataset,
        split=args.split,
        method=args.method or Path(args.predictions).stem,
        method_version=args.method_version,
        runtime_s_per_sample=args.runtime_per_sample,
        hardware=args.hardware,
        plots=Path(args.plots) if args.plots else None,
    )
    results = evaluate(config)
    print(summary_table(results))
    if output:
        write_results(results, output)
        print(f"results -> {output}")


def _correlator_config(args: argparse.Namespace, step: int):
    from baselines.correlator import CorrelatorConfig

    return _checked(
        CorrelatorConfig,
        window=args.window,
        step=step,
        coarse_window=args.coarse_window,
        coarse_step=args.coarse_step,
        max_frequency=args.max_frequency,
        iterations=args.iterations,
        device=args.device,
    )


def _checked(factory, **options):
    """``factory(**options)``, with the ValueError of a bad option as a one-line error."""
    try:
        return factory(**options)
    except ValueError as error:
        raise QuakebenchError(str(error)) from None


def _baseline(args: argparse.Namespace) -> None:
    output = _output_file(args.output, (".npz",))
    if args.method == "correlator":
        from baselines.correlator.predict import predict_split

        count, seconds = predict_split(
            args.dataset, args.split, output, _correlator_config(args, step=1)
        )
        print(f"correlator: {count} predictions, {seconds:.2f} s per sample -> {output}")
        return
    from baselines.reference import write_reference

    count = write_reference(args.method, args.dataset, args.split, output)
    print(f"{args.method}: {count} predictions -> {output}")


def _train(args: argparse.Namespace) -> None:
    from baselines.models.train import TrainConfig, train

    config = _checked(
        TrainConfig,
        model=args.model,
        dataset=args.dataset,
        output=Path(args.output),
        crop=args.crop,
        batch_size=args.batch_size,
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        seed=args.seed,
        workers=args.workers,
        device=args.device,
    )
    for row in train(config):
        print(
            f"epoch {row['epoch']}: train loss {row['train_loss']:.4f}, "
            f"validation mae {row['validation_mae_px']:.4f} px ({row['seconds']:.0f} s)"
        )


def _predict(args: argparse.Namespace) -> None:
    from baselines.models.predict import predict_split

    output = _output_file(args.output, (".npz",))
    try:
        count, seconds = predict_split(
            args.model, args.checkpoint, args.dataset, args.split, output, args.device
        )
    except ValueError as error:
        raise QuakebenchError(str(error)) from None
    print(f"{args.model}: {count} predictions, {seconds:.2f} s per sample -> {output}")


def _leaderboard(args: argparse.Namespace) -> None:
    from quakebench.atomic import atomic_path
    from quakebench.leaderboard import leaderboard_table

    table = leaderboard_table(args.results)
    if not args.output:
        print(table, end="")
        return
    output = Path(args.output)
    text = output.read_text() if output.exists() else ""
    start, end = "<!-- leaderboard:start -->", "<!-- leaderboard:end -->"
    if start in text and end in text:
        text = text[: text.index(start) + len(start)] + "\n" + table + text[text.index(end) :]
    else:
        text += f"{start}\n{table}{end}\n"
    with atomic_path(output) as temporary:
        temporary.write_text(text)
    print(f"{len(args.results)} rows -> {output}")


def _correlate(args: argparse.Namespace) -> None:
    import time

    from baselines.correlator import correlate
    from baselines.correlator.geotiff import read_pair, write_displacement

    output = _output_file(args.output, (".tif", ".tiff"))
    config = _correlator_config(args, step=args.step)
    pre, post = read_pair(args.pre, args.post)
    start = time.perf_counter()
    displacement, snr = correlate(pre.image, post.image, config, progress=True)
    elapsed = time.perf_counter() - start
    write_displacement(output, displacement, snr, pre, config.step)
    print(
        f"{snr.size} estimates in {elapsed:.1f} s; mean SNR {float(snr.mean()):.2f}; "
        f"east/north/SNR -> {output}"
    )


def _add_correlator_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--window", type=int, default=32, help="fine window, pixels (default 32)")
    parser.add_argument(
        "--coarse-window", type=int, default=64, help="integer-stage window (default 64)"
    )
    parser.add_argument(
        "--coarse-step", type=int, default=16, help="integer-stage grid step (default 16)"
    )
    parser.add_argument(
        "--max-frequency",
        type=float,
        default=0.35,
        help="frequency mask radius, cycles per pixel (default 0.35)",
    )
    parser.add_argument(
        "--iterations", type=int, default=3, help="robust reweighting iterations (default 3)"
    )
    parser.add_argument(
        "--device", help="run the fine stage in torch on this device (cuda, cpu); default NumPy"
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``quakebench`` command."""
    parser = argparse.ArgumentParser(
        prog="quakebench",
        description="Sub-pixel earthquake displacement benchmark: simulate, build, evaluate.",
    )
    parser.add_argument("--version", action="version", version=f"quakebench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    simulate = commands.add_parser(
        "simulate",
        help="simulate the surface displacement of one random strike-slip earthquake",
        description=(
            "Draw an earthquake from the seed (magnitude, rough fault, fractal slip), compute "
            "its surface displacement with triangular dislocations in an elastic half-space, "
            "and write it on a pixel grid: displacement (east, north) in pixels, the rupture "
            "trace in pixel coordinates and the scenario as JSON."
        ),
        epilog=(
            "example: quakebench simulate --seed 7 --size 512 --output quake.npz --figure quake.png"
        ),
    )
    simulate.add_argument("--seed", type=int, required=True, help="scenario seed (>= 0)")
    simulate.add_argument("--size", type=int, default=1024, help="tile side, pixels (default 1024)")
    simulate.add_argument(
        "--pixel-size",
        type=float,
        default=15.0,
        help="pixel size, metres (default 15, Landsat-8 pan)",
    )
    simulate.add_argument("--output", required=True, help="output .npz file")
    simulate.add_argument("--figure", help="also draw the E-W and N-S maps to this .png/.pdf/.svg")
    simulate.set_defaults(run=_simulate)

    generate = commands.add_parser(
        "generate",
        help="build a benchmark dataset folder (Hugging Face layout) from real scenes",
        description=(
            "Render samples (a real image crop, a simulated earthquake, the warped second image) "
            "into Parquet shards with a dataset card and a manifest, in parallel with Dask. "
            "Interrupted builds resume; the same arguments always give the same bytes."
        ),
        epilog=(
            "example: quakebench generate prewarped --num-samples 16 --size 256 --seed 0 "
            "--output prewarped-256"
        ),
    )
    generate.add_argument("dataset", choices=("prewarped", "postwarped"))
    generate.add_argument("--num-samples", type=int, required=True)
    generate.add_argument("--size", type=int, default=1024, help="tile side, pixels (default 1024)")
    generate.add_argument("--seed", type=int, default=0, help="build seed (default 0)")
    generate.add_argument("--output", required=True, help="dataset folder to create or resume")
    generate.add_argument(
        "--samples-per-shard", type=int, help="default: enough for about 1 GB per shard"
    )
    generate.add_argument("--catalog", help="JSON scene catalogue (default: bundled Landsat-8)")
    generate.add_argument("--scenes", help="folder of single-date GeoTIFFs (prewarped only)")
    generate.add_argument(
        "--workers", type=int, help="local Dask worker processes (default: cores)"
    )
    generate.add_argument(
        "--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.1:8786"
    )
    generate.set_defaults(run=_generate)

    verify = commands.add_parser(
        "verify",
        help="check a dataset folder's shards against its manifest",
        description="Re-read every shard: size, SHA-256, Parquet structure, sample count.",
    )
    verify.add_argument("folder")
    verify.set_defaults(run=_verify)

    scenes = commands.add_parser(
        "scenes",
        help="list the scenes, and check each pair's validity mask and co-registration",
        description=(
            "Read a scene catalogue (the bundled Landsat-8 scenes by default), verify checksums, "
            "and for each two-date pair report the stable fraction and the global "
            "co-registration; optionally draw the validity mask over the pair."
        ),
    )
    scenes.add_argument("--catalog", help="JSON scene catalogue (default: bundled Landsat-8)")
    scenes.add_argument("--figure", help="draw each pair's mask to FILE_<pair>.png")
    scenes.set_defaults(run=_scenes)

    evaluate = commands.add_parser(
        "evaluate",
        help="score a predictions .npz against a dataset split",
        description=(
            "Score predictions (one [2, h, w] float array per sample id, east and north in "
            "pixels) on the valid pixels of a split: mean absolute error, end-point error, "
            "biases, errors by distance to the rupture, fault-offset bias. Samples are streamed "
            "one at a time."
        ),
        epilog=(
            "example: quakebench evaluate predictions.npz --dataset postwarped-256 "
            "--split validation --output results.json --plots plots/"
        ),
    )
    evaluate.add_argument("predictions", help="predictions .npz file")
    evaluate.add_argument(
        "--dataset", required=True, help="dataset folder, or prewarped / postwarped (Hub)"
    )
    evaluate.add_argument("--split", default="validation")
    evaluate.add_argument("--output", help="write the results JSON here")
    evaluate.add_argument("--plots", help="folder for figures (maps, error profile)")
    evaluate.add_argument("--method", help="method name (default: the predictions file's name)")
    evaluate.add_argument("--method-version", default="", help="method version or commit")
    evaluate.add_argument("--runtime-per-sample", type=float, help="method seconds per sample")
    evaluate.add_argument("--hardware", help="hardware the runtime was measured on")
    evaluate.set_defaults(run=_evaluate)

    baseline = commands.add_parser(
        "baseline",
        help="write a baseline's predictions file for a dataset split",
        description=(
            "Predictions of a baseline: zero displacement, the ground truth itself (both "
            "references), or the sliding-window phase correlator (the classical method)."
        ),
    )
    baseline.add_argument("method", choices=("zero", "truth", "correlator"))
    baseline.add_argument("--dataset", required=True)
    baseline.add_argument("--split", default="validation")
    baseline.add_argument("--output", required=True, help="predictions .npz file")
    _add_correlator_options(baseline)
    baseline.set_defaults(run=_baseline)

    correlate = commands.add_parser(
        "correlate",
        help="map the displacement between two GeoTIFFs by sliding-window phase correlation",
        description=(
            "COSI-Corr-style frequency correlator: integer shifts on a coarse grid, then robust "
            "sub-pixel phase-plane fits on every step-th pixel. Writes a 3-band float32 "
            "GeoTIFF on the inputs' CRS: east and north displacement in pixels, and SNR."
        ),
        epilog="example: quakebench correlate pre.tif post.tif --output displacement.tif --step 4",
    )
    correlate.add_argument("pre", help="first image (GeoTIFF)")
    correlate.add_argument("post", help="second image, same grid (GeoTIFF)")
    correlate.add_argument("--output", required=True, help="output GeoTIFF")
    correlate.add_argument("--step", type=int, default=1, help="output spacing, pixels (default 1)")
    _add_correlator_options(correlate)
    correlate.set_defaults(run=_correlate)

    models = ("flownets", "flownetsd", "strainnet")
    train = commands.add_parser(
        "train",
        help="train FlowNetS, FlowNetSD or StrainNet on a dataset",
        description=(
            "Multiscale end-point-error training with AdamW on random crops (with quarter turns "
            "and flips applied to images and displacement alike); checkpoints every epoch "
            "(resumes from OUTPUT/last.pt), validation MAE and a CSV log. Several devices: "
            "torchrun --nproc_per_node N -m quakebench.cli train ..."
        ),
        epilog=(
            "example: quakebench train --model strainnet --dataset prewarped-1024 --crop 512 "
            "--batch-size 8 --epochs 100 --output runs/strainnet"
        ),
    )
    train.add_argument("--model", choices=models, required=True)
    train.add_argument("--dataset", required=True, help="dataset folder or Hub name")
    train.add_argument("--output", required=True, help="run folder (checkpoints, log.csv)")
    train.add_argument("--crop", type=int, default=512, help="training crop side (default 512)")
    train.add_argument("--batch-size", type=int, default=8, help="per device (default 8)")
    train.add_argument("--epochs", type=int, default=100)
    train.add_argument("--learning-rate", type=float, default=1e-4)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--workers", type=int, default=0, help="data-loading processes")
    train.add_argument("--device", help="cuda, cpu, ... (default: cuda if available)")
    train.set_defaults(run=_train)

    predict = commands.add_parser(
        "predict",
        help="write a trained network's predictions file for a dataset split",
        description="Run a checkpoint on every sample of a split (full size, padded to 64).",
    )
    predict.add_argument("--model", choices=models, required=True)
    predict.add_argument("--checkpoint", required=True)
    predict.add_argument("--dataset", required=True)
    predict.add_argument("--split", default="validation")
    predict.add_argument("--output", required=True, help="predictions .npz file")
    predict.add_argument("--device")
    predict.set_defaults(run=_predict)

    leaderboard = commands.add_parser(
        "leaderboard",
        help="build the leaderboard table from results files",
        description=(
            "A Markdown table of results files (quakebench evaluate --output), best mae first. "
            "With --output, the table replaces the one between the leaderboard markers."
        ),
        epilog=(
            "example: quakebench leaderboard leaderboard/results/*.json "
            "--output leaderboard/README.md"
        ),
    )
    leaderboard.add_argument("results", nargs="+", help="results JSON files")
    leaderboard.add_argument("--output", help="Markdown file to update (default: print)")
    leaderboard.set_defaults(run=_leaderboard)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 with a one-line message on bad input)."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except QuakebenchError as error:
        print(f"quakebench: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
