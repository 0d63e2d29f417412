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
                              fields=("images", "displacement", "valid"))
    for batch in DataLoader(train, batch_size=8, shuffle=True):
        loss = your_loss(your_model(batch["images"]), batch["displacement"], batch["valid"])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence

import datasets
import numpy as np
import torch
from torch.utils.data import Dataset, IterableDataset, get_worker_info

from quakebench.data.reader import decode, load_split, stream_split

Transform = Callable[[dict, np.random.Generator], dict]


class _Items:
    """What the map-style and the iterable datasets share: transform, epoch and fields."""

    def __init__(
        self, transform: Transform | None, fields: Sequence[str] | None, seed: int
    ) -> None:
        self.transform, self.fields, self.seed = transform, fields, seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Draw the augmentations of epoch ``epoch`` (as ``DistributedSampler.set_epoch``)."""
        self.epoch = epoch

    def _item(self, row, features: datasets.Features, index: int) -> dict:
        sample = decode(row, features)
        if self.transform is not None:
            sample = self.transform(sample, np.random.default_rng([self.seed, self.epoch, index]))
        if self.fields is None:
            return sample
        return {name: torch.from_numpy(np.ascontiguousarray(sample[name])) for name in self.fields}


class QuakebenchDataset(_Items, Dataset):
    """A split, map-style: ``dataset[i]`` is sample ``i`` of the split.

    Parameters
    ----------
    dataset : str, path-like or datasets.Dataset
        A dataset folder, a Hub name (``quakebench/prewarped``), or a split already loaded.
    split : str
        ``train``, ``validation`` (or any split of the build); ignored for a loaded split.
    transform : callable, optional
        ``transform(sample, rng) -> sample``.
    fields : sequence of str, optional
        Return only these fields, as tensors (default: every field, as stored).
    seed : int
        Seed of the transforms' generators.
    revision : str, optional
        Hub revision (a tag such as ``mini-19cb78e0``, a branch or a commit).
    """

    def __init__(
        self,
        dataset: str | os.PathLike | datasets.Dataset,
        split: str = "train",
        transform: Transform | None = None,
        fields: Sequence[str] | None = None,
        seed: int = 0,
        revision: str | None = None,
    ) -> None:
        super().__init__(transform, fields, seed)
        if not isinstance(dataset, datasets.Dataset):
            dataset = load_split(dataset, split, revision)
        self.split = dataset.with_format("arrow")

    def __len__(self) -> int:
        return len(self.split)

    def __getitem__(self, index: int) -> dict:
        return self._item(self.split[index], self.split.features, index)


class QuakebenchIterableDataset(_Items, IterableDataset):
    """A split streamed shard by shard (``streaming=True``): memory holds one sample.

    Samples come in the split's order; with several loading processes, each takes every
    ``num_workers``-th sample. Parameters as :class:`QuakebenchDataset`.
    """

    def __init__(
        self,
        dataset: str | os.PathLike,
        split: str = "train",
        transform: Transform | None = None,
        fields: Sequence[str] | None = None,
        seed: int = 0,
        revision: str | None = None,
    ) -> None:
        super().__init__(transform, fields, seed)
        self.split = stream_split(dataset, split, revision)

    def __iter__(self) -> Iterator[dict]:
        worker = get_worker_info()
        share, count = (worker.id, worker.num_workers) if worker else (0, 1)
        for index, example in enumerate(self.split):
            if index % count == share:
                yield self._item(example, self.split.features, index)
