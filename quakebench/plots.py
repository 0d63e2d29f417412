"""Figures of an evaluation: a sample's maps and the error profile against fault distance."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from quakebench.atomic import atomic_path

LEGEND_CHARS = 40
"""Method names are cut to this length in legends (tables show them whole)."""


def save(figure: Figure, path: str | os.PathLike) -> None:
    """Save a figure atomically."""
    with atomic_path(path) as temporary:
        figure.savefig(temporary, dpi=110)


def plot_sample(sample: dict, predicted: np.ndarray, metrics: dict) -> Figure:
    """Truth, prediction and error maps of both components, with the rupture trace."""
    truth = sample["displacement"]
    invalid = ~sample["valid"].astype(bool)
    figure = Figure(figsize=(13, 8), layout="constrained")
    axes = figure.subplots(2, 3)
    for row, (name, component) in enumerate((("E-W", 0), ("N-S", 1))):
        limit = float(np.abs(truth[component]).max()) or 1.0
        error = predicted[component] - truth[component]
        error_limit = float(np.percentile(np.abs(error), 99)) or 1.0
        panels = (
            (truth[component], f"{name} truth", limit),
            (predicted[component], f"{name} prediction", limit),
            (error, f"{name} error (prediction - truth)", error_limit),
        )
        for axis, (image, title, vmax) in zip(axes[row], panels, strict=True):
            shown = np.ma.masked_where(invalid, image)
            artist = axis.imshow(shown, cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            axis.plot(sample["rupture"][:, 0], sample["rupture"][:, 1], "k-", lw=0.6)
            axis.set_xlim(-0.5, image.shape[1] - 0.5)
            axis.set_ylim(image.shape[0] - 0.5, -0.5)
            axis.set_title(title)
            figure.colorbar(artist, ax=axis, shrink=0.75, label="pixels")
    figure.suptitle(
        f"{sample['id']}: Mw {sample['magnitude']:.2f}, mae {metrics['mae']:.4f} px "
        "(invalid pixels blank)"
    )
    return figure


def plot_profile(
    profiles: Mapping[str, dict],
    title: str = "Error against distance to the fault",
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """Mean absolute error against distance to the rupture trace, one line per method.

    ``profiles`` maps a method name to its metrics' ``profile`` (``edges_px``, ``mae``); the
    open last bin (edge None or inf) is drawn at twice its lower edge. ``colours`` keeps a
    method's colour the same across figures.
    """
    figure = Figure(figsize=(7, 4.5), layout="constrained")
    axis = figure.subplots()
    for method, profile in profiles.items():
        edges = np.array([np.inf if e is None else e for e in profile["edges_px"]], dtype=float)
        upper = np.where(np.isinf(edges[1:]), 2 * edges[-2], edges[1:])
        values = np.array([np.nan if v is None else v for v in profile["mae"]], dtype=float)
        # A "$" would start matplotlib's mathtext: names are shown as typed, long ones cut.
        label = method if len(method) <= LEGEND_CHARS else method[: LEGEND_CHARS - 1] + "…"
        axis.plot(
            0.5 * (edges[:-1] + upper),
            values,
            "o-",
            ms=3,
            label=label.replace("$", r"\$"),
            color=(colours or {}).get(method),
        )
    axis.set_xscale("symlog", linthresh=4)
    axis.set_xlabel("distance to the surface rupture (pixels)")
    axis.set_ylabel("mean absolute error (pixels)")
    axis.set_title(title)
    axis.grid(True, which="both", alpha=0.3)
    axis.legend()
    return figure
