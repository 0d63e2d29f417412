"""Deep baselines: FlowNetS, FlowNetSD and StrainNet, with a small registry.

>>> model = get_model("strainnet")  # doctest: +SKIP
>>> model = get_model("flownets", checkpoint="runs/flownets/best.pt")  # doctest: +SKIP
"""

from __future__ import annotations

import os

import torch

from baselines.models.flownet import FlowNetEncoderDecoder, flownets, flownetsd, strainnet

MODELS = {"flownets": flownets, "flownetsd": flownetsd, "strainnet": strainnet}


def check_model_name(name: str) -> None:
    """Raise ValueError naming the choices if ``name`` is not one of :data:`MODELS`."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")


def get_model(name: str, checkpoint: str | os.PathLike | None = None) -> FlowNetEncoderDecoder:
    """A network by name, with the weights of a checkpoint if one is given.

    Raises
    ------
    ValueError
        For an unknown name, or a checkpoint of another network.
    """
    check_model_name(name)
    model = MODELS[name]()
    if checkpoint is not None:
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)
        if state.get("model") != name:
            raise ValueError(f"{checkpoint}: a checkpoint of {state.get('model')!r}, not {name!r}")
        model.load_state_dict(state["weights"])
    return model


__all__ = ["MODELS", "check_model_name", "get_model"]
