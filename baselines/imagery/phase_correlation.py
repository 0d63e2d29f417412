"""Sub-pixel shifts of batches of window pairs from their normalised cross-power spectrum.

For windows with ``post(x) = pre(x - s)``, the normalised cross-power spectrum is
``Q(k) = F_pre(k) conj(F_post(k)) / |...| = exp(2 pi i k.s / N)``: its phase is a plane whose
slope is the shift. The shift is found in the manner of COSI-Corr (Leprince et al. 2007):

* each window has its mean removed and a raised-cosine taper applied;
* frequencies beyond ``max_frequency`` (cycles per pixel) are masked, where aliasing and noise
  dominate the image spectra;
* the phase plane is fitted to the unwrapped phase by weighted least squares, iteratively
  reweighted to discount frequencies whose phase departs from the plane (robust fit);
* the signal-to-noise ratio ``1 - sum(w |Q - model|^2) / (4 sum(w))`` is in [0, 1]: 1 for a
  perfect plane, about 0.5 for noise.

Shifts are ``(row, col)`` in pixels. All work is vectorised over the batch, in float32; phases
are laid out ``[M, B]`` (a row per frequency bin), so that the fit's sums over the bins are
matrix products with a long side and its elementwise passes run over contiguous rows.

References
----------
.. [1] Leprince, S., Barbot, S., Ayoub, F. & Avouac, J.-P. (2007). Automatic and precise
       orthorectification, coregistration, and subpixel correlation of satellite images,
       application to ground deformation measurements. IEEE TGRS 45(6), 1529-1558.
       https://doi.org/10.1109/TGRS.2006.888937
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft


def raised_cosine_profile(size: int, beta: float = 0.5) -> np.ndarray:
    """1-D raised-cosine (Tukey) profile ``[size]``: flat centre, a cosine ramp over ``beta / 2``
    of the side at each end."""
    x = np.arange(size) + 0.5
    ramp = max(1, round(beta * size / 2))
    profile = np.ones(size)
    edge = 0.5 * (1 - np.cos(np.pi * x[:ramp] / ramp))
    profile[:ramp] = edge
    profile[-ramp:] = edge[::-1]
    return profile


def raised_cosine_taper(size: int, beta: float = 0.5) -> np.ndarray:
    """Separable 2-D raised-cosine (Tukey) taper ``[size, size]``, float32: the outer product
    of :func:`raised_cosine_profile` with itself."""
    profile = raised_cosine_profile(size, beta)
    return np.outer(profile, profile).astype(np.float32)


def cross_power(pre: np.ndarray, post: np.ndarray, taper: np.ndarray) -> np.ndarray:
    """Normalised cross-power spectra ``[B, N, N//2 + 1]`` of window batches ``[B, N, N]``."""
    pre = pre - pre.mean(axis=(1, 2), keepdims=True)
    post = post - post.mean(axis=(1, 2), keepdims=True)
    spectrum = scipy.fft.rfft2(pre * taper, workers=-1) * np.conj(
        scipy.fft.rfft2(post * taper, workers=-1)
    )
    return spectrum / np.maximum(np.abs(spectrum), np.float32(1e-20))


def integer_shifts(q: np.ndarray, size: int) -> np.ndarray:
    """Integer ``(row, col)`` shifts ``[B, 2]`` at the peaks of the phase-correlation surfaces."""
    # The inverse transform of exp(2 pi i k.s) peaks at -s.
    surface = scipy.fft.irfft2(q, s=(size, size), workers=-1)
    peak = surface.reshape(len(q), -1).argmax(axis=1)
    rows, cols = np.unravel_index(peak, (size, size))
    centred = np.column_stack([rows, cols])
    centred = np.where(centred > size // 2, centred - size, centred)
    return -centred


def frequency_grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Frequencies (cycles per pixel) of the rfft2 bins, rows and columns, ``[N, N//2 + 1]``."""
    f_row = np.fft.fftfreq(size)[:, None]
    f_col = np.fft.rfftfreq(size)[None, :]
    shape = (size, size // 2 + 1)
    return np.broadcast_to(f_row, shape), np.broadcast_to(f_col, shape)


@dataclass(frozen=True)
class FrequencyMask:
    """The rfft2 bins used by the phase-plane fit.

    Attributes
    ----------
    bins : numpy.ndarray
        Flat indices of the kept bins: within ``max_frequency`` (radius), without DC.
    frequencies : numpy.ndarray
        ``[M, 2]`` their (row, col) angular frequencies, radians per pixel.
    weights : numpy.ndarray
        ``[M]``: 2 for bins that also stand for their conjugate, 1 for the first and Nyquist
        columns.
    """

    bins: np.ndarray
    frequencies: np.ndarray
    weights: np.ndarray

    @classmethod
    def make(cls, size: int, max_frequency: float) -> FrequencyMask:
        f_row, f_col = frequency_grid(size)
        keep = np.hypot(f_row, f_col) <= max_frequency
        keep[0, 0] = False
        weights = np.where((f_col > 0) & (f_col < 0.5), 2.0, 1.0)
        bins = np.flatnonzero(keep)
        frequencies = 2 * np.pi * np.column_stack([f_row.ravel()[bins], f_col.ravel()[bins]])
        return cls(bins, frequencies.astype(np.float32), weights.ravel()[bins].astype(np.float32))


def masked_phase(pre: np.ndarray, post: np.ndarray, taper: np.ndarray, mask: FrequencyMask):
    """Phase ``[M, B]`` of the cross-power spectra of window batches ``[B, N, N]`` at the mask's
    bins: the window transform, one ``rfft2`` per window."""
    pre = pre - pre.mean(axis=(1, 2), keepdims=True)
    post = post - post.mean(axis=(1, 2), keepdims=True)
    spectrum_pre = scipy.fft.rfft2(pre * taper, workers=-1).reshape(len(pre), -1)
    spectrum_post = scipy.fft.rfft2(post * taper, workers=-1).reshape(len(post), -1)
    cross = spectrum_pre[:, mask.bins] * np.conj(spectrum_post[:, mask.bins])
    return np.ascontiguousarray(np.angle(cross).T)


def fit_phase_plane(phase, mask: FrequencyMask, iterations: int = 3, scale_rad: float = 0.5):
    """Shift ``[B, 2]`` (row, col) and SNR ``[B]`` from cross-power phases ``[M, B]``.

    Weighted least squares of the phase ``phi(k) = 2 pi k.s``, iteratively reweighted with
    Cauchy weights of scale ``scale_rad`` on the wrapped phase residuals. Shifts must be below
    about half a pixel (the integer stage removes the rest), so that the phase does not wrap
    within the mask. The passes over ``[M, B]`` run in place: two work arrays in all.

    ``phase`` may be a NumPy array or a torch tensor (on any device): the arithmetic is the same
    and the result is of the same kind.
    """
    xp, f, weights_0 = _namespace(phase, mask)
    products = xp.stack([f[:, 0] ** 2, f[:, 0] * f[:, 1], f[:, 1] ** 2])  # [3, M]
    weights_column = weights_0[:, None]
    weights = weights_column + 0 * phase
    work = 0 * phase
    two_pi = 2 * np.pi
    for iteration in range(iterations + 1):
        m11, m12, m22 = products @ weights  # normal equations, per window
        v1, v2 = f.T @ xp.multiply(weights, phase, out=work)
        det = m11 * m22 - m12 * m12
        det = xp.where(det > 1e-12, det, 1e-12)
        shift = xp.stack([(m22 * v1 - m12 * v2) / det, (m11 * v2 - m12 * v1) / det])
        # The misfit of the plane, wrapped to (-pi, pi]: its sign is immaterial below.
        misfit = xp.matmul(f, shift, out=weights)
        misfit -= phase
        xp.multiply(misfit, 1 / two_pi, out=work)
        xp.round(work, out=work)
        work *= two_pi
        misfit -= work
        if iteration == iterations:
            break
        xp.multiply(misfit, misfit, out=work)
        work *= 1 / scale_rad**2
        work += 1
        weights = xp.divide(weights_column, work, out=work)
        work = misfit
    # |Q - exp(i plane)|^2 = 2 - 2 cos(residual), the normalised Q being of unit modulus.
    total = 2.0 * float(mask.weights.sum())
    departure = total - 2.0 * (weights_0 @ xp.cos(misfit, out=misfit))
    snr = xp.clip(1.0 - departure / (2.0 * total), 0.0, 1.0)
    return shift.T, snr


def _namespace(phase, mask: FrequencyMask):
    """NumPy or torch, and the mask's arrays in that library (and on the tensor's device)."""
    if isinstance(phase, np.ndarray):
        return np, mask.frequencies, mask.weights
    import torch

    def as_tensor(a):
        return torch.as_tensor(a, dtype=phase.dtype, device=phase.device)

    return torch, as_tensor(mask.frequencies), as_tensor(mask.weights)


def masked_phase_torch(pre, post, taper: np.ndarray, mask: FrequencyMask, device):
    """:func:`masked_phase` with torch on ``device``: a ``[M, B]`` tensor there."""
    import torch

    batch = [
        torch.as_tensor(np.asarray(w), dtype=torch.float32, device=device) for w in (pre, post)
    ]
    window = torch.as_tensor(taper, device=device)
    bins = torch.as_tensor(mask.bins, device=device)
    spectra = [
        torch.fft.rfft2((w - w.mean(dim=(1, 2), keepdim=True)) * window).reshape(len(w), -1)[
            :, bins
        ]
        for w in batch
    ]
    return torch.angle(spectra[0] * torch.conj(spectra[1])).T.contiguous()
