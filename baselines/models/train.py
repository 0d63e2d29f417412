"""Training the networks: multiscale loss, AdamW, checkpoints and resume, validation MAE,
CSV log, mixed precision on GPU, several GPUs (or CPU processes) with DistributedDataParallel.

Launch on one device with ``quakebench train ...``, on several with
``torchrun --nproc_per_node N -m quakebench.cli train ...`` (NCCL on GPUs, gloo on CPUs).
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import asdict
from pathlib import Path

import datasets
import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler
from tqdm.auto import tqdm

from baselines.models.config import TrainConfig
from baselines.models.loss import absolute_error_sums, multiscale_loss
from baselines.models.predict import predict_batch
from baselines.models.registry import get_model
from quakebench.atomic import atomic_path
from quakebench.data.address import resolve
from quakebench.data.torch_dataset import QuakebenchDataset
from quakebench.data.transforms import Compose, NormalisedPair, RandomCrop, RandomDihedral
from quakebench.errors import QuakebenchError

LOG_FIELDS = ("epoch", "train_loss", "validation_mae_px", "seconds", "world_size")


NETWORK_FIELDS = ("images", "displacement", "valid")
"""What a network's training reads of a sample: the normalised pair, the truth and the mask."""


def training_samples(
    dataset: str | os.PathLike | datasets.Dataset, split: str, crop: int | None, seed: int
) -> QuakebenchDataset:
    """A split as network tensors; training splits get random crops, quarter turns and flips.

    The augmentation of sample ``i`` in epoch ``e`` depends on ``(seed, e, i)`` only, so runs
    are reproducible whatever the number of loading processes.
    """
    steps = [RandomCrop(crop), RandomDihedral()] if crop is not None else []
    transform = Compose([*steps, NormalisedPair()])
    return QuakebenchDataset(dataset, split, transform, NETWORK_FIELDS, seed)


def network_batch(batch: dict, device: torch.device) -> tuple[torch.Tensor, ...]:
    """``images [B, 2, H, W]``, ``target [B, 2, H, W]`` and ``valid [B, 1, H, W]`` on a device."""
    return (
        batch["images"].to(device),
        batch["displacement"].to(device),
        batch["valid"][:, None].to(device, torch.float32),
    )


def _distributed() -> tuple[int, int]:
    """Start the process group when launched by torchrun; returns (rank, world size)."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return (dist.get_rank(), world) if world > 1 else (0, 1)


def validation_mae(model, loader, device) -> float:
    """Mean absolute error (both components, valid pixels) over a loader, pixels."""
    model.eval()
    total, count = 0.0, 0.0
    with torch.no_grad():
        for batch in loader:
            images, target, valid = network_batch(batch, device)
            batch_total, batch_count = absolute_error_sums(
                predict_batch(model, images), target, valid
            )
            total += batch_total
            count += batch_count
    model.train()
    return total / max(count, 1.0)


def _save(path: Path, state: dict) -> None:
    with atomic_path(path) as temporary:
        torch.save(state, temporary)


def train(
    config: TrainConfig, progress: bool = True, model: torch.nn.Module | None = None
) -> list[dict]:
    """Train (or resume training) a network; returns the log rows of this run's epochs.

    ``model`` is trained in place when given (else ``config.model`` is initialised from
    ``config.seed``), so that a caller can inspect it afterwards.
    """
    address = resolve(config.data)  # a Hub revision read at one commit throughout
    training = training_samples(address.load("train"), "train", config.crop, config.seed)
    tile = training.split.features["valid"].shape[0]
    if config.crop > tile:
        raise QuakebenchError(
            f"{config.data.dataset}: crop {config.crop} px exceeds its {tile} px tiles"
        )
    rank, world = _distributed()
    device = torch.device(config.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if device.type == "cuda" and world > 1:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    torch.manual_seed(config.seed)
    output = Path(config.output)
    output.mkdir(parents=True, exist_ok=True)

    model = (model if model is not None else get_model(config.model)).to(device)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    start_epoch, best = 0, float("inf")
    if (output / "last.pt").exists():
        state = torch.load(output / "last.pt", map_location=device, weights_only=False)
        model.load_state_dict(state["weights"])
        optimizer.load_state_dict(state["optimizer"])
        start_epoch, best = state["epoch"], state["best_validation_mae_px"]
    wrapped = DistributedDataParallel(model) if world > 1 else model

    sampler = DistributedSampler(training, world, rank, seed=config.seed) if world > 1 else None
    loader = DataLoader(
        training,
        config.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        num_workers=config.workers,
        drop_last=False,
        generator=torch.Generator().manual_seed(config.seed),
    )
    validation = training_samples(address.load("validation"), "validation", None, config.seed)
    validation_loader = DataLoader(validation, 1, num_workers=config.workers)

    rows = []
    for epoch in range(start_epoch, config.epochs):
        started = time.perf_counter()
        training.set_epoch(epoch)
        if sampler is not None:
            sampler.set_epoch(epoch)
        losses = []
        bar = tqdm(
            loader,
            desc=f"{config.model} epoch {epoch + 1}/{config.epochs}",
            disable=not progress or rank != 0,
            leave=False,
        )
        for batch in bar:
            images, target, valid = network_batch(batch, device)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                flows = wrapped(images)
            loss = multiscale_loss([f.float() for f in flows], target, valid)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
            bar.set_postfix(loss=f"{losses[-1]:.4f}")
        if rank != 0:
            continue
        mae = validation_mae(model, validation_loader, device)
        row = {
            "epoch": epoch + 1,
            "train_loss": float(np.mean(losses)),
            "validation_mae_px": mae,
            "seconds": time.perf_counter() - started,
            "world_size": world,
        }
        rows.append(row)
        state = {
            "model": config.model,
            "weights": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": epoch + 1,
            "best_validation_mae_px": min(best, mae),
            "config": asdict(config),
        }
        state["config"]["output"] = str(output)
        _save(output / "last.pt", state)
        if mae < best:
            best = mae
            _save(
                output / "best.pt",
                {
                    "model": config.model,
                    "weights": model.state_dict(),
                    "epoch": epoch + 1,
                    "validation_mae_px": mae,
                },
            )
        _append_log(output / "log.csv", row)
    if world > 1:
        dist.barrier()
    return rows


def _append_log(path: Path, row: dict) -> None:
    new = not path.exists()
    with open(path, "a", newline="") as handle:
        writer = csv.DictWriter(handle, LOG_FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(row)
