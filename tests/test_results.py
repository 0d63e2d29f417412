"""Results files, schema v4: written, read back, and refused when bad, naming file and field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from quakebench.cli import main
from quakebench.errors import QuakebenchError
from quakebench.metrics import ErrorStatistics
from quakebench.preview import Previews, decode_preview, encode_preview, preview_window
from quakebench.results import official_revision, read_results, validate, write_results
from tests.synthetic_results import (
    noisy,
    synthetic_results,
    synthetic_samples,
)

RESULTS = Path(__file__).parents[1] / "leaderboard" / "results"


@pytest.fixture(scope="module")
def samples():
    return synthetic_samples(12)


@pytest.fixture
def results(samples):
    return synthetic_results("noisy", samples, noisy(samples, 0.1, seed=1))


def write(path: Path, results: dict) -> Path:
    path.write_text(json.dumps(results))
    return path


def refusal(path: Path) -> str:
    with pytest.raises(QuakebenchError) as error:
        read_results(path)
    message = str(error.value)
    assert "\n" not in message and message.startswith(f"{path}: field ")
    return message


def test_written_results_read_back_as_strict_json(results, tmp_path):
    path = tmp_path / "noisy.json"
    write_results(results, path)
    text = path.read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert read_results(path) == json.loads(text) == results
    # One line per sample, so that a pull request diffs sample by sample.
    assert sum(line.lstrip().startswith('"prewarped-test-') for line in text.splitlines()) == 12


def test_aggregates_are_recomputed_from_any_subset_of_samples(results, samples):
    subset = sorted(results["per_sample"])[:5]
    total = ErrorStatistics()
    for sample_id in subset:
        total = total + ErrorStatistics.from_record(results["per_sample"][sample_id]["statistics"])
    predictions = noisy(samples, 0.1, seed=1)
    rescored = synthetic_results("noisy", samples[:5], {i: predictions[i] for i in subset})
    assert total.metrics()["mae"] == pytest.approx(rescored["metrics"]["mae"], rel=1e-12)
    assert ErrorStatistics.from_record(total.record()) == total


def test_evil_labels_are_refused_naming_the_field(results, tmp_path):
    evil = {**results, "method": "evil | <script>alert(1)</script>", "hardware": "GPU\nrow"}
    message = refusal(write(tmp_path / "evil.json", evil))
    assert "field hardware holds a control character U+000A" in message


def test_tampered_aggregate_is_refused_naming_mae(results, tmp_path):
    tampered = json.loads(json.dumps(results))
    tampered["metrics"]["mae"] *= 0.5
    message = refusal(write(tmp_path / "tampered.json", tampered))
    assert "tampered.json: field metrics.mae is" in message
    assert "per-sample statistics give" in message


def test_tampered_sample_breaks_its_aggregates(results, tmp_path):
    tampered = json.loads(json.dumps(results))
    first = next(iter(tampered["per_sample"].values()))["statistics"]
    first["total"]["abs_east"] *= 0.5
    assert "field metrics.mae is" in refusal(write(tmp_path / "tampered.json", tampered))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"method": "x" * 101}, "method is 101 characters long; at most 100"),
        ({"method_version": "1\u202e0"}, "method_version holds a control character U+202E"),
        ({"schema_version": 1}, "schema_version is 1"),
        ({"num_samples": 3}, "per_sample must hold num_samples = 3 entries"),
        ({"split": "dev"}, "split is 'dev'"),
        ({"runtime_s_per_sample": -1.0}, "runtime_s_per_sample is -1.0; must be at least 0.0"),
        ({"date": "yesterday"}, "date is 'yesterday', not an ISO date"),
        ({"score": 1.0}, "score is not in schema v4 (put fields of your own under 'extra')"),
        ({"extra": "recipe"}, "extra must be an object"),
    ],
)
def test_schema_violations_are_refused(results, tmp_path, change, field):
    assert field in refusal(write(tmp_path / "bad.json", {**results, **change}))


def test_dataset_and_sample_fields_are_checked(results, tmp_path):
    bad = json.loads(json.dumps(results))
    bad["dataset"]["content_sha256"] = "abc"
    assert "dataset.content_sha256 must be 64" in refusal(write(tmp_path / "bad.json", bad))
    bad = json.loads(json.dumps(results))
    bad["dataset"]["revision"] = "close enough"
    assert "dataset.revision is 'close enough'" in refusal(write(tmp_path / "bad.json", bad))
    bad = json.loads(json.dumps(results))
    sample_id = next(iter(bad["per_sample"]))
    bad["per_sample"][sample_id]["statistics"]["bands"]["d<=2"]["count"] = -1
    assert f"per_sample.{sample_id}.statistics.bands.d<=2.count is -1" in refusal(
        write(tmp_path / "bad.json", bad)
    )
    bad = json.loads(json.dumps(results))
    bad["per_sample"]["postwarped-test-000099"] = bad["per_sample"].pop(sample_id)
    assert "is not a prewarped test sample id" in refusal(write(tmp_path / "bad.json", bad))


def test_extra_fields_live_under_extra(results, tmp_path):
    extra = {**results, "extra": {"hub_commit": "abc123", "recipe": {"epochs": 10}}}
    assert read_results(write(tmp_path / "extra.json", extra))["extra"]["recipe"]["epochs"] == 10


def test_nan_is_not_json(results, tmp_path):
    path = tmp_path / "nan.json"
    path.write_text(json.dumps(results).replace('"mae": 0', '"mae": NaN', 1))
    with pytest.raises(QuakebenchError, match=r"nan\.json: not a results JSON file"):
        read_results(path)


def test_official_is_the_pinned_preset_revision(results, samples, tmp_path):
    assert official_revision(results) == "mini"
    unofficial = synthetic_results("noisy", samples, noisy(samples, 0.1, 1), official=False)
    path = write(tmp_path / "unofficial.json", unofficial)
    assert official_revision(read_results(path)) is None
    with pytest.raises(QuakebenchError, match="is not an official prewarped test split"):
        read_results(path, official=True)


@pytest.mark.parametrize("path", sorted(RESULTS.glob("*.json")), ids=lambda p: p.name)
def test_every_committed_results_file_is_valid_and_official(path):
    results = read_results(path, official=True)
    assert results["split"] == "test" and results["num_samples"] == 100


def test_committed_results_cover_the_reference_rows():
    rows = {(r["dataset"]["name"], r["method"]) for r in map(read_results, RESULTS.glob("*.json"))}
    methods = ("zero", "truth", "correlator")
    assert rows >= {(d, m) for d in ("prewarped", "postwarped") for m in methods}


def test_evaluate_refuses_a_bad_label_before_scoring(tmp_path, capsys):
    predictions = tmp_path / "p.npz"
    np.savez(predictions, x=np.zeros((2, 4, 4), np.float32))
    status = main(["evaluate", str(predictions), "--dataset", str(tmp_path), "--method", "a\tb"])
    assert status == 2
    assert "field method holds a control character U+0009" in capsys.readouterr().err


def test_validate_names_the_source(results):
    with pytest.raises(QuakebenchError, match=r"^somewhere: field method is empty$"):
        validate({**results, "method": " "}, "somewhere")


def test_previews_round_trip_and_are_checked(results, samples, tmp_path):
    sample = samples[0]
    predicted = sample["displacement"] + np.float32(0.125)
    preview = encode_preview(predicted, sample["rupture"])
    row, col, size = preview["row"], preview["col"], preview["size"]
    window = predicted[:, row : row + size, col : col + size].astype(np.float16)
    np.testing.assert_array_equal(decode_preview(preview), window.astype(np.float32))
    validate({**results, "previews": {sample["id"]: preview}}, "r.json")
    bad = {
        "not a scored sample": {"prewarped-test-999999": preview},
        "holds 6 bytes": {sample["id"]: {**preview, "east": "AAAAAAAA"}},
        "is not base64": {sample["id"]: {**preview, "north": "%%%"}},
        "size is 512; at most 128": {sample["id"]: {**preview, "size": 512}},
    }
    for problem, previews in bad.items():
        with pytest.raises(QuakebenchError, match=f"r.json: field previews.*{problem}"):
            validate({**results, "previews": previews}, "r.json")


def test_previews_keep_the_presets_chosen_samples_only(samples):
    """The one collector that ``evaluate`` and the GPU window both score with."""
    previews = Previews.of("mini", "prewarped")
    assert "prewarped-test-000027" in previews.ids and Previews.of("nope", "prewarped").ids == set()
    chosen = {**samples[0], "id": "prewarped-test-000027"}
    for sample in (samples[0], chosen):
        previews(sample, sample["displacement"], {})
    assert list(previews.encoded) == ["prewarped-test-000027"]
    expected = encode_preview(chosen["displacement"], chosen["rupture"])
    assert previews.encoded[chosen["id"]] == expected


def test_preview_window_sits_on_the_trace():
    trace = np.array([[300.0, -1.0], [300.0, 1024.0]])
    row, col, size = preview_window(trace, (1024, 1024))
    assert (col, size) == (236, 128) and abs(row + 64 - 511.5) <= 1
    # Near the edge the window moves inside the tile; a small tile is previewed whole.
    assert preview_window(np.array([[2.0, -1.0], [2.0, 300.0]]), (256, 256))[1] == 0
    assert preview_window(trace, (64, 64)) == (0, 0, 64)


def test_dataset_noise_is_checked(results):
    dataset = {**results["dataset"], "noise_px": {"corumba": 0.047}}
    validate({**results, "dataset": dataset}, "r.json")
    with pytest.raises(QuakebenchError, match=r"field dataset\.noise_px\.corumba"):
        validate({**results, "dataset": {**dataset, "noise_px": {"corumba": -1.0}}}, "r.json")
