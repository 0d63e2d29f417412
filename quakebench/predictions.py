"""The predictions file: a NumPy ``.npz`` with one ``[2, h, w]`` array per sample id.

:class:`PredictionReader` reads one member at a time, checking each member's header before
any of its data is inflated (pickled data is never loaded); every problem is a
:class:`~quakebench.errors.QuakebenchError` naming the file
and the sample id. :class:`PredictionWriter` writes one member at a time, atomically, so that
neither side ever holds a whole split in memory. :func:`write_predictions` is the one loop that
runs any method over a split.
"""

from __future__ import annotations

import math
import os
import sys
import time
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

import numpy as np
from tqdm.auto import tqdm

from quakebench.atomic import atomic_path
from quakebench.errors import QuakebenchError

ALLOWED_DTYPES = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))

MAX_ABS_PX = 1e6
"""The largest displacement a prediction may hold, pixels: far beyond any tile, and small
enough that no sum of squares overflows."""

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
"""The time stamp of every member written (the zip format's earliest)."""

MAX_HEADER_BYTES = 1 << 16
"""The longest ``.npy`` header read (NumPy's own writers stay far below)."""

Predictor = Callable[[dict], np.ndarray]
"""A method: a sample (the contract's fields) in, ``float32 [2, H, W]`` (east, north; px) out."""


def _check_dtype(dtype: np.dtype, where: str) -> None:
    if dtype.hasobject:
        raise QuakebenchError(f"{where}: dtype object (pickled data is never loaded)")
    if dtype.byteorder == ">" or (dtype.byteorder == "=" and sys.byteorder == "big"):
        raise QuakebenchError(
            f"{where}: byte order big-endian; write little-endian float16, float32 or float64"
        )
    if dtype.newbyteorder("=") not in ALLOWED_DTYPES:
        raise QuakebenchError(f"{where}: dtype {dtype}, expected float16, float32 or float64")


def check_prediction(
    array: np.ndarray, sample_id: str, shape: tuple[int, ...], origin: str
) -> np.ndarray:
    """A prediction after checking its dtype, ``shape`` and values: float32 or float64 as
    given (float16 widened to float32, exactly), for the metrics to widen where they need.

    ``origin`` (a file name, or ``predictions``) starts every error message. Values must be
    finite and at most :data:`MAX_ABS_PX` in magnitude.
    """
    array = np.asarray(array)
    where = f"{origin}: id {sample_id}"
    _check_dtype(array.dtype, where)
    if array.shape != tuple(shape):
        raise QuakebenchError(
            f"{where}: shape {array.shape}, expected {tuple(shape)} (east, north; rows, cols)"
        )
    finite = np.isfinite(array)
    if not np.all(finite):
        raise QuakebenchError(
            f"{where}: {int(array.size - np.count_nonzero(finite))} non-finite values"
        )
    largest = float(np.max(np.abs(array))) if array.size else 0.0
    if largest > MAX_ABS_PX:
        raise QuakebenchError(f"{where}: a value of {largest:.3g} px; at most {MAX_ABS_PX:g}")
    return array.astype(np.float32) if array.dtype == np.float16 else array


class PredictionReader:
    """Read and check the members of a predictions file one at a time.

    Nothing is inflated before it is checked: each member's ``.npy`` header (shape, dtype,
    byte order) is read first and compared with the sample, then exactly the bytes of that
    array are inflated, and a member holding more is refused. Member names are ``{id}.npy``;
    a name given twice (or ``{id}`` beside ``{id}.npy``) is refused.

    Parameters
    ----------
    path : path-like
        The ``.npz`` file (compressed or not).
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise QuakebenchError(f"{self.path}: no such file")
        if not self.path.is_file():
            raise QuakebenchError(f"{self.path}: not a regular file, expected an .npz archive")
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
            with open(self.path, "rb") as file:
                if file.read(6) == np.lib.format.MAGIC_PREFIX:
                    raise QuakebenchError(
                        f"{self.path}: a single .npy array, expected an .npz archive"
                    ) from None
            raise QuakebenchError(
                f"{self.path}: not a NumPy .npz archive, which is a zip file ({error})"
            ) from None
        self._members: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            sample_id = info.filename.removesuffix(".npy")
            if sample_id in self._members:
                self._zip.close()
                raise QuakebenchError(
                    f"{self.path}: member {info.filename}: id {sample_id} is given twice "
                    "(a duplicate or aliased member name)"
                )
            self._members[sample_id] = info
        self.ids = frozenset(self._members)
        if not self.ids:
            self._zip.close()
            raise QuakebenchError(f"{self.path}: empty archive, no prediction in it")

    def check_ids(self, expected: list[str]) -> None:
        """Raise unless the archive holds exactly the ``expected`` sample ids."""
        expected_set = set(expected)
        missing = [i for i in expected if i not in self.ids]
        if missing:
            more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
            raise QuakebenchError(f"{self.path}: missing prediction for id {missing[0]}{more}")
        unknown = sorted(self.ids - expected_set)
        if unknown:
            more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
            raise QuakebenchError(
                f"{self.path}: unknown id {unknown[0]}{more} (not in this dataset split)"
            )

    def read(self, sample_id: str, shape: tuple[int, int, int]) -> np.ndarray:
        """The prediction for ``sample_id``, checked against the expected ``shape``
        (:func:`check_prediction`) before and after it is inflated."""
        info = self._members.get(sample_id)
        if info is None:
            raise QuakebenchError(f"{self.path}: missing prediction for id {sample_id}")
        where = f"{self.path}: id {sample_id} (member {info.filename})"
        try:
            with self._zip.open(info) as member:
                array = _read_member(member, shape, where)
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
            raise QuakebenchError(f"{where}: unreadable ({error})") from None
        return check_prediction(array, sample_id, shape, str(self.path))

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> PredictionReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _read_member(member: IO[bytes], shape: tuple[int, ...], where: str) -> np.ndarray:
    """A member's array: its header checked against ``shape``, then exactly its bytes read."""
    try:
        version = np.lib.format.read_magic(member)
    except ValueError:
        raise QuakebenchError(f"{where}: not an .npy array") from None
    if version == (1, 0):
        header = np.lib.format.read_array_header_1_0(member, max_header_size=MAX_HEADER_BYTES)
    elif version in ((2, 0), (3, 0)):
        header = np.lib.format.read_array_header_2_0(member, max_header_size=MAX_HEADER_BYTES)
    else:
        raise QuakebenchError(f"{where}: .npy format version {version} is not read")
    declared, fortran_order, dtype = header
    if tuple(declared) != tuple(shape):
        raise QuakebenchError(
            f"{where}: declares shape {tuple(declared)}, expected {tuple(shape)} "
            "(east, north; rows, cols)"
        )
    _check_dtype(dtype, where)
    size = math.prod(shape) * dtype.itemsize
    data = member.read(size)
    if len(data) != size:
        raise QuakebenchError(f"{where}: truncated, {len(data)} of {size} bytes")
    if member.read(1):  # reading to the end also checks the member's CRC
        raise QuakebenchError(f"{where}: holds more bytes than its {tuple(shape)} array")
    order = "F" if fortran_order else "C"
    return np.frombuffer(data, dtype).reshape(shape, order=order)


class PredictionWriter:
    """Write a predictions file member by member; it appears, complete, on :meth:`close`.

    Members are stored, not deflated: displacement fields in float32 shrink by about 12 %
    (measured on the correlator's ``mini`` predictions), while deflating costs a 1024 x 1024
    sample about 0.3 s to write and 0.05 s to read back.

    Examples
    --------
    >>> with PredictionWriter("predictions.npz") as writer:  # doctest: +SKIP
    ...     writer.write("prewarped-validation-000004", displacement)
    """

    def __init__(self, path: str | os.PathLike) -> None:
        self._context = atomic_path(path)
        self._temporary = self._context.__enter__()
        self._zip = zipfile.ZipFile(self._temporary, "w", zipfile.ZIP_STORED, allowZip64=True)
        self._written: set[str] = set()

    def write(self, sample_id: str, displacement_px: np.ndarray) -> None:
        """Add the ``[2, h, w]`` (east, north) prediction of one sample, as float32."""
        array = np.asarray(displacement_px, dtype=np.float32)
        if array.ndim != 3 or array.shape[0] != 2:
            raise ValueError(f"{sample_id}: prediction must be [2, h, w], got {array.shape}")
        if sample_id in self._written:
            raise ValueError(f"{sample_id}: written twice")
        # A fixed time stamp and mode: the same predictions give the same bytes, whichever
        # machine and whenever they are written.
        info = zipfile.ZipInfo(f"{sample_id}.npy", date_time=ZIP_EPOCH)
        info.external_attr = 0o644 << 16
        with self._zip.open(info, "w", force_zip64=True) as member:
            np.lib.format.write_array(member, array, allow_pickle=False)
        self._written.add(sample_id)

    def close(self, success: bool = True) -> None:
        self._zip.close()
        if success:
            self._context.__exit__(None, None, None)
        else:
            self._context.__exit__(RuntimeError, RuntimeError(), None)

    def __enter__(self) -> PredictionWriter:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        self.close(success=exc_type is None)


def write_predictions(
    predict: Predictor,
    split: Iterable[dict],
    output: str | os.PathLike,
    progress: bool = True,
    total: int | None = None,
) -> tuple[int, float]:
    """Run a method on every sample of a split and write its predictions file.

    Parameters
    ----------
    predict : callable
        ``predict(sample) -> float32 [2, H, W]`` (east, north), pixels.
    split : iterable of dict
        Samples, e.g. ``read_samples(folder, "test")``: streamed one at a time.
    output : path-like
        The ``.npz`` file; it appears complete, or not at all.
    progress : bool
        Show a progress bar.
    total : int, optional
        The number of samples, for the progress bar (a stream has no length).

    Returns
    -------
    (int, float)
        The number of samples, and the method's mean seconds per sample (``predict`` alone).
    """
    count, seconds = 0, 0.0
    with PredictionWriter(output) as writer:
        for sample in tqdm(split, total=total, unit="sample", disable=not progress):
            start = time.perf_counter()
            displacement = predict(sample)
            seconds += time.perf_counter() - start
            writer.write(sample["id"], displacement)
            count += 1
    return count, seconds / max(count, 1)
