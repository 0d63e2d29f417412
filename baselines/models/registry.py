"""The networks by name.

>>> model = get_model("strainnet")  # doctest: +SKIP
>>> model = get_model("flownets", checkpoint="runs/flownets/best.pt")  # doctest: +SKIP
"""

from __future__ import annotations

import os

import torch

from baselines.models import flownet
from baselines.models.config import MODEL_NAMES, check_model_name
from baselines.models.flownet import FlowNetEncoderDecoder
from quakebench.errors import QuakebenchError

MODELS = {name: getattr(flownet, name) for name in MODEL_NAMES}
"""Constructor of each network (two single-channel images in, ``[2, H, W]`` out)."""


def get_model(name: str, checkpoint: str | os.PathLike | None = None) -> FlowNetEncoderDecoder:
    """A network by name, with the weights of a checkpoint if one is given.

    Raises
    ------
    QuakebenchError
        For an unknown name, or a checkpoint of another network.
    """
    check_model_name(name)
    model = MODELS[name]()
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
    return model
