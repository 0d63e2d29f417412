"""Running a trained network: on batches of any size, on one pair, as a benchmark method."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from baselines.models.config import MULTIPLE, NetworkConfig
from baselines.models.registry import get_model
from quakebench.data.transforms import flip_displacement, normalise_pair, rotate_displacement
from quakebench.predictions import Predictor


def predict_batch(model: torch.nn.Module, images: torch.Tensor) -> torch.Tensor:
    """``[B, 2, H, W]`` displacement (east, north; pixels) of normalised pairs of any size.

    The pairs are padded by reflection on the bottom and right to a multiple of 64 pixels and
    the prediction cropped back; ``model`` must be in eval mode.
    """
    height, width = images.shape[-2:]
    padded = F.pad(images, (0, -width % MULTIPLE, 0, -height % MULTIPLE), mode="reflect")
    return model(padded)[..., :height, :width]


def predict_displacement(
    model: torch.nn.Module, pre: np.ndarray, post: np.ndarray, device, symmetries: int = 1
) -> np.ndarray:
    """``float32 [2, H, W]`` displacement (east, north) of one pair, pixels.

    With ``symmetries=8`` the pair is also turned and flipped (quarter turns, then the same
    mirrored), each prediction turned back with its vectors, and the 8 averaged.
    """
    total = np.zeros((2, *np.shape(pre)))
    for k in range(symmetries):
        turns, flip = k % 4, k >= 4
        pair = [np.rot90(image, turns) for image in (pre, post)]
        if flip:
            pair = [image[:, ::-1] for image in pair]
        images = torch.from_numpy(normalise_pair(*pair))[None].to(device)
        with torch.no_grad():
            output = predict_batch(model, images)[0].float().cpu().numpy()
        if flip:
            output = flip_displacement(output)
        total += rotate_displacement(output, -turns)
    return (total / symmetries).astype(np.float32)


def network_predictor(config: NetworkConfig) -> Predictor:
    """A trained network as a predictor for :func:`quakebench.predictions.write_predictions`."""
    device = torch.device(config.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    model = get_model(config.model, config.checkpoint, weights=config.weights)
    model = model.to(device).eval()

    def predict(sample: dict) -> np.ndarray:
        return predict_displacement(model, sample["pre"], sample["post"], device, config.symmetries)

    return predict
