"""``quakebench evaluate``: known injected errors, reference rows, and strictness with bad input."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from baselines.reference import REFERENCES
from quakebench.cli import main
from quakebench.config import DatasetConfig, EvaluationConfig
from quakebench.data.reader import iter_samples, load_split, stream_split
from quakebench.evaluate import evaluate, score
from quakebench.predictions import PredictionWriter, write_predictions
from tests.conftest import TINY_SIZE

SIZE = TINY_SIZE


@pytest.fixture(scope="module")
def dataset(prewarped_build):
    return prewarped_build


@pytest.fixture(scope="module")
def truths(dataset):
    return {s["id"]: s for s in iter_samples(load_split(dataset, "validation"))}


def write_arrays(path, arrays: dict) -> None:
    with PredictionWriter(path) as writer:
        for sample_id, array in arrays.items():
            writer.write(sample_id, array)


def score_file(dataset, path) -> dict:
    config = EvaluationConfig(predictions=path, data=DatasetConfig(str(dataset)))
    return evaluate(config, progress=False)


def write_reference(kind: str, dataset, output) -> int:
    split = iter_samples(stream_split(dataset, "validation"))
    return write_predictions(REFERENCES[kind], split, output, progress=False)[0]


def test_injected_errors_give_expected_numbers(dataset, truths, tmp_path):
    path = tmp_path / "shifted.npz"
    write_arrays(
        path,
        {i: s["displacement"] + np.array([0.25, 0.0])[:, None, None] for i, s in truths.items()},
    )
    m = score_file(dataset, path)["metrics"]
    assert m["mae_east"] == pytest.approx(0.25, abs=1e-6)
    assert m["mae_north"] == pytest.approx(0.0, abs=1e-6)
    assert m["mae"] == pytest.approx(0.125, abs=1e-6)
    assert m["bias_east"] == pytest.approx(0.25, abs=1e-6)
    assert m["epe"] == pytest.approx(0.25, abs=1e-6)
    assert m["rmse"] == pytest.approx(np.sqrt(0.25**2 / 2), abs=1e-6)
    assert m["fault_offset_bias"] == pytest.approx(0.0, abs=1e-5)

    half = tmp_path / "half.npz"
    write_arrays(half, {i: 0.5 * s["displacement"] for i, s in truths.items()})
    m = score_file(dataset, half)["metrics"]
    assert m["fault_offset_bias"] == pytest.approx(-0.5, abs=1e-6)
    valid = np.concatenate([s["valid"].ravel().astype(bool) for s in truths.values()])
    absolute = np.concatenate(
        [np.abs(s["displacement"]).reshape(2, -1) for s in truths.values()], 1
    )
    assert m["mae"] == pytest.approx(0.5 * absolute[:, valid].mean(), rel=1e-6)


def test_reference_rows(dataset, truths, tmp_path):
    for kind in ("truth", "zero"):
        write_reference(kind, dataset, tmp_path / f"{kind}.npz")
    results = score_file(dataset, tmp_path / "truth.npz")
    m = results["metrics"]
    assert m["mae"] == 0.0 and m["epe"] == 0.0 and m["fault_offset_bias"] == 0.0
    assert all(band["mae"] in (0.0, None) for band in m["bands"].values())
    zero = score_file(dataset, tmp_path / "zero.npz")["metrics"]
    absolute = np.concatenate(
        [np.abs(s["displacement"]).reshape(2, -1) for s in truths.values()], 1
    )
    assert zero["mae"] == pytest.approx(absolute.mean(), rel=1e-6)
    assert zero["fault_offset_bias"] == pytest.approx(-1.0)
    assert results["num_samples"] == 3 and results["split"] == "validation"
    assert results["dataset"]["content_sha256"] and results["dataset"]["generator"]
    assert set(results["per_sample"]) == set(truths)


def test_cli_writes_results_and_plots(dataset, tmp_path, capsys):
    write_reference("zero", dataset, tmp_path / "zero.npz")
    status = main(
        [
            "evaluate",
            str(tmp_path / "zero.npz"),
            "--dataset",
            str(dataset),
            "--output",
            str(tmp_path / "results.json"),
            "--plots",
            str(tmp_path / "plots"),
            "--method",
            "zero",
            "--runtime-per-sample",
            "0.0",
        ]
    )
    assert status == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["method"] == "zero" and results["runtime_s_per_sample"] == 0.0
    assert {"mae", "epe", "rmse", "bands", "profile", "fault_offset_bias"} <= set(
        results["metrics"]
    )
    assert (tmp_path / "plots" / "error_profile.png").stat().st_size > 0
    assert len(list((tmp_path / "plots").glob("sample_*.png"))) == 3
    assert "d<=2" in capsys.readouterr().out


def bad_files(truths, folder):
    """Each bad predictions file with the message it must produce."""
    ids = sorted(truths)
    good = {i: truths[i]["displacement"] for i in ids}
    cases = {}

    def npz(name, arrays, **kwargs):
        path = folder / name
        np.savez(path, **arrays, **kwargs)
        return path

    cases["missing"] = (
        npz("missing.npz", {ids[0]: good[ids[0]]}),
        f"missing prediction for id {ids[1]}",
    )
    cases["unknown"] = (
        npz("unknown.npz", {**good, "prewarped-train-000099": good[ids[0]]}),
        "unknown id prewarped-train-000099",
    )
    cases["shape"] = (
        npz("shape.npz", {**good, ids[0]: good[ids[0]][:, :10]}),
        f"id {ids[0]} (member {ids[0]}.npy): declares shape (2, 10, {SIZE})",
    )
    nan = good[ids[1]].copy()
    nan[0, 3, 3] = np.nan
    cases["nonfinite"] = (npz("nan.npz", {**good, ids[1]: nan}), f"id {ids[1]}: 1 non-finite")
    cases["dtype"] = (
        npz("int.npz", {**good, ids[0]: good[ids[0]].astype(np.int32)}),
        f"id {ids[0]} (member {ids[0]}.npy): dtype int32",
    )
    cases["object"] = (
        npz("object.npz", {**good, ids[0]: np.array([None, 1], dtype=object)}),
        f"id {ids[0]} (member {ids[0]}.npy): declares shape (2,)",
    )
    cases["empty"] = (npz("empty.npz", {}), "empty archive")
    text = folder / "text.npz"
    text.write_text("east,north\n0,0\n")
    cases["not npz"] = (text, "not a NumPy .npz archive")
    truncated = folder / "truncated.npz"
    truncated.write_bytes(npz("whole.npz", good).read_bytes()[:-200])
    cases["truncated"] = (truncated, "not a NumPy .npz archive")
    single = folder / "single.npy"
    np.save(single, good[ids[0]])
    cases["npy"] = (single, "a single .npy array")
    cases["absent"] = (folder / "absent.npz", "no such file")
    return cases


def test_every_bad_input_gets_a_one_line_error(dataset, truths, tmp_path, capsys):
    for name, (path, message) in bad_files(truths, tmp_path).items():
        status = main(["evaluate", str(path), "--dataset", str(dataset)])
        lines = capsys.readouterr().err.strip().splitlines()  # a progress bar may come first
        assert status == 2, name
        assert lines[-1].startswith(f"quakebench: error: {path}"), (name, lines)
        assert message in lines[-1], (name, lines[-1])
        assert sum("error" in line for line in lines) == 1 and "Traceback" not in str(lines)


def test_zip_member_corruption_is_named(dataset, truths, tmp_path, capsys):
    path = tmp_path / "corrupt.npz"
    ids = sorted(truths)
    np.savez_compressed(path, **{i: truths[i]["displacement"] for i in ids})
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(f"{ids[1]}.npy")
    data = bytearray(path.read_bytes())
    data[info.header_offset + 60] ^= 0xFF  # inside the compressed member
    path.write_bytes(bytes(data))
    assert main(["evaluate", str(path), "--dataset", str(dataset)]) == 2
    assert f"id {ids[1]}" in capsys.readouterr().err


def test_unknown_dataset_is_named(tmp_path, capsys):
    np.savez(tmp_path / "p.npz", a=np.zeros((2, 2, 2)))
    assert main(["evaluate", str(tmp_path / "p.npz"), "--dataset", str(tmp_path / "nope")]) == 2
    assert "nope: not a dataset folder" in capsys.readouterr().err


def test_correlator_baseline_beats_zero(dataset, tmp_path, capsys):
    for method in ("zero", "correlator"):
        status = main(
            [
                "baseline",
                method,
                "--dataset",
                str(dataset),
                "--output",
                str(tmp_path / f"{method}.npz"),
            ]
        )
        assert status == 0
    zero = score_file(dataset, tmp_path / "zero.npz")["metrics"]
    correlator = score_file(dataset, tmp_path / "correlator.npz")["metrics"]
    assert correlator["mae"] < 0.5 * zero["mae"]
    # Next to the fault the correlator smears the jump: it does worse there than far away.
    assert correlator["bands"]["d<=2"]["mae"] > correlator["bands"]["d>32"]["mae"]
    assert "s per sample" in capsys.readouterr().out


def test_in_memory_score_equals_the_file_score(dataset, truths, tmp_path):
    """A validation loop's ``score`` gives exactly the numbers of ``quakebench evaluate``."""
    rng = np.random.default_rng(1)
    predictions = {
        i: (s["displacement"] + rng.normal(0, 0.05, s["displacement"].shape)).astype(np.float32)
        for i, s in truths.items()
    }
    write_predictions_file = tmp_path / "noisy.npz"
    write_arrays(write_predictions_file, predictions)
    from_file = score_file(dataset, write_predictions_file)
    in_memory = score(predictions, iter_samples(load_split(dataset, "validation")))
    assert in_memory["metrics"] == from_file["metrics"]
    assert in_memory["per_sample"] == from_file["per_sample"]
    with pytest.raises(ValueError, match="predictions: unknown id x"):
        score({**predictions, "x": predictions[next(iter(truths))]}, truths.values())
