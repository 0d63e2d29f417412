"""A quakebench split as a PyTorch dataset, for training and validating your own model.

Each item is a dict of the sample's fields, decoded as stored
(:func:`quakebench.data.reader.decode`):

============  ===========================  ==============================================
key           type                         meaning
============  ===========================  ==============================================
pre           ``uint16|float32 [H, W]``    first image
post          ``float32 [H, W]``           second image, warped: ``post(q) = pre(q - u(q))``
displacement  ``float32 [2, H, W]``        ground truth ``u``, pixels, (east, north)
valid         ``uint8 [H, W]``             1 where the ground truth holds
rupture       ``float64 [K, 2]``           surface trace, pixel coordinates (x = col, y = row)
others        scalars and strings          id, scenario and scene fields (the data contract)
============  ===========================  ==============================================

An optional ``transform(sample, rng)`` (see :mod:`quakebench.data.transforms`) gets a generator
seeded by ``(seed, epoch, index)``, so augmented epochs are reproducible whatever the number of
loading processes; call :meth:`set_epoch` at the start of each epoch. Pick the tensors a model
needs with ``fields`` (the rupture has a length of its own, so it does not batch)::

    from torch.utils.data import DataLoader
    from quakebench.data.torch_dataset import QuakebenchDataset
    from quakebench.data.transforms import Compose, NormalisedPair, RandomCrop, RandomDihedral

    train = QuakebenchDataset("quakebench/prewarped", "train",
                              Compose([RandomCrop(256), RandomDihedral(), NormalisedPair()]),
                              fields=("images", "displacement", "valid"), config="mini")
    for batch in DataLoader(train, batch_size=8, shuffle=True):
        loss = your_loss(your_model(batch["images"]), batch["displacement"], batch["valid"])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch.utils.data import Dataset

from quakebench.config import DatasetConfig

if TYPE_CHECKING:  # imported where a split is read: samples in memory need no Arrow
    import datasets

Transform = Callable[[dict, np.random.Generator], dict]


class QuakebenchDataset(Dataset):
    """A split, map-style: ``dataset[i]`` is sample ``i`` of the split.

    Parameters
    ----------
    dataset : str, path-like, datasets.Dataset or list of dict
        A dataset folder, a Hub name (``quakebench/prewarped``), a split already loaded, or
        samples held in memory (decoded, e.g. regenerated: no Arrow library is needed).
    split : str
        ``train``, ``validation`` (or any split of the build); ignored for a loaded split.
    transform : callable, optional
        ``transform(sample, rng) -> sample``.
    fields : sequence of str, optional
        Return only these fields, as tensors (default: every field, as stored).
    seed : int
        Seed of the transforms' generators.
    revision : str, optional
        Hub revision (a tag such as ``mini-8a7e0f65``, a branch or a commit), read at the
        commit it resolves to.
    config : str, optional
        Hub config (a preset: ``mini``, ``full``); default: the repository's default.
    """

    def __init__(
        self,
        dataset: str | os.PathLike | datasets.Dataset | list[dict],
        split: str = "train",
        transform: Transform | None = None,
        fields: Sequence[str] | None = None,
        seed: int = 0,
        revision: str | None = None,
        config: str | None = None,
    ) -> None:
        self.transform, self.fields, self.seed = transform, fields, seed
        self.epoch = 0
        self.samples: list[dict] | None = None
        if isinstance(dataset, list):
            self.samples = dataset
            return
        import datasets

        from quakebench.data.address import resolve
        from quakebench.data.reader import decode, features_layout

        if not isinstance(dataset, datasets.Dataset):
            address = resolve(DatasetConfig(str(dataset), config, revision))
            dataset = address.load(split)
        self.split = dataset.with_format("arrow")
        self.layout = features_layout(self.split.features)
        self.decode = decode

    def set_epoch(self, epoch: int) -> None:
        """Draw the augmentations of epoch ``epoch`` (as ``DistributedSampler.set_epoch``)."""
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.samples) if self.samples is not None else len(self.split)

    def __getitem__(self, index: int) -> dict:
        if self.samples is not None:
            sample = dict(self.samples[index])
        else:
            sample = self.decode(self.split[index], self.layout)
        if self.transform is not None:
            sample = self.transform(sample, np.random.default_rng([self.seed, self.epoch, index]))
        if self.fields is None:
            return sample
        # Decoded arrays may be read-only views of Arrow memory: tensors get their own copy.
        return {
            name: torch.from_numpy(np.require(sample[name], requirements=("C", "W")))
            for name in self.fields
        }
