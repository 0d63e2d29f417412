"""A trained network's predictions file for a dataset split (``quakebench predict``)."""

from __future__ import annotations

import os
import time

import numpy as np
import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from baselines.models import get_model
from baselines.models.inputs import normalise_pair
from quakebench.data.reader import iter_samples, stream_split
from quakebench.predictions import PredictionWriter

MULTIPLE = 64
"""The networks' total stride: inputs are padded (by reflection) to a multiple of it."""


def predict_batch(model: torch.nn.Module, images: torch.Tensor) -> torch.Tensor:
    """``[B, 2, H, W]`` displacement (east, north; pixels) of normalised pairs of any size.

    The pairs are padded by reflection on the bottom and right to a multiple of 64 pixels and
    the prediction cropped back; ``model`` must be in eval mode.
    """
    height, width = images.shape[-2:]
    padded = F.pad(images, (0, -width % MULTIPLE, 0, -height % MULTIPLE), mode="reflect")
    return model(padded)[..., :height, :width]


def predict_displacement(
    model: torch.nn.Module, pre: np.ndarray, post: np.ndarray, device
) -> np.ndarray:
    """``float32 [2, H, W]`` displacement (east, north) of one pair, pixels."""
    images = torch.from_numpy(normalise_pair(pre, post))[None].to(device)
    with torch.no_grad():
        output = predict_batch(model, images)[0]
    return output.float().cpu().numpy()


def predict_split(
    name: str,
    checkpoint: str | os.PathLike,
    dataset: str,
    split: str,
    output: str | os.PathLike,
    device: str | None = None,
    progress: bool = True,
) -> tuple[int, float]:
    """Write a network's predictions for a split; returns the count and seconds per sample."""
    device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    model = get_model(name, checkpoint).to(device).eval()
    count, seconds = 0, 0.0
    with PredictionWriter(output) as writer:
        for sample in tqdm(iter_samples(stream_split(dataset, split)), disable=not progress):
            start = time.perf_counter()
            displacement = predict_displacement(model, sample["pre"], sample["post"], device)
            seconds += time.perf_counter() - start
            writer.write(sample["id"], displacement)
            count += 1
    return count, seconds / max(count, 1)
