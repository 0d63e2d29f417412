"""Maps of a simulated displacement field with its rupture trace (as Fig. 1 of the seed paper)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from quakebench.trace import signed_distance_to_polyline, trace_direction_en

PROFILE_REACH_PX = 32
"""The profile panel reaches this far beyond the fault zone's edge on either side."""


def plot_displacement(
    displacement_px: np.ndarray,
    rupture_px: np.ndarray,
    pixel_size_m: float,
    title: str = "",
    fault_zone: tuple[float, float] | None = None,
) -> Figure:
    """East-west and north-south displacement maps, pixels, with the surface trace, and the
    fault-parallel profile across the trace with its fault zone.

    Parameters
    ----------
    displacement_px : numpy.ndarray
        ``[2, H, W]`` displacement (east, north) in pixels.
    rupture_px : numpy.ndarray
        ``[K, 2]`` trace, ``(x = col, y = row)``.
    pixel_size_m : float
        Pixel size, for the secondary colour-bar scale in metres.
    title : str
        Figure title.
    fault_zone : (float, float), optional
        ``(main_strand_fraction, fault_zone_width_m)``, shown on the profile.
    """
    figure = Figure(figsize=(17, 5), layout="constrained")
    axes = figure.subplots(1, 3, width_ratios=(1, 1, 0.9))
    for axis, component, name in zip(axes[:2], displacement_px, ("E-W", "N-S"), strict=True):
        limit = float(np.abs(displacement_px).max()) or 1.0
        image = axis.imshow(component, cmap="RdBu_r", vmin=-limit, vmax=limit)
        axis.plot(rupture_px[:, 0], rupture_px[:, 1], color="k", lw=0.8, label="surface rupture")
        axis.set_xlim(-0.5, component.shape[1] - 0.5)
        axis.set_ylim(component.shape[0] - 0.5, -0.5)
        axis.set_title(f"{name} displacement (positive {'east' if name == 'E-W' else 'north'})")
        axis.set_xlabel("column (pixels)")
        axis.set_ylabel("row (pixels)")
        bar = figure.colorbar(image, ax=axis, shrink=0.8, label="pixels")
        metres = bar.ax.secondary_yaxis(
            "left", functions=(lambda v: v * pixel_size_m, lambda v: v / pixel_size_m)
        )
        metres.set_ylabel("metres")
    axes[0].legend(loc="lower left", fontsize="small")
    _plot_profile(axes[2], displacement_px, rupture_px, pixel_size_m, fault_zone)
    if title:
        figure.suptitle(title)
    return figure


def _plot_profile(
    axis: Axes,
    displacement_px: np.ndarray,
    rupture_px: np.ndarray,
    pixel_size_m: float,
    fault_zone: tuple[float, float] | None,
) -> None:
    """The mean fault-parallel displacement in 0.5 px bins of signed distance to the trace."""
    fraction, width_m = fault_zone or (1.0, 0.0)
    half_px = width_m / 2 / pixel_size_m
    reach = half_px + PROFILE_REACH_PX
    direction = trace_direction_en(rupture_px)
    if direction is None:
        axis.set_axis_off()
        return
    distance = signed_distance_to_polyline(displacement_px.shape[1:], rupture_px, reach)
    parallel = displacement_px[0] * direction[0] + displacement_px[1] * direction[1]
    near = np.isfinite(distance)
    edges = np.arange(-np.ceil(reach), np.ceil(reach) + 0.5, 0.5)
    counts, _ = np.histogram(distance[near], edges)
    sums, _ = np.histogram(distance[near], edges, weights=parallel[near])
    with np.errstate(invalid="ignore", divide="ignore"):
        axis.plot(0.5 * (edges[1:] + edges[:-1]), sums / counts, "k.-", ms=3, lw=0.8)
    if half_px > 0:
        axis.axvspan(-half_px, half_px, color="tab:orange", alpha=0.2, label="fault zone")
        axis.legend(loc="best", fontsize="small")
    axis.axvline(0.0, color="0.5", lw=0.8, ls=":")
    axis.set_title(
        f"{100 * fraction:.0f} % of the offset on the main strand,\n"
        f"the rest over a zone {width_m:.0f} m ({2 * half_px:.1f} px) wide",
        fontsize="medium",
    )
    axis.set_xlabel("signed distance to the rupture (pixels)")
    axis.set_ylabel("fault-parallel displacement (pixels)")
    axis.grid(True, alpha=0.3)


def plot_pair_validity(pre: np.ndarray, post: np.ndarray, quality, title: str) -> Figure:
    """A two-date pair side by side, and both masks over the first date.

    ``quality`` is a :class:`~baselines.imagery.validity.PairQuality`: decorrelated pixels
    are drawn in orange, correlated but moving ones in magenta.
    """
    figure = Figure(figsize=(16, 4.6), layout="constrained")
    axes = figure.subplots(1, 3)
    for axis, image, name in zip(
        axes, (pre, post, pre), ("date 1", "date 2", "valid"), strict=True
    ):
        low, high = np.percentile(image, [1, 99])
        axis.imshow(image, cmap="gray", vmin=low, vmax=high)
        axis.set_title(name)
        axis.set_axis_off()
    for mask, colour in ((~quality.correlated, "tab:orange"), (quality.moving, "magenta")):
        overlay = np.ma.masked_where(~mask, np.ones_like(mask, dtype=float))
        axes[2].imshow(overlay, cmap=ListedColormap([colour]), alpha=0.5)
    axes[2].set_title(
        f"decorrelated (orange) {100 * quality.decorrelated_fraction:.0f} %, moving (magenta) "
        f"{100 * quality.moving_fraction:.0f} %"
    )
    figure.suptitle(title)
    return figure
