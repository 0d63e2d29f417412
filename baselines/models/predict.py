"""Running a trained network: on batches of any size, on one pair, as a benchmark method."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from baselines.models.config import MULTIPLE, NetworkConfig
from baselines.models.registry import get_model
from quakebench.data.transforms import normalise_pair
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
    model: torch.nn.Module, pre: np.ndarray, post: np.ndarray, device
) -> np.ndarray:
    """``float32 [2, H, W]`` displacement (east, north) of one pair, pixels."""
    images = torch.from_numpy(normalise_pair(pre, post))[None].to(device)
    with torch.no_grad():
        output = predict_batch(model, images)[0]
    return output.float().cpu().numpy()


def network_predictor(config: NetworkConfig) -> Predictor:
    """A trained network as a predictor for :func:`quakebench.predictions.write_predictions`."""
    device = torch.device(config.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    model = get_model(config.model, config.checkpoint).to(device).eval()

    def predict(sample: dict) -> np.ndarray:
        return predict_displacement(model, sample["pre"], sample["post"], device)

    return predict
