"""How a correlator blurs a fault: its response to a synthetic strike-slip step.

Real texture is warped (quintic B-splines) by a vertical right-lateral step of ``offset_px``:
the west half moves north by half the offset, the east half south. Across the step, a
window-based correlator sees a ramp instead of a jump; its width (the apparent zone width of
:mod:`quakebench.localization`, the figure the leaderboard gives every method) and the bias of
the estimate next to the fault are what a network must beat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baselines.correlator.config import CorrelatorConfig
from baselines.imagery.correlate import correlate
from baselines.imagery.warp import warp
from quakebench.localization import apparent_zone_width_px

MARGIN_PX = 8


@dataclass(frozen=True)
class StepResponse:
    """Ramp width and errors of the north component across a vertical step (pixels)."""

    window: int
    ramp_width_px: float
    """The apparent zone width of the estimate's profile across the step: where 10 % to 90 %
    of the offset accrues, each side's level fitted on 8 to 32 px from the fault."""
    near_fault_bias_px: float
    near_fault_mae_px: float
    far_mae_px: float


def step_pair(texture: np.ndarray, offset_px: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A pair (pre, post) and its true displacement for a step on the middle column boundary."""
    size = texture.shape[0] - 2 * MARGIN_PX
    truth = np.zeros((2, size, size), np.float32)
    truth[1, :, : size // 2] = offset_px / 2
    truth[1, :, size // 2 :] = -offset_px / 2
    post = warp(texture, truth, MARGIN_PX)
    pre = texture[MARGIN_PX:-MARGIN_PX, MARGIN_PX:-MARGIN_PX].astype(np.float32)
    return pre, post, truth


def measure_step_response(
    texture: np.ndarray, window: int, offset_px: float = 1.0, config: CorrelatorConfig | None = None
) -> StepResponse:
    """Correlate a step pair and measure the ramp and the near-fault errors.

    The fault lies between columns ``S/2 - 1`` and ``S/2``; "near" is within 2 px of it,
    "far" beyond one window, both away from the top and bottom borders.
    """
    config = config or CorrelatorConfig()
    config = CorrelatorConfig(**{**config.__dict__, "window": window, "step": 1})
    pre, post, truth = step_pair(texture, offset_px)
    estimate, _ = correlate(pre, post, config)
    size = truth.shape[1]
    rows = slice(window, size - window)
    # North, averaged along the fault: it falls from +offset/2 (west) to -offset/2 (east), so
    # the profile oriented by the offset is its opposite.
    profile = -estimate[1, rows].mean(axis=0)
    signed = np.arange(size) + 0.5 - size / 2
    distance = np.abs(signed)
    ramp = float(apparent_zone_width_px(profile, signed))
    error = (estimate[1] - truth[1])[rows]
    near = distance <= 2
    far = distance > window
    sign = np.sign(truth[1, 0])[None, :]  # positive: the estimate overshoots the true side
    return StepResponse(
        window=window,
        ramp_width_px=ramp,
        near_fault_bias_px=float(np.mean((error * sign)[:, near])),
        near_fault_mae_px=float(np.mean(np.abs(error[:, near]))),
        far_mae_px=float(np.mean(np.abs(error[:, far]))),
    )
