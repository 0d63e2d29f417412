"""The pixel grid's conventions: where pixel centres lie in local map coordinates.

A square tile of ``S`` pixels of ``p`` metres is centred on the map origin, row 0 north and
column 0 west (GeoTIFF order): pixel ``(row, col)`` has its centre at
``east = (col + 0.5 - S/2) p`` and ``north = (S/2 - row - 0.5) p``.
"""

from __future__ import annotations

import numpy as np


def pixel_to_map_m(
    col: np.ndarray, row: np.ndarray, size: int, pixel_size_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """East and north, metres, of (possibly fractional) pixel coordinates."""
    east = (np.asarray(col) + 0.5 - size / 2) * pixel_size_m
    north = (size / 2 - np.asarray(row) - 0.5) * pixel_size_m
    return east, north


def map_to_pixel(
    east_m: np.ndarray, north_m: np.ndarray, size: int, pixel_size_m: float
) -> np.ndarray:
    """``[N, 2]`` pixel coordinates ``(x = col, y = row)`` of map points."""
    col = np.asarray(east_m) / pixel_size_m + size / 2 - 0.5
    row = size / 2 - 0.5 - np.asarray(north_m) / pixel_size_m
    return np.column_stack([col, row])


def pixel_centres_m(size: int, pixel_size_m: float) -> tuple[np.ndarray, np.ndarray]:
    """East and north of every pixel centre, each ``[S, S]`` indexed ``[row, col]``."""
    row, col = np.mgrid[0:size, 0:size]
    return pixel_to_map_m(col, row, size, pixel_size_m)
