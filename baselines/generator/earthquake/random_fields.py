"""Gaussian random fields with a prescribed power spectrum, by Fourier synthesis.

Two spectra are used by the generator: a self-affine (power-law) spectrum for fault roughness
and a von Karman spectrum for slip. Both are made by filtering white noise in the Fourier
domain, so one function, :func:`spectral_synthesis`, does the work for both.

References
----------
.. [1] Candela, T. et al. (2012). Roughness of fault surfaces over nine decades of length
       scales. JGR 117, B08409. https://doi.org/10.1029/2011JB009041
.. [2] Mai, P. M. & Beroza, G. C. (2002). A spatial random field model to characterize
       complexity in earthquake slip. JGR 107(B11), 2308. https://doi.org/10.1029/2001JB000588
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from baselines.generator.earthquake.portable_math import libm_power


def spectral_synthesis(
    shape: tuple[int, int],
    spacing_m: tuple[float, float],
    power_spectrum: Callable[[np.ndarray, np.ndarray], np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """A zero-mean, unit-variance Gaussian field with the given 2-D power spectrum.

    Parameters
    ----------
    shape : (int, int)
        Number of samples along each axis.
    spacing_m : (float, float)
        Sample spacing along each axis, metres.
    power_spectrum : callable
        ``power_spectrum(k0, k1)`` gives the (unnormalised) power at angular wavenumbers
        ``k0, k1`` (rad/m, broadcast 2-D arrays). The zero wavenumber is removed.
    rng : numpy.random.Generator
        Source of the white noise.

    Returns
    -------
    numpy.ndarray
        Float64 array of ``shape``, mean 0 and standard deviation 1.

    Notes
    -----
    The field is periodic over the grid; callers that need a non-periodic field make the grid
    larger than the region they use.
    """
    k0 = 2 * np.pi * np.fft.fftfreq(shape[0], d=spacing_m[0])[:, None]
    k1 = 2 * np.pi * np.fft.rfftfreq(shape[1], d=spacing_m[1])[None, :]
    power = power_spectrum(k0, k1)
    power[0, 0] = 0.0
    noise = np.fft.rfft2(rng.standard_normal(shape))
    field = np.fft.irfft2(noise * np.sqrt(power), s=shape)
    field -= field.mean()
    return field / field.std()


def fault_plane_field(
    length_m: float,
    width_m: float,
    spacing_m: float,
    power_spectrum: Callable[[np.ndarray, np.ndarray], np.ndarray],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random field over a fault's plane: ``s`` in ``[-L/2, L/2]``, ``w`` in ``[0, W]``.

    The synthesis grid extends a quarter of the fault's size beyond each edge, so that the
    fault does not see the field's periodic wrap-around; ``w = 0`` and ``s = -L/2`` are nodes.

    Returns
    -------
    s_m, w_m : numpy.ndarray
        Grid coordinates along strike and down dip, metres.
    field : numpy.ndarray
        ``[len(s_m), len(w_m)]`` field of zero mean and unit variance over the whole grid.
    """
    pad_s = int(np.ceil(0.25 * length_m / spacing_m)) + 1
    pad_w = int(np.ceil(0.25 * width_m / spacing_m)) + 1
    n_s = int(np.ceil(length_m / spacing_m)) + 2 * pad_s + 1
    n_w = int(np.ceil(width_m / spacing_m)) + 2 * pad_w + 1
    field = spectral_synthesis((n_s, n_w), (spacing_m, spacing_m), power_spectrum, rng)
    s = -length_m / 2 + spacing_m * (np.arange(n_s) - pad_s)
    w = spacing_m * (np.arange(n_w) - pad_w)
    return s, w, field


def self_affine_spectrum(hurst: float) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Isotropic 2-D power spectrum ``|k|^-(2 + 2H)`` of a self-affine surface.

    Its 1-D profiles have the spectrum ``k^-(1 + 2H)`` and rms height growing as ``L^H``.
    """

    def power(k0: np.ndarray, k1: np.ndarray) -> np.ndarray:
        k2 = k0**2 + k1**2
        k2[k2 == 0] = np.inf
        return libm_power(k2, -(1.0 + hurst))

    return power


def von_karman_spectrum(
    correlation_lengths_m: tuple[float, float], hurst: float
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """Anisotropic von Karman power spectrum of Mai & Beroza (2002).

    ``P(k) = a0 a1 / (1 + a0^2 k0^2 + a1^2 k1^2)^(H + 1)``: flat below the corner wavenumbers
    ``1/a``, decaying as ``k^-(2H + 2)`` above them.
    """
    a0, a1 = correlation_lengths_m

    def power(k0: np.ndarray, k1: np.ndarray) -> np.ndarray:
        return a0 * a1 / libm_power(1.0 + (a0 * k0) ** 2 + (a1 * k1) ** 2, hurst + 1.0)

    return power
