"""Figures of an evaluation: a sample's maps and the error profile against fault distance."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from quakebench.atomic import atomic_path
from quakebench.localization import format_width

LEGEND_CHARS = 64
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


def _legend_label(method: str) -> str:
    # A "$" would start matplotlib's mathtext: names are shown as typed, long ones cut.
    label = method if len(method) <= LEGEND_CHARS else method[: LEGEND_CHARS - 1] + "…"
    return label.replace("$", r"\$")


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
        axis.plot(
            0.5 * (edges[:-1] + upper),
            values,
            "o-",
            ms=3,
            label=_legend_label(method),
            color=(colours or {}).get(method),
        )
    axis.set_xscale("symlog", linthresh=4)
    axis.set_xlabel("distance to the surface rupture (pixels)")
    axis.set_ylabel("mean absolute error (pixels)")
    axis.set_title(title)
    axis.grid(True, which="both", alpha=0.3)
    axis.legend()
    return figure


def plot_zone_profiles(
    zones: Mapping[str, dict],
    title: str = "Stacked fault-parallel profiles across the rupture",
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """Stacked fault-parallel displacement against signed distance to the rupture: the truth
    (black) and each method, with its apparent zone width in the legend.

    ``zones`` maps a method name to its metrics' ``zone`` (``distance_px``, ``predicted``,
    ``true``, ``apparent_width_px``, ``true_apparent_width_px``).
    """
    figure = Figure(figsize=(7, 4.5), layout="constrained")
    axis = figure.subplots()

    lines = []  # (zone, profile key, width key, label, colour, line width)
    for index, (method, zone) in enumerate(zones.items()):
        if index == 0:  # every method's results share the truth
            lines.append((zone, "true", "true_apparent_width_px", "truth", "k", 2.5))
        colour = (colours or {}).get(method)
        lines.append((zone, "predicted", "apparent_width_px", method, colour, 1.2))
    for zone, key, width, label, colour, line_width in lines:
        axis.plot(
            np.asarray(zone["distance_px"], dtype=float),
            np.array([np.nan if v is None else v for v in zone[key]], dtype=float),
            "-",
            lw=line_width,
            color=colour,
            label=f"{_legend_label(label)} (width {format_width(zone[width])})",
        )
    axis.axvline(0.0, color="0.6", lw=0.8, ls=":")
    axis.set_xlabel("signed distance to the surface rupture (pixels)")
    axis.set_ylabel("fault-parallel displacement (pixels, true offset positive)")
    axis.set_title(title)
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize="small")
    return figure


def plot_skill(
    skills: Mapping[str, list],
    title: str,
    colours: Mapping[str, str] | None = None,
) -> Figure:
    """Skill against magnitude (``1 - mae / mae(zero)``), overall and within 2 px of the fault.

    ``skills`` maps a method to its per-bin scores (:class:`~quakebench.leaderboard.magnitude.
    BinScores`: ``low``, ``high``, ``skill`` and ``near_skill`` with intervals).
    """
    figure = Figure(figsize=(10, 4), layout="constrained")
    axes = figure.subplots(1, 2, sharey=True)
    for axis, attribute, name in zip(
        axes, ("skill", "near_skill"), ("all pixels", "within 2 px of the rupture"), strict=True
    ):
        for method, scores in skills.items():
            shown = [s for s in scores if getattr(s, attribute) is not None]
            if not shown:
                continue
            centre = np.array([(s.low + s.high) / 2 for s in shown])
            value = np.array([getattr(s, attribute).value for s in shown], dtype=float)
            low = np.array([getattr(s, attribute).low for s in shown], dtype=float)
            high = np.array([getattr(s, attribute).high for s in shown], dtype=float)
            axis.errorbar(
                centre,
                value,
                yerr=[value - low, high - value],
                fmt="o-",
                ms=4,
                capsize=3,
                label=_legend_label(method),
                color=(colours or {}).get(method),
            )
        axis.axhline(0.0, color="0.3", lw=1, ls="--", label="zero (no motion)")
        axis.set_xlabel("moment magnitude Mw (bin centre)")
        axis.set_title(name)
        axis.grid(True, alpha=0.3)
    axes[0].set_ylabel("skill: 1 - mae / mae(zero)")
    axes[1].legend(loc="lower right")
    figure.suptitle(title)
    return figure


def plot_preview(
    sample: dict, window: tuple[int, int, int], predictions: Mapping[str, np.ndarray]
) -> Figure:
    """The pair, the truth and each method's prediction and error on a preview window.

    One colour scale for every displacement and error panel of the sample (the truth's largest
    magnitude in the window), pixels at full resolution, and the rupture trace drawn.
    """
    row, col, size = window
    crop = np.s_[row : row + size, col : col + size]
    truth = sample["displacement"][:, row : row + size, col : col + size]
    invalid = ~sample["valid"][crop].astype(bool)
    limit = float(np.abs(truth).max()) or 1e-3
    trace = np.asarray(sample["rupture"]) - [col, row]
    images = [
        (sample["pre"][crop], "image 1", "gray", None),
        (sample["post"][crop], "image 2", "gray", None),
        (truth[0], "true east", "RdBu_r", limit),
        (truth[1], "true north", "RdBu_r", limit),
    ]
    for method, predicted in predictions.items():
        name = _legend_label(method)
        images += [
            (predicted[0], f"{name}: east", "RdBu_r", limit),
            (predicted[1], f"{name}: north", "RdBu_r", limit),
            (predicted[0] - truth[0], f"{name}: error east", "RdBu_r", limit),
            (predicted[1] - truth[1], f"{name}: error north", "RdBu_r", limit),
        ]
    rows = len(images) // 4
    figure = Figure(figsize=(8.4, 2.2 * rows + 0.5), layout="constrained")
    axes = figure.subplots(rows, 4, squeeze=False)
    artist = None
    for axis, (image, title, colours, vmax) in zip(axes.ravel(), images, strict=True):
        if vmax is None:
            low, high = np.percentile(image, [1, 99])
            axis.imshow(image, cmap=colours, vmin=low, vmax=high, interpolation="nearest")
        else:  # invalid pixels (no truth there) blank
            artist = axis.imshow(
                np.ma.masked_where(invalid, image),
                cmap=colours,
                vmin=-vmax,
                vmax=vmax,
                interpolation="nearest",
            )
        axis.plot(trace[:, 0], trace[:, 1], "k-", lw=0.7)
        axis.set_xlim(-0.5, size - 0.5)
        axis.set_ylim(size - 0.5, -0.5)
        axis.set_title(title, fontsize=8)
        axis.set_xticks([])
        axis.set_yticks([])
    if artist is not None:
        figure.colorbar(artist, ax=axes[:, 3], shrink=0.8, label="pixels")
    figure.suptitle(
        f"{sample['id']}: Mw {sample['magnitude']:.2f}, window {size} px at row {row}, "
        f"col {col} (full resolution; invalid pixels blank)",
        fontsize=9,
    )
    return figure


def plot_training_curves(
    curves: Mapping[str, tuple[list[int], list[float]]],
    zero_px: float,
    correlator_px: float | None = None,
    x_label: str = "training step (a stream) or epoch (stored tiles)",
    title: str | None = None,
) -> Figure:
    """Validation MAE (a log axis: the methods differ by decades) against training progress
    (``{run: (steps or samples, mae)}``), beside zero's (what a network must beat), 0.6 x
    zero's and, where given, the correlator's."""
    figure = Figure(figsize=(7, 4.2), layout="constrained")
    axis = figure.subplots()
    for name, (steps, mae) in curves.items():
        axis.plot(steps, mae, "o-", ms=3, label=name[:LEGEND_CHARS])
    axis.axhline(zero_px, color="0.3", ls="--", label=f"zero ({zero_px:.4f} px)")
    axis.axhline(0.6 * zero_px, color="0.6", ls=":", label="0.6 x zero")
    if correlator_px is not None:
        axis.axhline(
            correlator_px, color="C3", ls="-.", label=f"correlator ({correlator_px:.4f} px)"
        )
    axis.set_xlabel(x_label)
    axis.set_ylabel("validation mean absolute error (pixels)")
    axis.set_yscale("log")
    if title:
        axis.set_title(title, fontsize=10)
    axis.grid(True, alpha=0.3)
    axis.legend()
    return figure
