"""Method subcommands: ``baseline``, ``correlate``, ``train``, ``predict``."""

from __future__ import annotations

import argparse
from pathlib import Path

from baselines.correlator.config import CorrelatorConfig
from baselines.models.config import (
    MODEL_NAMES,
    SCHEDULES,
    ZERO_MOTION,
    NetworkConfig,
    TrainConfig,
    parse_curriculum,
    parse_floats,
)
from quakebench.cli.options import (
    config_from,
    config_option,
    dataset_from,
    dataset_options,
    optional_path,
    output_file,
)
from quakebench.config import PredictionConfig

REFERENCE_METHODS = ("zero", "truth")


def _write_predictions(predictor, args: argparse.Namespace, name: str) -> None:
    """Run ``predictor`` over the split the options name, and say what was written."""
    from quakebench.data.address import resolve
    from quakebench.predictions import write_predictions

    output = output_file(args.output, (".npz",))
    target = config_from(PredictionConfig, args, data=dataset_from(args), output=output)
    address = resolve(target.data)
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
    _write_predictions(predictor, args, args.method)


def _predict(args: argparse.Namespace) -> None:
    from baselines.models.predict import network_predictor

    network = config_from(NetworkConfig, args, checkpoint=Path(args.checkpoint))
    _write_predictions(network_predictor(network), args, network.model)


def _correlate(args: argparse.Namespace) -> None:
    import time

    from baselines.correlator.geotiff import read_pair, write_displacement
    from baselines.imagery.correlate import correlate

    output = output_file(args.output, (".tif", ".tiff"))
    config = config_from(CorrelatorConfig, args)
    pre, post = read_pair(args.pre, args.post)
    start = time.perf_counter()
    displacement, snr = correlate(pre.image, post.image, config, progress=True)
    elapsed = time.perf_counter() - start
    write_displacement(output, displacement, snr, pre, config.step)
    print(
        f"{snr.size} estimates in {elapsed:.1f} s; mean SNR {float(snr.mean()):.2f}; "
        f"east/north/SNR -> {output}"
    )


def _train(args: argparse.Namespace) -> None:
    from baselines.models.train import train

    config = config_from(
        TrainConfig,
        args,
        data=dataset_from(args),
        output=Path(args.output),
        stream=optional_path(args.stream),
    )
    for row in train(config):
        where = f"epoch {row['epoch']}" if "epoch" in row else f"step {row['step']}"
        print(
            f"{where} ({row['samples']} samples): train loss {row['train_loss']:.4f}, "
            f"validation mae {row['validation_mae_px']:.4f} px ({row['seconds']:.0f} s)"
        )


def _split_options(parser: argparse.ArgumentParser) -> None:
    dataset_options(parser)
    config_option(parser, PredictionConfig, "split", "split to predict")
    parser.add_argument("--output", required=True, help="predictions .npz file")


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
        "device",
        "run the fine stage in torch on this device (cuda, cpu); default NumPy",
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
    _split_options(baseline)
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
    config_option(train, TrainConfig, "model", "network", choices=MODEL_NAMES)
    dataset_options(train)
    config_option(train, TrainConfig, "output", "run folder (checkpoints, log.csv)")
    config_option(train, TrainConfig, "crop", "training crop side, pixels")
    config_option(train, TrainConfig, "batch_size", "samples per step and device")
    config_option(train, TrainConfig, "epochs", "passes over the training split")
    config_option(train, TrainConfig, "learning_rate", "AdamW learning rate")
    config_option(train, TrainConfig, "weight_decay", "AdamW weight decay")
    config_option(train, TrainConfig, "seed", "seed of initialisation, order and augmentation")
    config_option(train, TrainConfig, "workers", "data-loading processes")
    config_option(train, TrainConfig, "device", "cuda, cpu, ... (default: cuda if available)")
    config_option(
        train,
        TrainConfig,
        "stream",
        "a field bank folder (quakebench bank): train on the pairs it renders onto training "
        "places, for --steps, instead of the stored train split",
    )
    config_option(train, TrainConfig, "steps", "optimiser steps on a stream")
    config_option(train, TrainConfig, "validate_every", "steps between validations on a stream")
    config_option(
        train,
        TrainConfig,
        "curriculum",
        "amplitude stages START:LOW:HIGH,... (from the fraction START of the steps, the crops' "
        "RMS displacement log-uniform in [LOW, HIGH] px)",
        type=parse_curriculum,
    )
    config_option(train, TrainConfig, "schedule", "learning rate on a stream", choices=SCHEDULES)
    config_option(
        train,
        TrainConfig,
        "scale_weights",
        "loss weights of the 5 flows, finest first, comma-separated",
        type=parse_floats,
    )
    config_option(
        train,
        TrainConfig,
        "zero_motion",
        "subtract: predict f(pre, post) - f(pre, pre), so a still pair gives no motion",
        choices=ZERO_MOTION,
    )
    train.set_defaults(run=_train, config=TrainConfig)

    predict = commands.add_parser(
        "predict",
        help="write a trained network's predictions file for a dataset split",
        description="Run a checkpoint on every sample of a split (full size, padded to 64).",
    )
    config_option(predict, NetworkConfig, "model", "network", choices=MODEL_NAMES)
    config_option(predict, NetworkConfig, "checkpoint", "best.pt or last.pt of a training run")
    _split_options(predict)
    config_option(predict, NetworkConfig, "device", "cuda, cpu, ... (default: cuda if available)")
    config_option(
        predict,
        NetworkConfig,
        "symmetries",
        "8: average the predictions under the 8 symmetries of the square, turned back",
        choices=(1, 8),
    )
    predict.set_defaults(run=_predict, config=NetworkConfig)
