"""Official revisions: per-sample records, a verify that explains, equivalent rebuilds that rank.

A "tiny" preset is pinned here to the session's tiny prewarped build (a real ``mini`` is never
built in CI); copies of that build with one sample altered stand for rebuilds elsewhere.
"""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pytest

from quakebench import presets
from quakebench.cli import main
from quakebench.config import BootstrapConfig
from quakebench.contract import SPLITS, parse_sample_id
from quakebench.data.build import render_samples
from quakebench.data.manifest import MANIFEST, read_manifest, write_manifest
from quakebench.data.reader import iter_samples, load_split
from quakebench.data.records import EQUIVALENCE, compare, sample_record
from quakebench.data.revision import (
    DIFFERENT,
    EQUIVALENT,
    OFFICIAL,
    check_records,
    folder_records,
    pin_records,
)
from quakebench.data.schema import sample_features
from quakebench.data.shards import read_shard_info, write_shard
from quakebench.errors import QuakebenchError
from quakebench.leaderboard.board import build_boards
from quakebench.results import official_revision, read_results
from tests.conftest import TINY_COUNT, TINY_SEED, TINY_SIZE, TINY_TEST, tiny_config


@pytest.fixture(scope="module")
def tiny_preset(tiny_builds, tmp_path_factory):
    """A copy of the tiny prewarped build, and the preset "tiny" pinned to its records."""
    folder = tmp_path_factory.mktemp("tiny-preset") / "build"
    shutil.copytree(tiny_builds["prewarped"], folder)
    manifest = read_manifest(folder)
    manifest["preset_parameters"] = manifest["preset"] = "tiny"
    (folder / MANIFEST).write_text(json.dumps(manifest))
    records_folder = tmp_path_factory.mktemp("records")
    pins = pin_records(
        folder_records(folder, progress=False), records_folder / "tiny-prewarped.jsonl"
    )
    preset = presets.Preset(
        "tiny",
        num_samples=TINY_COUNT,
        num_test_samples=TINY_TEST,
        size=TINY_SIZE,
        seed=TINY_SEED,
        content_sha256={"prewarped": pins["content_sha256"]},
        split_sha256={"prewarped": pins["split_sha256"]},
        drift_ids={"prewarped": tuple(pins["drift_ids"])},
        records_folder=records_folder,
    )
    return folder, preset


@pytest.fixture
def pinned(tiny_preset, monkeypatch):
    folder, preset = tiny_preset
    monkeypatch.setitem(presets.PRESETS, "tiny", preset)
    return folder, preset


def altered_copy(folder, destination, sample_id: str, change) -> None:
    """``folder`` copied with ``change(sample)`` applied to one sample, shard and manifest
    rewritten as a build elsewhere would have written them."""
    shutil.copytree(folder, destination)
    manifest = read_manifest(destination)
    split = parse_sample_id(sample_id)[1]
    for shard in manifest["shards"]:
        if sample_id in shard["sample_sha256"]:
            samples = [
                change(s) if s["id"] == sample_id else s
                for s in iter_samples(load_split(destination, split))
                if s["id"] in shard["sample_sha256"]
            ]
            (destination / shard["file"]).unlink()
            write_shard(
                destination, shard["file"], split, samples, sample_features(TINY_SIZE, "uint16")
            )
    shards = [read_shard_info(destination, s["file"], s["split"]) for s in manifest["shards"]]
    parameters = {k: v for k, v in manifest.items() if k not in ("shards", "content_sha256")}
    write_manifest(destination, parameters, shards)


def nudged(field: str, by: float):
    def change(sample: dict) -> dict:
        values = np.array(sample[field], copy=True)
        values.flat[values.size // 2] += np.asarray(by, dtype=values.dtype)
        return {**sample, field: values}

    return change


def test_records_digest_what_is_stored(tiny_builds, tiny_sources):
    """A rendered sample and the same sample decoded from its shard give the same record, the
    float64 rupture trace included."""
    config = tiny_config("prewarped", tiny_builds["prewarped"])
    ids = ["prewarped-train-000000", "prewarped-validation-000004", "prewarped-test-000001"]
    decoded = folder_records(tiny_builds["prewarped"], progress=False)
    for sample in render_samples(config, tiny_sources["prewarped"], ids):
        assert sample["rupture"].dtype == np.float64
        assert sample_record(sample) == decoded[sample["id"]]


def test_manifest_holds_split_hashes_and_the_machine(tiny_builds):
    manifest = read_manifest(tiny_builds["prewarped"])
    assert set(manifest["split_sha256"]) == set(SPLITS)
    environment = manifest["environment"]
    assert environment["libraries"]["numpy"] == np.__version__
    assert "found" in environment["numpy_simd"] and environment["python"]


def test_verify_says_official(pinned, capsys):
    folder, _ = pinned
    assert main(["verify", str(folder)]) == 0
    assert "official: prewarped tiny (20 samples bit-identical" in capsys.readouterr().out


def test_verify_names_the_sample_and_field_that_differ(pinned, tmp_path, capsys):
    folder, _ = pinned
    altered_copy(folder, tmp_path / "altered", "prewarped-train-000006", nudged("post", 500.0))
    assert main(["verify", str(tmp_path / "altered")]) == 1
    out = capsys.readouterr().out
    assert "not prewarped tiny: 1 of 20 samples differ beyond the rule (train 1)" in out
    assert "prewarped-train-000006: post (by" in out


def test_verify_and_evaluate_name_a_superseded_revision(pinned, tmp_path, monkeypatch, capsys):
    """A build of an earlier official revision is named as such, with the reason."""
    folder, preset = pinned
    altered_copy(folder, tmp_path / "old", "prewarped-test-000002", nudged("post", 500.0))
    old_hash = read_manifest(tmp_path / "old")["content_sha256"]
    reason = "generator 0.0.1: rendered another way"
    superseded = {"prewarped": {old_hash: reason}}
    monkeypatch.setitem(presets.PRESETS, "tiny", dataclasses.replace(preset, superseded=superseded))
    assert main(["verify", str(tmp_path / "old")]) == 1
    said = f"a superseded revision of tiny, {reason}"
    assert said in capsys.readouterr().out
    assert main(["baseline", "zero", "--dataset", str(tmp_path / "old"), "--split", "test",
                 "--output", str(tmp_path / "zero.npz")]) == 0  # fmt: skip
    assert main(["evaluate", str(tmp_path / "zero.npz"), "--dataset", str(tmp_path / "old"),
                 "--split", "test"]) == 0  # fmt: skip
    assert f"scored on {said}" in capsys.readouterr().out


def test_verify_accepts_a_numerically_equivalent_rebuild(pinned, tmp_path, capsys):
    folder, _ = pinned
    tiny = EQUIVALENCE["displacement"][1] / 100
    altered_copy(
        folder, tmp_path / "rebuilt", "prewarped-test-000002", nudged("displacement", tiny)
    )
    assert main(["verify", str(tmp_path / "rebuilt")]) == 0
    out = capsys.readouterr().out
    assert "numerically equivalent to prewarped tiny: 1 of 20 samples differ" in out
    assert "displacement (by" in out


def test_comparison_of_scalars_and_exact_fields(pinned):
    _, preset = pinned
    record = preset.records("prewarped")["prewarped-validation-000004"]
    assert compare(record, record).status == "identical"
    renamed = {**record, "sha256": "0" * 64, "scalars": {**record["scalars"], "place": "other"}}
    (difference,) = compare(renamed, record).differences
    assert (difference.field, difference.within) == ("place", False)
    shifted = {**record, "sha256": "0" * 64}
    shifted["scalars"] = {
        **record["scalars"],
        "magnitude": record["scalars"]["magnitude"] * (1 + 1e-12),
    }
    assert compare(shifted, record).status == "equivalent"
    missing = check_records(
        "prewarped", "tiny", {i: record for i in ["prewarped-validation-000004"]}
    )
    assert missing.status == DIFFERENT and len(missing.missing) == 19


def test_equivalent_rebuild_ranks_on_the_official_board(pinned, tmp_path):
    folder, preset = pinned
    rebuilt = tmp_path / "rebuilt"
    altered_copy(folder, rebuilt, "prewarped-test-000001", nudged("displacement", 1e-7))
    different = tmp_path / "different"
    altered_copy(folder, different, "prewarped-test-000001", nudged("displacement", 0.5))
    paths = []
    for name, source in (
        ("zero-official", folder),
        ("zero-rebuilt", rebuilt),
        ("zero-other", different),
    ):
        predictions, results = tmp_path / f"{name}.npz", tmp_path / f"{name}.json"
        args = ["--dataset", str(source), "--split", "test"]
        assert main(["baseline", "zero", *args, "--output", str(predictions)]) == 0
        assert (
            main(["evaluate", str(predictions), *args, "--output", str(results), "--method", name])
            == 0
        )
        paths.append(results)
    scored = [read_results(p) for p in paths]
    assert [r["dataset"]["revision"] for r in scored] == [OFFICIAL, EQUIVALENT, DIFFERENT]
    official_split = preset.split_sha256["prewarped"]["test"]
    assert [r["dataset"]["official_split_sha256"] for r in scored] == [official_split] * 2 + [None]
    assert (
        scored[0]["dataset"]["split_sha256"]
        == official_split
        != scored[1]["dataset"]["split_sha256"]
    )
    assert [official_revision(r) for r in scored] == ["tiny", "tiny", None]
    assert [r["dataset"]["preset"] for r in scored] == ["tiny", "tiny", None]
    boards = build_boards(list(zip(paths, scored, strict=True)), BootstrapConfig(200))
    official, other = boards
    assert official.official == "tiny" and other.official is None
    assert {row.results["method"] for row in official.rows} == {"zero-official", "zero-rebuilt"}
    assert "1 on numerically equivalent ones" in official.provenance
    assert official.rows[0].rank == official.rows[1].rank  # identical predictions tie
    with pytest.raises(QuakebenchError, match="is not an official prewarped test split"):
        read_results(paths[2], official=True)


def test_a_build_that_is_not_the_preset_does_not_say_so(pinned, tmp_path):
    """The manifest names a preset only when the build is official or equivalent."""
    from quakebench.data.build import preset_revision

    folder, _ = pinned
    altered_copy(folder, tmp_path / "other", "prewarped-train-000000", nudged("pre", 7))
    config = dataclasses.replace(tiny_config("prewarped", tmp_path / "other"), preset="tiny")
    revision = preset_revision(config)
    assert revision["preset"] is None and revision["revision"]["status"] == DIFFERENT
    assert "prewarped-train-000000: pre" in "\n".join(revision["revision"]["summary"])
    assert preset_revision(dataclasses.replace(config, output=folder))["preset"] == "tiny"


def test_sample_ids_are_parsed_or_refused():
    assert parse_sample_id("postwarped-validation-000009") == ("postwarped", "validation", 9)
    for bad in ("prewarped-train-000004", "prewarped-test-12", "other-test-000001", "x"):
        with pytest.raises(QuakebenchError, match="is not a sample id"):
            parse_sample_id(bad)
