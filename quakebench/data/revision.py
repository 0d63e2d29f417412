"""Is a build, a split or a handful of rebuilt samples the official revision of its preset?

Each sample's record (:mod:`quakebench.data.records`) is compared with the pinned one: the
result is **official** (every sample bit-identical), **numerically equivalent** (some differ,
all within the equivalence rule) or **different**, naming the samples and fields that differ.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from tqdm.auto import tqdm

from quakebench.contract import SPLITS, parse_sample_id
from quakebench.data.content import combine, sample_digest
from quakebench.data.reader import read_samples
from quakebench.data.records import Comparison, compare, sample_record, split_hashes, write_records
from quakebench.presets import DIFFERENT, EQUIVALENT, OFFICIAL, get_preset


@dataclass(frozen=True)
class RevisionCheck:
    """Samples' records against a preset's pinned records."""

    preset: str
    dataset: str
    comparisons: list[Comparison]
    missing: list[str]
    """Pinned ids that were expected but not given."""
    unexpected: list[str]
    """Ids given that the preset does not pin."""

    @property
    def status(self) -> str:
        if self.missing or self.unexpected or self.failing:
            return DIFFERENT
        return EQUIVALENT if self.differing else OFFICIAL

    @property
    def differing(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.status != "identical"]

    @property
    def failing(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.status == "different"]

    def summary(self, shown: int = 5) -> list[str]:
        """What the check found, a line each: the verdict, then the samples behind it."""
        name = f"{self.dataset} {self.preset}"
        total = len(self.comparisons)
        if self.status == OFFICIAL:
            return [f"official: {name} ({total} samples bit-identical to the pinned records)"]
        lines = []
        if self.status == EQUIVALENT:
            lines.append(
                f"numerically equivalent to {name}: {len(self.differing)} of {total} samples "
                f"differ in their bits, all within the rule; largest: {self._largest()}"
            )
        else:
            failing = self.failing
            by_split = Counter(parse_sample_id(c.id)[1] for c in failing)
            counts = ", ".join(f"{split} {by_split[split]}" for split in SPLITS if by_split[split])
            lines.append(
                f"not {name}: {len(failing)} of {total} samples differ beyond the rule"
                + (f" ({counts})" if counts else "")
            )
            for comparison in failing[:shown]:
                fields = "; ".join(d.describe() for d in comparison.differences if not d.within)
                lines.append(f"  {comparison.id}: {fields}")
            if len(failing) > shown:
                lines.append(f"  ... and {len(failing) - shown} more")
        for label, ids in (("missing", self.missing), ("not in the preset", self.unexpected)):
            if ids:
                more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
                lines.append(f"  {label}: {', '.join(ids[:shown])}{more}")
        return lines

    def _largest(self) -> str:
        largest = {}
        for comparison in self.differing:
            for difference in comparison.differences:
                known = largest.get(difference.field)
                if known is None or difference.difference > known.difference:
                    largest[difference.field] = difference
        return ", ".join(d.describe() for d in largest.values())


def check_records(
    dataset: str,
    preset: str,
    records: dict[str, dict],
    splits: Iterable[str] | None = SPLITS,
) -> RevisionCheck:
    """Compare ``{id: record}`` with ``preset``'s pinned records of ``dataset``.

    Parameters
    ----------
    splits : iterable of str or None
        The splits the records should cover in full (missing samples count against them);
        None compares only the ids given (a drift check of a few rebuilt samples).
    """
    pinned = get_preset(preset).records(dataset)
    if splits is None:
        expected = [i for i in pinned if i in records]
    else:
        wanted = set(splits)
        expected = [i for i, r in pinned.items() if r["scalars"]["split"] in wanted]
    comparisons = [compare(records[i], pinned[i]) for i in sorted(expected) if i in records]
    return RevisionCheck(
        preset,
        dataset,
        comparisons,
        missing=sorted(i for i in expected if i not in records),
        unexpected=sorted(i for i in records if i not in pinned),
    )


def folder_records(
    folder: str | os.PathLike, splits: Iterable[str] = SPLITS, progress: bool = True
) -> dict[str, dict]:
    """``{id: record}`` of a dataset folder's samples, decoded as stored (one at a time)."""
    records = {}
    for split in splits:
        samples = read_samples(folder, split)
        for sample in tqdm(samples, desc=f"records {split}", unit="sample", disable=not progress):
            records[str(sample["id"])] = sample_record(sample)
    return records


def folder_digests(
    folder: str | os.PathLike, splits: Iterable[str] = SPLITS, progress: bool = True
) -> dict[str, dict]:
    """``{id: {"sha256", "dataset", "split", "size"}}`` of a folder's samples, decoded as
    stored (one at a time): what ``verify`` sets against the manifest's claims."""
    found = {}
    for split in splits:
        samples = read_samples(folder, split)
        for sample in tqdm(samples, desc=f"hashing {split}", unit="sample", disable=not progress):
            found[str(sample["id"])] = {
                "sha256": sample_digest(sample),
                "dataset": str(sample["dataset"]),
                "split": str(sample["split"]),
                "size": int(sample["pre"].shape[-1]),
            }
    return found


def digests_of(records: dict[str, dict]) -> dict[str, dict]:
    """The view of :func:`folder_digests` read off a folder's records."""
    return {
        i: {
            "sha256": r["sha256"],
            "dataset": r["scalars"]["dataset"],
            "split": r["scalars"]["split"],
            "size": int(r["summaries"]["pre"]["shape"][-1]),
        }
        for i, r in records.items()
    }


def drift_ids(records: dict[str, dict]) -> list[str]:
    """The first sample of each place in each split: what the drift check rebuilds."""
    first: dict[tuple[str, str], str] = {}
    for sample_id in sorted(records):
        scalars = records[sample_id]["scalars"]
        first.setdefault((scalars["split"], scalars["place"]), sample_id)
    return sorted(first.values())


def pin_records(records: dict[str, dict], path: str | os.PathLike) -> dict:
    """Write a build's records as a preset's official ones; returns what ``presets.py`` pins."""
    write_records(path, records.values())
    return {
        "content_sha256": combine({i: r["sha256"] for i, r in records.items()}),
        "split_sha256": split_hashes(records.values()),
        "drift_ids": drift_ids(records),
    }
