"""Method subcommands: ``baseline`` and ``correlate``; the networks' are in :mod:`.networks`."""

from __future__ import annotations

import argparse

from baselines.correlator.config import CorrelatorConfig
from baselines.imagery.settings import TRANSFORMS
from quakebench.cli.options import (
    config_from,
    config_option,
    dataset_from,
    dataset_options,
    output_file,
)
from quakebench.config import PredictionConfig

REFERENCE_METHODS = ("zero", "truth")


def write_predictions_of(predictor, args: argparse.Namespace, name: str) -> None:
    """Run ``predictor`` over the split the options name, and say what was written."""
    from quakebench.data.address import resolve
    from quakebench.predictions import write_predictions

    output = output_file(args.output, (".npz",))
    target = config_from(PredictionConfig, args, data=dataset_from(args), output=output)
    address = resolve(target.data)
    if target.workers or target.scheduler:
        from quakebench.cluster import predict_on_cluster

        count, seconds = predict_on_cluster(
            predictor, address.path, target.split, target.output, target.workers,
            target.scheduler,
        )  # fmt: skip
    else:
        total = len(address.ids(target.split))
        samples = address.samples(target.split)
        count, seconds = write_predictions(predictor, samples, target.output, total=total)
    print(f"{name}: {count} predictions, {seconds:.3f} s per sample -> {target.output}")


def _baseline(args: argparse.Namespace) -> None:
    if args.method == "correlator":
        from baselines.correlator.predict import correlator_predictor

        predictor = correlator_predictor(config_from(CorrelatorConfig, args, step=1))
    else:
        from baselines.reference import REFERENCES

        predictor = REFERENCES[args.method]
    write_predictions_of(predictor, args, args.method)


def _correlate(args: argparse.Namespace) -> None:
    import time

    from baselines.correlator.geotiff import correlate_scene

    output = output_file(args.output, (".tif", ".tiff"))
    config = config_from(CorrelatorConfig, args)
    start = time.perf_counter()
    count = correlate_scene(args.pre, args.post, output, config)
    elapsed = time.perf_counter() - start
    print(f"{count} estimates in {elapsed:.1f} s; east/north/SNR -> {output}")


def split_options(parser: argparse.ArgumentParser) -> None:
    """The dataset, the split and the predictions file of a command that predicts a split."""
    dataset_options(parser)
    config_option(parser, PredictionConfig, "split", "split to predict")
    parser.add_argument("--output", required=True, help="predictions .npz file")
    config_option(
        parser, PredictionConfig, "workers", "local Dask processes, a shard a task", type=int
    )
    config_option(parser, PredictionConfig, "scheduler", "a running Dask scheduler's address")


def _correlator_options(parser: argparse.ArgumentParser) -> None:
    for field, help in (
        ("window", "fine window, pixels"),
        ("coarse_window", "integer-stage window, pixels"),
        ("coarse_step", "integer-stage grid step, pixels"),
        ("max_frequency", "frequency mask radius, cycles per pixel"),
        ("iterations", "robust reweighting iterations"),
    ):
        config_option(parser, CorrelatorConfig, field, help)
    config_option(
        parser,
        CorrelatorConfig,
        "transform",
        "sliding: row transforms shared by neighbouring windows; window: an FFT per window",
        choices=TRANSFORMS,
    )
    config_option(
        parser,
        CorrelatorConfig,
        "device",
        "run the window transform in torch on this device (cuda, cpu); default NumPy",
    )


def register(commands: argparse._SubParsersAction) -> None:
    """Add the method subcommands."""
    baseline = commands.add_parser(
        "baseline",
        help="write a baseline's predictions file for a dataset split",
        description=(
            "Predictions of a baseline: zero displacement, the ground truth itself (both "
            "references), or the sliding-window phase correlator (the classical method)."
        ),
    )
    baseline.add_argument("method", choices=(*REFERENCE_METHODS, "correlator"))
    split_options(baseline)
    _correlator_options(baseline)
    baseline.set_defaults(run=_baseline, config=CorrelatorConfig)

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
    config_option(correlate, CorrelatorConfig, "step", "output spacing, pixels")
    _correlator_options(correlate)
    correlate.set_defaults(run=_correlate, config=CorrelatorConfig)
