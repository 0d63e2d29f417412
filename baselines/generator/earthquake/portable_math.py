"""Powers and exponentials whose last bits do not depend on the processor.

NumPy chooses SIMD kernels for ``exp``, ``log``, ``log10``, ``arctan`` and ``**`` on arrays at
run time, by CPU: on the same inputs its AVX-512 kernels and its AVX2 ones differ in the last
bit of about 5 % of the results (measured with ``NPY_DISABLE_CPU_FEATURES``; ``sin``, ``cos``,
``sqrt`` and sums agree). The spectra of the fault's roughness and slip go through ``**``, and
the Gaussian that smooths the rows along the trace through ``exp``, so every trace vertex,
triangle, slip value and row point, and through them the displacement, changed with the
machine. These evaluate each element with the C library's ``pow`` and ``exp``, one code path
on every x86-64-v3 processor; scalars are Python floats, which use them too.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.ndimage import correlate1d

_pow = np.frompyfunc(math.pow, 2, 1)
_exp = np.frompyfunc(math.exp, 1, 1)


def libm_power(base: np.ndarray, exponent: float) -> np.ndarray:
    """``base ** exponent`` elementwise, float64, through the C library (about 0.1 us each)."""
    return _pow(np.asarray(base, dtype=np.float64), float(exponent)).astype(np.float64)


def libm_exp(x: np.ndarray) -> np.ndarray:
    """``exp(x)`` elementwise, float64, through the C library."""
    return _exp(np.asarray(x, dtype=np.float64)).astype(np.float64)


def gaussian_filter1d(values: np.ndarray, sigma: float, truncate: float = 4.0) -> np.ndarray:
    """``scipy.ndimage.gaussian_filter1d(values, sigma, mode="nearest")`` with a portable kernel.

    SciPy builds its kernel with ``numpy.exp``; this builds the same normalised kernel with
    :func:`libm_exp` and applies it with the same correlation.
    """
    radius = int(truncate * float(sigma) + 0.5)
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    kernel = libm_exp(-0.5 / float(sigma) ** 2 * offsets**2)
    return correlate1d(values, kernel / kernel.sum(), mode="nearest")
