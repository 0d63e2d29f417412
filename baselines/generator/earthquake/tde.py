"""Surface displacement of triangular dislocation elements (TDEs) in an elastic half-space.

The kernel is Nikkhoo & Walter's (2015) artefact-free TDE solution as implemented in ``cutde``
(``cutde.halfspace.disp_free``, float64). Coordinates are east, north, up in metres, the
half-space is ``up <= 0``.

References
----------
.. [1] Nikkhoo, M. & Walter, T. R. (2015). Triangular dislocation: an analytical, artefact-free
       solution. GJI 201(2), 1119-1141. https://doi.org/10.1093/gji/ggv035
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np

# cutde picks CUDA or OpenCL where pycuda or pyopencl is installed (a GPU machine); those
# round differently from its C++ backend, which made the pinned data. Set before its import.
os.environ.setdefault("CUTDE_USE_BACKEND", "cpp")
from cutde.halfspace import disp_free

POISSON_RATIO = 0.25

# A point on a triangle's edge is singular for the kernel (cutde returns NaN): such a point is
# evaluated a millimetre away instead, trying these directions in turn.
_NUDGES_M = 1e-3 * np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])


def tde_frames(triangles_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """cutde's local unit vectors (strike, dip, normal) of each triangle, each ``[T, 3]``.

    ``normal = (B - A) x (C - A)``, ``strike = up x normal`` (north times the normal's vertical
    component for a horizontal triangle) and ``dip = normal x strike``, as in Nikkhoo & Walter.
    """
    a, b, c = triangles_m[:, 0], triangles_m[:, 1], triangles_m[:, 2]
    normal = np.cross(b - a, c - a)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    strike = np.cross(np.array([0.0, 0.0, 1.0]), normal)
    norm = np.linalg.norm(strike, axis=1, keepdims=True)
    horizontal = norm[:, 0] < 1e-12
    strike[horizontal] = np.array([0.0, 1.0, 0.0]) * normal[horizontal, 2:3]
    strike /= np.where(horizontal[:, None], 1.0, norm)
    dip = np.cross(normal, strike)
    return strike, dip, normal


def tde_slip(triangles_m: np.ndarray, slip_m: np.ndarray, positive_side: np.ndarray) -> np.ndarray:
    """Slip vectors as cutde's (strike-slip, dip-slip, tensile) components, ``[T, 3]``.

    Parameters
    ----------
    triangles_m : numpy.ndarray
        ``[T, 3, 3]`` vertices (east, north, up).
    slip_m : numpy.ndarray
        ``[T, 3]`` displacement of the block on the ``positive_side`` relative to the other.
    positive_side : numpy.ndarray
        ``[3]`` any vector pointing into the block whose motion ``slip_m`` gives.

    Notes
    -----
    cutde's slip is the displacement of the block into which the triangle's normal points
    relative to the other block; ``tests/test_tde.py`` checks this against Okada (1992).
    """
    strike, dip, normal = tde_frames(triangles_m)
    sign = np.where(normal @ positive_side >= 0.0, 1.0, -1.0)[:, None]
    b = sign * slip_m
    return np.column_stack(
        [np.sum(b * strike, axis=1), np.sum(b * dip, axis=1), np.sum(b * normal, axis=1)]
    )


def surface_displacement_m(
    east_m: np.ndarray, north_m: np.ndarray, triangles_m: np.ndarray, slip_tde_m: np.ndarray
) -> np.ndarray:
    """Displacement (east, north, up) in metres at surface points, ``[N, 3]``.

    Parameters
    ----------
    east_m, north_m : numpy.ndarray
        ``[N]`` coordinates of the observation points at the free surface.
    triangles_m : numpy.ndarray
        ``[T, 3, 3]`` triangle vertices, all at or below the surface.
    slip_tde_m : numpy.ndarray
        ``[T, 3]`` slip in cutde's components (see :func:`tde_slip`).

    Returns
    -------
    numpy.ndarray
        Finite float64 displacements. A point on a triangle edge (the surface trace) takes the
        value 1 mm away from it.
    """
    east = np.ascontiguousarray(east_m, dtype=np.float64).ravel()
    north = np.ascontiguousarray(north_m, dtype=np.float64).ravel()
    if east.size == 0 or len(triangles_m) == 0:
        return np.zeros((east.size, 3))
    triangles = np.ascontiguousarray(triangles_m, dtype=np.float64)
    slip = np.ascontiguousarray(slip_tde_m, dtype=np.float64)

    def evaluate(e: np.ndarray, n: np.ndarray) -> np.ndarray:
        points = np.column_stack([e, n, np.zeros_like(e)])
        return disp_free(points, triangles, slip, POISSON_RATIO)

    out = evaluate(east, north)
    for nudge in _NUDGES_M:
        bad = ~np.all(np.isfinite(out), axis=1)
        if not bad.any():
            break
        out[bad] = evaluate(east[bad] + nudge[0], north[bad] + nudge[1])
    if not np.all(np.isfinite(out)):
        raise FloatingPointError("TDE kernel gave non-finite displacement after nudging")
    return out


@dataclass
class KernelStats:
    """Kernel evaluations (points x triangles) by part of a computation, and kernel time."""

    evaluations: dict[str, int] = field(default_factory=dict)
    kernel_seconds: float = 0.0

    def evaluate(
        self,
        part: str,
        east_m: np.ndarray,
        north_m: np.ndarray,
        triangles_m: np.ndarray,
        slip_tde_m: np.ndarray,
    ) -> np.ndarray:
        """:func:`surface_displacement_m`, counted under ``part`` and timed."""
        start = time.perf_counter()
        values = surface_displacement_m(east_m, north_m, triangles_m, slip_tde_m)
        self.kernel_seconds += time.perf_counter() - start
        self.evaluations[part] = self.evaluations.get(part, 0) + east_m.size * len(triangles_m)
        return values

    @property
    def total_evaluations(self) -> int:
        """All TDE kernel evaluations."""
        return int(sum(self.evaluations.values()))
