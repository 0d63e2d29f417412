"""The networks by name.

>>> model = get_model("strainnet")  # doctest: +SKIP
>>> model = get_model("flownets", checkpoint="runs/flownets/best.pt")  # doctest: +SKIP
"""

from __future__ import annotations

import os

import torch
from torch import nn

from baselines.models import flownet, refiner
from baselines.models.config import check_model_name
from baselines.models.still import StillSubtracted
from quakebench.errors import QuakebenchError

MODELS = {
    "flownets": flownet.flownets,
    "flownetsd": flownet.flownetsd,
    "strainnet": flownet.strainnet,
    "refiner": refiner.refiner,
}
"""Constructor of each network of :data:`~baselines.models.config.MODEL_NAMES` (two images in,
``[2, H, W]`` out)."""


def get_model(
    name: str,
    checkpoint: str | os.PathLike | None = None,
    zero_motion: str = "none",
    weights: str | None = None,
) -> nn.Module:
    """A network by name, with the weights of a checkpoint if one is given.

    ``weights="REPO@REVISION"`` takes the checkpoint from the Hub instead: downloaded once
    into the Hub cache and checked against its SHA-256 (:func:`quakebench.hub.weights.
    fetch_weights`). ``zero_motion="subtract"`` wraps the network in :class:`StillSubtracted`;
    a checkpoint says itself how it was trained, and that wins.

    Raises
    ------
    QuakebenchError
        For an unknown name, or a checkpoint of another network.
    """
    check_model_name(name)
    if weights is not None:
        from quakebench.hub.weights import fetch_weights

        checkpoint = fetch_weights(weights)[0]
    model: nn.Module = MODELS[name]()
    if checkpoint is not None:
        try:
            state = torch.load(checkpoint, map_location="cpu", weights_only=True)
        except (OSError, RuntimeError) as error:
            raise QuakebenchError(f"{checkpoint}: cannot read the checkpoint ({error})") from None
        if state.get("model") != name:
            raise QuakebenchError(
                f"{checkpoint}: a checkpoint of {state.get('model')!r}, not {name!r}"
            )
        model.load_state_dict(state["weights"])
        zero_motion = state.get("zero_motion", "none")
    return StillSubtracted(model) if zero_motion == "subtract" else model
