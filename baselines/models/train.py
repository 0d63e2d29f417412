"""Training the networks: multiscale loss, AdamW, checkpoints and resume, validation MAE,
CSV log, mixed precision on GPU, several GPUs (or CPU processes) with DistributedDataParallel.

Two sources of pairs: the stored train split, by epochs; or the endless stream of a field bank
(:mod:`baselines.stream.stream`), by steps, validating and checkpointing every
``validate_every`` steps, with an amplitude curriculum and a cosine learning rate. A stream
run resumes exactly: batch ``s`` of rank ``r`` is a fixed set of stream items.

Launch on one device with ``quakebench train ...``, on several with
``torchrun --nproc_per_node N -m quakebench.cli train ...`` (NCCL on GPUs, gloo on CPUs).
"""

from __future__ import annotations

import csv
import math
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler
from tqdm.auto import tqdm

from baselines.models.config import TrainConfig
from baselines.models.loss import absolute_error_sums, multiscale_loss, near_fault_mask
from baselines.models.predict import predict_batch
from baselines.models.registry import get_model
from baselines.models.still import StillSubtracted
from quakebench.atomic import atomic_path
from quakebench.data.torch_dataset import QuakebenchDataset
from quakebench.data.transforms import Compose, NormalisedPair, RandomCrop, RandomDihedral
from quakebench.errors import QuakebenchError

if TYPE_CHECKING:
    import datasets

LOG_FIELDS = (
    "epoch",
    "step",
    "samples",
    "train_loss",
    "validation_mae_px",
    "seconds",
    "world_size",
)


NETWORK_FIELDS = ("images", "displacement", "valid")
"""What a network's training reads of a sample: the normalised pair, the truth and the mask."""


def training_samples(
    dataset: str | os.PathLike | datasets.Dataset | list[dict],
    split: str,
    crop: int | None,
    seed: int,
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
    config: TrainConfig,
    progress: bool = True,
    model: torch.nn.Module | None = None,
    validation: list[dict] | None = None,
) -> list[dict]:
    """Train (or resume training) a network; returns the log rows of this run.

    ``model`` is trained in place when given (else ``config.model`` is initialised from
    ``config.seed``), so that a caller can inspect it afterwards. ``validation`` (samples held
    in memory) replaces the dataset's validation split: with a stream, whose pairs are those
    of ``config.data.dataset`` (``prewarped`` or ``postwarped``), no dataset is read at all.
    """
    training = None
    if validation is not None:
        if config.stream is None:
            raise QuakebenchError("validation samples in memory need a stream to train on")
        dataset = config.data.dataset
    else:
        from quakebench.data.address import resolve  # pyarrow, datasets

        address = resolve(config.data)  # a Hub revision read at one commit throughout
        dataset = address.record["name"]
        validation = address.load("validation")
    if config.stream is None:  # checked before anything is written
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
    network = (model if model is not None else get_model(config.model)).to(device)
    run = _Run(config, network, device, output, rank, world)
    validating = training_samples(validation, "validation", None, config.seed)
    run.validation_loader = DataLoader(validating, 1, num_workers=config.workers)
    if training is None:
        rows = _train_stream(run, dataset, progress)
    else:
        rows = _train_epochs(run, training, progress)
    if world > 1:
        dist.barrier()
    return rows


class _Run:
    """What both training loops share: the network (wrapped for zero motion and DDP), the
    optimiser, the best validation so far, and the checkpoints."""

    def __init__(self, config, network, device, output, rank, world) -> None:
        self.config, self.network, self.device = config, network, device
        self.output, self.rank, self.world = output, rank, world
        self.model = StillSubtracted(network) if config.zero_motion == "subtract" else network
        self.optimizer = torch.optim.AdamW(
            network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
        )
        self.progress, self.best = 0, float("inf")  # epochs or steps done
        if (output / "last.pt").exists():
            state = torch.load(output / "last.pt", map_location=device, weights_only=False)
            network.load_state_dict(state["weights"])
            self.optimizer.load_state_dict(state["optimizer"])
            self.progress = state.get("step", state.get("epoch", 0))
            self.best = state["best_validation_mae_px"]
        self.wrapped = DistributedDataParallel(self.model) if world > 1 else self.model
        self.validation_loader: DataLoader | None = None

    def step(self, batch: dict) -> float:
        """One optimiser step on a batch; returns the loss."""
        images, target, valid = network_batch(batch, self.device)
        with torch.autocast(
            self.device.type, dtype=torch.bfloat16, enabled=self.device.type == "cuda"
        ):
            flows = self.wrapped(images)
        if self.config.near_fault_weight:
            valid = valid * (1 + self.config.near_fault_weight * near_fault_mask(target))
        loss = multiscale_loss([f.float() for f in flows], target, valid, self.config.scale_weights)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return float(loss.detach())

    def checkpoint(self, row: dict, key: str) -> None:
        """Validate, log ``row`` and save ``last.pt`` (and ``best.pt`` when it improves)."""
        mae = validation_mae(self.model, self.validation_loader, self.device)
        row["validation_mae_px"] = mae
        state = {
            "model": self.config.model,
            "zero_motion": self.config.zero_motion,
            "weights": self.network.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            key: row[key],
            "best_validation_mae_px": min(self.best, mae),
            "config": {**asdict(self.config), "output": str(self.output)},
        }
        _save(self.output / "last.pt", state)
        if mae < self.best:
            self.best = mae
            _save(
                self.output / "best.pt",
                {
                    "model": self.config.model,
                    "zero_motion": self.config.zero_motion,
                    "weights": self.network.state_dict(),
                    key: row[key],
                    "validation_mae_px": mae,
                },
            )
        _append_log(self.output / "log.csv", row)


def _train_epochs(run: _Run, training: QuakebenchDataset, progress: bool) -> list[dict]:
    config = run.config
    sampler = (
        DistributedSampler(training, run.world, run.rank, seed=config.seed)
        if run.world > 1
        else None
    )
    loader = DataLoader(
        training,
        config.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        num_workers=config.workers,
        drop_last=False,
        generator=torch.Generator().manual_seed(config.seed),
    )
    rows = []
    for epoch in range(run.progress, config.epochs):
        started = time.perf_counter()
        training.set_epoch(epoch)
        if sampler is not None:
            sampler.set_epoch(epoch)
        bar = tqdm(
            loader,
            desc=f"{config.model} epoch {epoch + 1}/{config.epochs}",
            disable=not progress or run.rank != 0,
            leave=False,
        )
        losses = []
        for batch in bar:
            losses.append(run.step(batch))
            bar.set_postfix(loss=f"{losses[-1]:.4f}")
        if run.rank != 0:
            continue
        row = {
            "epoch": epoch + 1,
            "samples": (epoch + 1) * len(training),
            "train_loss": float(np.mean(losses)),
            "seconds": time.perf_counter() - started,
            "world_size": run.world,
        }
        run.checkpoint(row, "epoch")
        rows.append(row)
    return rows


def learning_rate(config: TrainConfig, step: int) -> float:
    """The learning rate of a stream run at ``step``: cosine decay to zero, or constant."""
    if config.schedule == "constant":
        return config.learning_rate
    return config.learning_rate * 0.5 * (1 + math.cos(math.pi * step / config.steps))


def stream_stages(config: TrainConfig, world: int) -> tuple[tuple[int, float, float], ...]:
    """The curriculum's stages in stream items: stage ``(start, low, high)`` begins at the item
    of step ``start * steps``."""
    per_step = config.batch_size * world
    return tuple((int(start * config.steps) * per_step, low, high)
                 for start, low, high in config.curriculum)  # fmt: skip


def _train_stream(run: _Run, dataset: str, progress: bool) -> list[dict]:
    from baselines.stream.stream import (
        PairStream,
        StreamConfig,
        StreamDataset,
        bank_folder,
        item_indices,
    )

    config = run.config
    stream = PairStream(
        StreamConfig(
            bank_folder(config.stream),
            dataset,
            config.crop,
            stream_stages(config, run.world),
            seed=config.seed,
        )
    )
    loader = DataLoader(
        StreamDataset(stream),
        config.batch_size,
        sampler=item_indices(run.progress, config.batch_size, run.rank, run.world),
        num_workers=config.workers,
    )
    rows, losses, started = [], [], time.perf_counter()
    bar = tqdm(
        total=config.steps,
        initial=run.progress,
        desc=f"{config.model} stream",
        disable=not progress or run.rank != 0,
    )
    step = run.progress
    for batch in loader:
        if step >= config.steps:
            break
        for group in run.optimizer.param_groups:
            group["lr"] = learning_rate(config, step)
        losses.append(run.step(batch))
        step += 1
        bar.update()
        bar.set_postfix(loss=f"{losses[-1]:.4f}")
        if run.rank == 0 and (step % config.validate_every == 0 or step == config.steps):
            row = {
                "step": step,
                "samples": step * config.batch_size * run.world,
                "train_loss": float(np.mean(losses)),
                "seconds": time.perf_counter() - started,
                "world_size": run.world,
            }
            run.checkpoint(row, "step")
            rows.append(row)
            losses, started = [], time.perf_counter()
    bar.close()
    return rows


def _append_log(path: Path, row: dict) -> None:
    new = not path.exists()
    with open(path, "a", newline="") as handle:
        writer = csv.DictWriter(handle, LOG_FIELDS)
        if new:
            writer.writeheader()
        writer.writerow(row)
