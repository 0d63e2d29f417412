"""Maps of a simulated displacement field with its rupture trace (as Fig. 1 of the seed paper)."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure


def plot_displacement(
    displacement_px: np.ndarray, rupture_px: np.ndarray, pixel_size_m: float, title: str = ""
) -> Figure:
    """East-west and north-south displacement maps, pixels, with the surface trace.

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
    """
    figure = Figure(figsize=(11, 5), layout="constrained")
    axes = figure.subplots(1, 2)
    for axis, component, name in zip(axes, displacement_px, ("E-W", "N-S"), strict=True):
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
    if title:
        figure.suptitle(title)
    return figure


def plot_pair_validity(pre: np.ndarray, post: np.ndarray, quality, title: str) -> Figure:
    """A two-date pair side by side, and both masks over the first date.

    ``quality`` is a :class:`~baselines.generator.validity.PairQuality`: decorrelated pixels
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
