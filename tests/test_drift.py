"""The drift check: the installed libraries still render the official ``mini`` samples.

CI installs what users get (unconstrained). A release of NumPy, SciPy, cutde or another
dependency that changes the data beyond the equivalence rule turns this red, naming the sample
and the field; a harmless last-bit drift passes as "numerically equivalent".
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from baselines.generator.samples.source import generator_source
from quakebench.config import BuildConfig
from quakebench.contract import DATASETS
from quakebench.data.drift import drift_check, drift_records
from quakebench.data.revision import DIFFERENT
from quakebench.presets import PRESETS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=DATASETS)
def rebuilt(request) -> tuple[BuildConfig, dict]:
    """The preset's drift samples, rendered here once per dataset."""
    config = BuildConfig(request.param, preset="mini", output=Path())  # nothing is written
    return config, drift_records(config, generator_source(config), progress=False)


def test_rebuilt_samples_match_the_pinned_records(rebuilt):
    config, records = rebuilt
    dataset = config.dataset
    check = drift_check(records, config)
    assert check.status != DIFFERENT, "\n".join(check.summary())
    assert len(check.comparisons) == len(PRESETS["mini"].drift_ids[dataset])


def test_drift_samples_cover_every_place_and_split(rebuilt):
    config, records = rebuilt
    pinned = PRESETS["mini"].records(config.dataset).values()
    everywhere = {(r["scalars"]["split"], r["scalars"]["place"]) for r in pinned}
    assert {(r["scalars"]["split"], r["scalars"]["place"]) for r in records.values()} == everywhere


def test_a_record_changed_by_hand_is_caught(rebuilt, tmp_path, monkeypatch):
    config, records = rebuilt
    dataset = config.dataset
    mini = PRESETS["mini"]
    changed = sorted(records)[-1]
    lines = []
    for record in mini.records(dataset).values():
        if record["id"] == changed:
            record = json.loads(json.dumps(record))
            record["fields"]["displacement"] = "0" * 64
            record["sha256"] = "0" * 64
            record["summaries"]["displacement_north"]["max"] += 1e-3
        lines.append(json.dumps(record))
    (tmp_path / mini.records_file(dataset).name).write_text("\n".join(lines) + "\n")
    monkeypatch.setitem(PRESETS, "mini", dataclasses.replace(mini, records_folder=tmp_path))
    check = drift_check(records, config)
    assert check.status == DIFFERENT
    assert f"{changed}: displacement (by 0.001 px; rule 1e-05)" in "\n".join(check.summary())
