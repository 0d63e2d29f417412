"""The masked spectra of tapered windows at many positions, their row transforms shared.

For the separable taper ``w(y, x) = p(y) p(x)`` of side ``N``, the spectrum of the window whose
top-left corner is ``(r, c)``, with its mean ``m`` removed, is at the bin ``k = (ky, kx)``

    S(k) = sum_y a_ky(y) G_kx(r + y, c) - m P(ky) P(kx),
    G_kx(R, c) = sum_x a_kx(x) I(R, c + x),

with ``a_k(t) = p(t) exp(-2 pi i k t / N)`` and ``P(k) = sum_t a_k(t)``. ``G`` is the transform
of a row segment. A window shares ``N - 1`` of its ``N`` row segments with the window below it,
so each segment is transformed once and used by every window that contains it, and each window
then costs one sum over its rows per bin, where ``rfft2`` transforms all its ``N^2`` pixels.
Both sums are matrix products (BLAS): the row sums with the windows' segments gathered, the
column sums with a banded matrix that places ``a_ky`` at each window's first row, plus one
column per window for its mean.

The spectra equal those of :func:`~baselines.imagery.phase_correlation.masked_phase`'s
``rfft2`` to float32 rounding (rows are centred on their band's mean first, so that the mean
term does not cancel digits).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from baselines.imagery.phase_correlation import FrequencyMask, raised_cosine_profile


@dataclass(frozen=True)
class SlidingTransform:
    """The kernels of the two sums for one window size, taper and frequency mask.

    Attributes
    ----------
    size : int
        Window side ``N``, pixels.
    mask : FrequencyMask
        The mask's bins ordered by column frequency ``kx``, then ``ky``: the order of the
        spectra's first axis.
    row_kernels : numpy.ndarray
        ``float32 [2 K + 1, N]``: the real and imaginary parts of ``a_kx`` for the mask's ``K``
        column frequencies, then ones (each segment's sum, for the windows' means).
    groups : tuple of slice
        Per column frequency, its bins in ``mask``.
    column_kernels : tuple of numpy.ndarray
        Per column frequency, ``complex64 [n, N]``: ``a_ky`` for its ``n`` bins.
    mean_weights : tuple of numpy.ndarray
        Per column frequency, ``complex64 [n]``: ``-P(ky) P(kx) / N^2``, the factor of a
        window's pixel sum in its spectrum.
    """

    size: int
    mask: FrequencyMask
    row_kernels: np.ndarray
    groups: tuple[slice, ...]
    column_kernels: tuple[np.ndarray, ...]
    mean_weights: tuple[np.ndarray, ...]

    @classmethod
    def make(cls, size: int, max_frequency: float, taper_beta: float) -> SlidingTransform:
        mask = FrequencyMask.make(size, max_frequency)
        ky, kx = np.divmod(mask.bins, size // 2 + 1)
        order = np.lexsort((ky, kx))
        mask = FrequencyMask(mask.bins[order], mask.frequencies[order], mask.weights[order])
        ky, kx = ky[order], kx[order]
        profile = raised_cosine_profile(size, taper_beta)
        t = np.arange(size)

        def kernel(k: np.ndarray) -> np.ndarray:
            return profile * np.exp(-2j * np.pi * np.outer(k, t) / size)

        columns, starts = np.unique(kx, return_index=True)
        row = kernel(columns)
        row_kernels = np.concatenate([row.real, row.imag, np.ones((1, size))])
        ends = [*starts[1:], len(kx)]
        groups = tuple(slice(a, b) for a, b in zip(starts, ends, strict=True))
        columns_of = [kernel(ky[g]) for g in groups]
        column_kernels = tuple(c.astype(np.complex64) for c in columns_of)
        mean_weights = tuple(
            (-c.sum(1) * row[i].sum() / size**2).astype(np.complex64)
            for i, c in enumerate(columns_of)
        )
        return cls(size, mask, row_kernels.astype(np.float32), groups, column_kernels, mean_weights)

    def spectra(self, image: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """``complex64 [M, len(rows), len(cols)]``: the spectra of the windows whose top-left
        corners are ``(rows[i], cols[j])`` of ``image``, at the mask's bins.

        ``rows`` must increase; the windows must lie in ``image``. Work and memory grow with the
        band of rows the windows span times ``len(cols)``.
        """
        n, k = self.size, len(self.groups)
        top = int(rows[0])
        height = int(rows[-1]) - top + n
        band = np.asarray(image[top : top + height], np.float64)
        band = (band - band.mean()).astype(np.float32)
        segments = sliding_window_view(band, n, axis=1)[:, cols]  # [height, C, N]
        sums = self.row_kernels @ segments.reshape(-1, n).T  # [2 K + 1, height * C]
        count, width = len(rows), len(cols)
        # Per column frequency: the row transforms, then each window's pixel sum.
        operand = np.zeros((k, height + count, width), np.complex64)
        operand.real[:, :height] = sums[:k].reshape(k, height, width)
        operand.imag[:, :height] = sums[k : 2 * k].reshape(k, height, width)
        running = np.zeros((height + 1, width))
        np.cumsum(sums[2 * k].reshape(height, width), axis=0, out=running[1:])
        offsets = np.asarray(rows) - top
        operand.real[:, height:] = running[offsets + n] - running[offsets]
        spectra = np.empty((len(self.mask.bins), count, width), np.complex64)
        window_rows = offsets[:, None] + np.arange(n)
        for i, group in enumerate(self.groups):
            kernels = self.column_kernels[i]
            banded = np.zeros((len(kernels), count, height + count), np.complex64)
            banded[:, np.arange(count)[:, None], window_rows] = kernels[:, None, :]
            banded[:, np.arange(count), height + np.arange(count)] = self.mean_weights[i][:, None]
            out = spectra[group].reshape(-1, width)
            np.matmul(banded.reshape(len(out), -1), operand[i], out=out)
        return spectra
