"""The drift check: rebuild a few pinned samples of a preset here and compare their records.

A whole ``mini`` build takes minutes; this renders only the preset's drift samples (each place,
each split) by id, so CI can tell within a couple of minutes whether the installed libraries
still produce the official data, bit for bit or within the equivalence rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from tqdm.auto import tqdm

from quakebench.config import BuildConfig
from quakebench.data.build import render_samples
from quakebench.data.records import sample_record
from quakebench.data.revision import RevisionCheck, check_records
from quakebench.data.source import SampleSource
from quakebench.errors import QuakebenchError
from quakebench.presets import get_preset, pinned_records


def drift_records(
    config: BuildConfig,
    source: SampleSource,
    ids: Iterable[str] | None = None,
    progress: bool = True,
) -> dict[str, dict]:
    """Render ``ids`` of a preset build here (default: the preset's drift samples).

    Returns
    -------
    dict
        ``{id: record}``.

    Raises
    ------
    QuakebenchError
        If the config names no preset, or its preset pins no records for the dataset.
    """
    if not pinned_records(config.preset, config.dataset):
        raise QuakebenchError(f"preset {config.preset}: no records are pinned for {config.dataset}")
    if ids is None:
        ids = get_preset(config.preset).drift_ids[config.dataset]
    ids = list(ids)
    samples = render_samples(config, source, ids)
    samples = tqdm(samples, total=len(ids), unit="sample", disable=not progress)
    return {str(s["id"]): sample_record(s) for s in samples}


def drift_check(records: dict[str, dict], config: BuildConfig) -> RevisionCheck:
    """Rebuilt samples' records against the preset's pinned ones (only the ids given)."""
    return check_records(config.dataset, config.preset, records, splits=None)
