"""Training the networks: multiscale loss, AdamW, checkpoints and resume, validation MAE,
CSV log, mixed precision on GPU, several GPUs (or CPU processes) with DistributedDataParallel.

Launch on one device with ``quakebench train ...``, on several with
``torchrun --nproc_per_node N -m quakebench.cli train ...`` (NCCL on GPUs, gloo on CPUs).
"""

from __future__ import annotations

import csv
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset, DistributedSampler
from tqdm.auto import tqdm

from baselines.models import check_model_name, get_model
from baselines.models.inputs import augment, normalise_pair
from baselines.models.loss import absolute_error_sums, multiscale_loss
from baselines.models.predict import MULTIPLE, predict_batch
from quakebench.atomic import atomic_path
from quakebench.data.reader import load_split, restore_dtypes
from quakebench.errors import QuakebenchError

LOG_FIELDS = ("epoch", "train_loss", "validation_mae_px", "seconds", "world_size")


@dataclass(frozen=True)
class TrainConfig:
    """A training run.

    Attributes
    ----------
    model : str
        ``flownets``, ``flownetsd`` or ``strainnet``.
    dataset : str
        Dataset folder or Hub name.
    output : Path
        Run folder: ``last.pt``, ``best.pt``, ``log.csv``.
    crop : int
        Side of the random training crops (512 in the seed paper).
    batch_size : int
        Samples per step on each device (8 in the seed paper).
    epochs : int
    learning_rate : float
    weight_decay : float
    seed : int
    workers : int
        Data-loading processes per device.
    device : str or None
        ``cuda``, ``cpu``...; by default CUDA where available.
    """

    model: str
    dataset: str
    output: Path
    crop: int = 512
    batch_size: int = 8
    epochs: int = 100
    learning_rate: float = 1e-4
    weight_decay: float = 4e-4
    seed: int = 0
    workers: int = 0
    device: str | None = None

    def __post_init__(self) -> None:
        check_model_name(self.model)
        if self.crop <= 0 or self.crop % MULTIPLE:
            raise ValueError(f"crop must be a positive multiple of {MULTIPLE} px, got {self.crop}")
        for name in ("batch_size", "epochs"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}")


class TrainingSamples(Dataset):
    """Training samples as tensors: normalised pair, displacement, valid mask; augmented.

    The augmentation of sample ``i`` in epoch ``e`` depends on ``(seed, e, i)`` only, so runs
    are reproducible whatever the number of loading processes.
    """

    def __init__(self, split, crop: int | None, seed: int, train: bool) -> None:
        self.split, self.crop, self.seed, self.train = split, crop, seed, train
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.split)

    def __getitem__(self, index: int):
        sample = restore_dtypes(self.split[index], self.split.features)
        images = normalise_pair(sample["pre"], sample["post"])
        displacement = sample["displacement"]
        valid = sample["valid"].astype(np.float32)
        if self.train:
            rng = np.random.default_rng([self.seed, self.epoch, index])
            images, displacement, valid = augment(images, displacement, valid, rng, self.crop)
        return (
            torch.from_numpy(images),
            torch.from_numpy(displacement),
            torch.from_numpy(valid[None]),
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
        for images, target, valid in loader:
            images, target, valid = images.to(device), target.to(device), valid.to(device)
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


def train(config: TrainConfig, progress: bool = True) -> list[dict]:
    """Train (or resume training) a network; returns the log rows of this run's epochs."""
    training = TrainingSamples(load_split(config.dataset, "train"), config.crop, config.seed, True)
    tile = training.split.features["valid"].shape[0]
    if config.crop > tile:
        raise QuakebenchError(
            f"{config.dataset}: crop {config.crop} px exceeds its {tile} px tiles"
        )
    rank, world = _distributed()
    device = torch.device(config.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    if device.type == "cuda" and world > 1:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    torch.manual_seed(config.seed)
    output = Path(config.output)
    output.mkdir(parents=True, exist_ok=True)

    model = get_model(config.model).to(device)
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
    validation = TrainingSamples(load_split(config.dataset, "validation"), None, config.seed, False)
    validation_loader = DataLoader(validation, 1, num_workers=config.workers)

    rows = []
    for epoch in range(start_epoch, config.epochs):
        started = time.perf_counter()
        training.epoch = epoch
        if sampler is not None:
            sampler.set_epoch(epoch)
        losses = []
        bar = tqdm(
            loader,
            desc=f"{config.model} epoch {epoch + 1}/{config.epochs}",
            disable=not progress or rank != 0,
            leave=False,
        )
        for images, target, valid in bar:
            images, target, valid = images.to(device), target.to(device), valid.to(device)
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
