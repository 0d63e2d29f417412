"""Network subcommands: ``train`` and ``predict`` (FlowNetS, FlowNetSD, StrainNet)."""

from __future__ import annotations

import argparse
from pathlib import Path

from baselines.models.config import (
    MODEL_NAMES,
    SCHEDULES,
    ZERO_MOTION,
    NetworkConfig,
    TrainConfig,
    parse_curriculum,
    parse_floats,
)
from quakebench.cli.methods import split_options, write_predictions_of
from quakebench.cli.options import (
    config_from,
    config_option,
    dataset_from,
    dataset_options,
    optional_path,
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


def _predict(args: argparse.Namespace) -> None:
    from baselines.models.predict import network_predictor

    network = config_from(NetworkConfig, args, checkpoint=optional_path(args.checkpoint))
    write_predictions_of(network_predictor(network), args, network.model)


def register(commands: argparse._SubParsersAction) -> None:
    """Add the network subcommands."""
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
    config_option(
        train,
        TrainConfig,
        "near_fault_weight",
        "extra loss weight of the pixels within 2 px of where the true field shears",
    )
    train.set_defaults(run=_train, config=TrainConfig)

    predict = commands.add_parser(
        "predict",
        help="write a trained network's predictions file for a dataset split",
        description="Run a checkpoint on every sample of a split (full size, padded to 64).",
    )
    config_option(predict, NetworkConfig, "model", "network", choices=MODEL_NAMES)
    config_option(predict, NetworkConfig, "checkpoint", "best.pt or last.pt of a training run")
    config_option(predict, NetworkConfig, "weights", "or published weights: REPO@REVISION")
    split_options(predict)
    config_option(predict, NetworkConfig, "device", "cuda, cpu, ... (default: cuda if available)")
    config_option(
        predict,
        NetworkConfig,
        "symmetries",
        "8: average the predictions under the 8 symmetries of the square, turned back",
        choices=(1, 8),
    )
    predict.set_defaults(run=_predict, config=NetworkConfig)
