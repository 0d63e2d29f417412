"""What a build ran on: library versions, Python, and the SIMD extensions NumPy dispatched to.

NumPy picks SIMD kernels at run time by processor, and compiled kernels may fuse operations
where the CPU allows, so a rebuild on another machine may differ in the last bits. The manifest
records this beside the content hash, so a difference can be traced to its machine.
"""

from __future__ import annotations

import platform
from importlib import metadata

from quakebench import __version__

LIBRARIES = (
    "numpy",
    "scipy",
    "cutde",
    "scikit-image",
    "rasterio",
    "pyarrow",
    "datasets",
)
"""The distributions whose versions can change what a build renders or stores."""


def numpy_simd() -> dict[str, list[str]]:
    """NumPy's SIMD baseline and the dispatched extensions this processor has."""
    from numpy._core._multiarray_umath import (
        __cpu_baseline__,
        __cpu_dispatch__,
        __cpu_features__,
    )

    return {
        "baseline": list(__cpu_baseline__),
        "found": [name for name in __cpu_dispatch__ if __cpu_features__.get(name)],
    }


def build_environment() -> dict:
    """The machine and software of this process, JSON-ready."""
    versions = {"quakebench": __version__}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "libraries": versions,
        "numpy_simd": numpy_simd(),
    }
