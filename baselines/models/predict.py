"""A trained network's predictions file for a dataset split (``quakebench predict``)."""

from __future__ import annotations

import os
import time

import numpy as np
import torch
from tqdm.auto import tqdm

from baselines.models import get_model
from baselines.models.inputs import normalise_pair
from quakebench.data.reader import iter_samples, stream_split
from quakebench.predictions import PredictionWriter

MULTIPLE = 64
"""Inputs are padded (by reflection) to a multiple of 64 pixels, the networks' total stride."""


def predict_displacement(
    model: torch.nn.Module, pre: np.ndarray, post: np.ndarray, device
) -> np.ndarray:
    """``float32 [2, H, W]`` displacement (east, north) of one pair, pixels."""
    images = normalise_pair(pre, post)
    height, width = images.shape[1:]
    pad = ((0, 0), (0, -height % MULTIPLE), (0, -width % MULTIPLE))
    images = np.pad(images, pad, mode="reflect")
    with torch.no_grad():
        output = model(torch.from_numpy(images)[None].to(device))[0]
    return output[:, :height, :width].float().cpu().numpy()


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
