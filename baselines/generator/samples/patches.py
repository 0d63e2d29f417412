"""Patches of a scene: random square crops and the eight orientations of the square (D4).

Orientation ``k`` (0-7) rotates the image by ``k % 4`` quarter turns counter-clockwise
(``numpy.rot90``) and then, for ``k >= 4``, flips it left-right. It varies the texture's
direction; the displacement field is simulated on the oriented grid, so no vector needs
rotating.
"""

from __future__ import annotations

import numpy as np

ORIENTATIONS = 8


def orient(image: np.ndarray, orientation: int) -> np.ndarray:
    """Apply one of the eight orientations of the square to the last two axes."""
    if not 0 <= orientation < ORIENTATIONS:
        raise ValueError(f"orientation must be in 0..7, got {orientation}")
    out = np.rot90(image, orientation % 4, axes=(-2, -1))
    return np.flip(out, axis=-1) if orientation >= 4 else out


def crop_origin(shape: tuple[int, int], side: int, rng: np.random.Generator) -> tuple[int, int]:
    """Random top-left corner of a ``side x side`` crop inside an image of ``shape``.

    Raises
    ------
    ValueError
        If the image is smaller than the crop.
    """
    if shape[0] < side or shape[1] < side:
        raise ValueError(f"image {shape} is smaller than the {side} x {side} crop")
    return int(rng.integers(shape[0] - side + 1)), int(rng.integers(shape[1] - side + 1))


def crop_transform(transform: tuple[float, ...], row: int, col: int) -> tuple[float, ...]:
    """Affine transform of a crop whose top-left pixel is ``(row, col)`` of the parent."""
    a, b, c, d, e, f = transform
    return (a, b, c + a * col + b * row, d, e, f + d * col + e * row)


def orient_vector(vector_rc: np.ndarray, orientation: int) -> np.ndarray:
    """A constant ``(row, col)`` shift of the original grid, expressed on the oriented grid."""
    rows, cols = np.mgrid[0:3, 0:3]
    old_rows, old_cols = orient(rows, orientation), orient(cols, orientation)
    # Old coordinates change with new (row, col) through this matrix (a signed permutation).
    jacobian = np.array(
        [
            [old_rows[1, 0] - old_rows[0, 0], old_rows[0, 1] - old_rows[0, 0]],
            [old_cols[1, 0] - old_cols[0, 0], old_cols[0, 1] - old_cols[0, 0]],
        ]
    )
    return np.linalg.solve(jacobian, np.asarray(vector_rc, dtype=float))
