"""The drift check: rebuild a few pinned samples of a preset here and compare their records.

A whole ``mini`` build takes minutes; this renders only the preset's drift samples (each place,
each split) by id, so CI can tell within a couple of minutes whether the installed libraries
still produce the official data, bit for bit or within the equivalence rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tqdm.auto import tqdm

from quakebench.config import BuildConfig
from quakebench.data.build import render_samples
from quakebench.data.records import sample_record
from quakebench.data.revision import RevisionCheck, check_records
from quakebench.errors import QuakebenchError
from quakebench.presets import get_preset


def drift_records(
    dataset: str, preset: str, ids: Iterable[str] | None = None, progress: bool = True
) -> dict[str, dict]:
    """Render ``ids`` of a preset here (default: its drift samples); ``{id: record}``.

    Raises
    ------
    QuakebenchError
        If the preset pins no records for ``dataset``.
    """
    pinned = get_preset(preset)
    if not pinned.records(dataset):
        raise QuakebenchError(f"preset {preset}: no records are pinned for {dataset}")
    ids = list(pinned.drift_ids[dataset] if ids is None else ids)
    config = BuildConfig(dataset, preset=preset, output=Path())  # nothing is written there
    samples = tqdm(render_samples(config, ids), total=len(ids), unit="sample", disable=not progress)
    return {str(s["id"]): sample_record(s) for s in samples}


def drift_check(
    dataset: str, preset: str, ids: Iterable[str] | None = None, progress: bool = True
) -> RevisionCheck:
    """Render ``ids`` (default: the preset's drift samples) and compare them with the records."""
    records = drift_records(dataset, preset, ids, progress)
    return check_records(dataset, preset, records, splits=None)
