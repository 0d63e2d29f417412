"""The contract's field kinds against the samples a build stores."""

from __future__ import annotations

from quakebench.contract import SCALAR_KINDS
from quakebench.data.reader import iter_samples, load_split


def test_every_stored_scalar_has_its_declared_kind(prewarped_build):
    sample = next(iter_samples(load_split(prewarped_build, "train")))
    for name, kind in SCALAR_KINDS.items():
        assert isinstance(sample[name], kind), (name, type(sample[name]))
        assert not isinstance(sample[name], bool)
