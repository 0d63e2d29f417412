"""A coarse lattice over the pixel grid, and cubic upsampling from it to the pixels.

Node ``k`` of a lattice of step ``h`` lies on pixel coordinate ``h (k - 1)`` (row and column),
so the nodes run from one step before the first pixel to past the last. Cell ``i`` holds the
pixels ``h i + a`` (``0 <= a < h``); its stencil is nodes ``i`` to ``i + 3`` on each axis, and
a pixel's value is the tensor-product cubic Lagrange interpolant of those 16 nodes. A pixel
keeps its phase ``a`` in its cell, so the weights are one ``[h, 4]`` table.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def cell_count(size: int, step: int) -> int:
    """Cells per side covering ``size`` pixels."""
    return -(-size // step)


def node_coordinates(size: int, step: int) -> np.ndarray:
    """``[K]`` pixel coordinates (row or column) of the nodes along one axis."""
    return step * (np.arange(cell_count(size, step) + 3) - 1.0)


def cubic_weights(step: int) -> np.ndarray:
    """``[step, 4]`` Lagrange weights on nodes ``-1, 0, 1, 2`` at the phases ``a / step``."""
    t = np.arange(step) / step
    return np.column_stack(
        [
            -t * (t - 1) * (t - 2) / 6,
            (t + 1) * (t - 1) * (t - 2) / 2,
            -(t + 1) * t * (t - 2) / 2,
            (t + 1) * t * (t - 1) / 6,
        ]
    )


def full_stencil_cells(usable: np.ndarray) -> np.ndarray:
    """``[I, I]`` cells whose 16 stencil nodes are all ``usable`` (``bool [K, K]``)."""
    return sliding_window_view(usable, (4, 4)).all(axis=(2, 3))


def upsample(values: np.ndarray, size: int, step: int) -> np.ndarray:
    """Pixel values ``[C, size, size]`` from node values ``[C, K, K]`` (rows, then columns)."""
    weights = cubic_weights(step)
    cells = cell_count(size, step)
    channels, nodes = values.shape[:2]
    # Along the columns of every node row: [C, K, cells * step].
    windows = sliding_window_view(values, 4, axis=2)[:, :, :cells]
    along = (windows @ weights.T).reshape(channels, nodes, cells * step)
    # Then down the rows, one phase at a time: [C, cells, step, cells * step].
    pixels = np.empty((channels, cells, step, cells * step))
    term = np.empty((channels, cells, cells * step))
    for phase, phase_weights in enumerate(weights):
        out = pixels[:, :, phase]
        np.multiply(along[:, :cells], phase_weights[0], out=out)
        for k in range(1, 4):
            out += np.multiply(along[:, k : k + cells], phase_weights[k], out=term)
    return pixels.reshape(channels, cells * step, cells * step)[:, :size, :size]
