"""The fields of a quakebench sample as Hugging Face ``datasets`` features.

One table, one place: the builder writes these columns, the dataset card declares them, and the
reader restores their dtypes.
"""

from __future__ import annotations

import datasets

from quakebench.contract import INTEGER_FIELDS, SCALAR_FIELDS, STRING_FIELDS


def _scalar(name: str) -> datasets.Value:
    if name in STRING_FIELDS:
        return datasets.Value("string")
    return datasets.Value("int64" if name in INTEGER_FIELDS else "float64")


def sample_features(size: int, pre_dtype: str = "uint16") -> datasets.Features:
    """Features of a sample of ``size x size`` pixels.

    Parameters
    ----------
    size : int
        Tile side, pixels.
    pre_dtype : {"uint16", "float32"}
        Storage of the first image (Landsat-8 digital numbers are uint16).
    """
    return datasets.Features(
        {
            **{name: _scalar(name) for name in SCALAR_FIELDS},
            "pre": datasets.Array2D((size, size), pre_dtype),
            "post": datasets.Array2D((size, size), "float32"),
            "displacement": datasets.Array3D((2, size, size), "float32"),
            "valid": datasets.Array2D((size, size), "uint8"),
            "rupture": datasets.List(datasets.List(datasets.Value("float64"), length=2)),
            "geotransform": datasets.List(datasets.Value("float64"), length=6),
        }
    )
