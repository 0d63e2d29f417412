"""Hostile and broken input: each case gets one line naming the problem, exit status 2 (or 1
for a check that finds a forged build), and no traceback, no read outside a build, no request
to a server, no memory blow-up and no file left half-written.

Cases are numbered as the hostile-input issue lists them (1 paths, 2 archives, 3 forged builds,
4 Markdown, 5 unfinished builds, 6 duplicate members, 7 tracebacks, 8 validation, 9 smaller).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from quakebench.checksums import sha256_file
from quakebench.cli import main
from quakebench.data.manifest import MANIFEST
from quakebench.data.reader import read_samples
from quakebench.leaderboard.table import MARKERS
from quakebench.metrics import ErrorStatistics
from quakebench.results import json_ready
from tests.synthetic_results import noisy, synthetic_results, synthetic_samples

ROOT = Path(__file__).parents[1]
GIB = 1 << 30
PICKLE = b"\x80\x04N."  # pickle.dumps(None)
DEAD_HUB = "http://127.0.0.1:9"  # the discard port: nothing listens, every connection fails


def refusal(err: str, *phrases: str) -> str:
    """The one error line of a command's stderr (progress bars aside), holding every phrase."""
    assert "Traceback" not in err, err
    lines = [line for line in re.split(r"[\r\n]", err) if "quakebench: error: " in line]
    assert len(lines) == 1, err
    line = lines[0][lines[0].index("quakebench: error: ") :]
    for phrase in phrases:
        assert phrase in line, (phrase, line)
    return line


def one_line(capsys, *phrases: str) -> str:
    """The single error line of an in-process refusal, which holds every phrase."""
    return refusal(capsys.readouterr().err, *phrases)


def run_cli(*args: str, env: dict | None = None, limit_bytes: int | None = None, timeout=120):
    """``quakebench ARGS`` in a fresh process (optionally under an address-space limit)."""
    code = "import sys; from quakebench.cli import main; sys.exit(main(sys.argv[1:]))"
    if limit_bytes:
        code = (
            f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({limit_bytes}, "
            f"{limit_bytes})); " + code
        )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def one_line_from(completed: subprocess.CompletedProcess, status: int, *phrases: str) -> str:
    assert completed.returncode == status, (completed.returncode, completed.stderr)
    return refusal(completed.stderr, *phrases)


@pytest.fixture
def build(prewarped_build, tmp_path) -> Path:
    """A copy of the session's tiny prewarped build, free to be broken."""
    return Path(shutil.copytree(prewarped_build, tmp_path / "build"))


def edit_manifest(folder: Path, change) -> None:
    path = folder / MANIFEST
    manifest = json.loads(path.read_text())
    manifest = change(manifest) or manifest
    path.write_text(json.dumps(manifest))


def truth_file(folder: Path, split: str, path: Path) -> Path:
    """The truth's predictions of a split, as a user would write them (np.savez)."""
    np.savez(path, **{s["id"]: s["displacement"] for s in read_samples(folder, split)})
    return path


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def npy_header(descr: str, shape: tuple[int, ...]) -> bytes:
    """A version 1.0 ``.npy`` header (magic included) declaring ``descr`` and ``shape``."""
    buffer = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def shape_of(folder: Path, split: str) -> tuple[str, tuple[int, ...]]:
    sample = next(read_samples(folder, split))
    return str(sample["id"]), sample["displacement"].shape


# 1. Paths a manifest names stay inside their build.


@pytest.mark.parametrize("place", ["../../outside/train.parquet", "/etc/passwd", "symlink"])
def test_shard_paths_cannot_leave_the_build(build, tmp_path, capsys, place):
    outside = tmp_path / "outside"
    outside.mkdir()
    first = json.loads((build / MANIFEST).read_text())["shards"][0]["file"]
    if place == "symlink":
        target = outside / "train.parquet"
        shutil.move(build / first, target)
        (build / first).symlink_to(target)
        name = first
    else:
        name = place

        def move(manifest):
            manifest["shards"][0]["file"] = name

        edit_manifest(build, move)
    predictions = truth_file(build, "test", tmp_path / "truth.npz")
    for argv in (
        ["verify", str(build)],
        ["evaluate", str(predictions), "--dataset", str(build), "--split", "test"],
        ["push", str(build), "--repo-id", "someone/prewarped"],
    ):
        env = {"HF_ENDPOINT": DEAD_HUB, "HF_TOKEN": "hf_x"}
        completed = run_cli(*argv, env=env)
        one_line_from(completed, 2, name, "outside the build")


# 2. Archives are checked before anything is inflated.


def write_member(path: Path, name: str, header: bytes, data_bytes: int, mode="a") -> None:
    """A member of ``header`` followed by ``data_bytes`` zeros, deflated as it is written
    (nothing of that size is ever held)."""
    with zipfile.ZipFile(path, mode, zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=True) as member:
            member.write(header)
            chunk = bytes(64 << 20)
            left = data_bytes
            while left:
                member.write(chunk[: min(left, len(chunk))])
                left -= min(left, len(chunk))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("shape", "data_bytes"),
    [((2, 8192, 16384), 2 * 8192 * 16384 * 4), ((2, 10**6, 10**6), 0)],
    ids=["inflates to 1 GiB", "declares 7 TiB"],
)
def test_bombs_are_refused_by_their_header_under_1_gib(build, tmp_path, shape, data_bytes):
    sample_id, _ = shape_of(build, "test")
    archive = tmp_path / "bomb.npz"
    write_member(archive, f"{sample_id}.npy", npy_header("<f4", shape), data_bytes, mode="w")
    others = [s for s in read_samples(build, "test") if s["id"] != sample_id]
    with zipfile.ZipFile(archive, "a") as zipped:
        for sample in others:
            zipped.writestr(f"{sample['id']}.npy", npy_bytes(sample["displacement"]))
    completed = run_cli(
        "evaluate", str(archive), "--dataset", str(build), "--split", "test", limit_bytes=GIB
    )
    one_line_from(completed, 2, f"{sample_id}.npy", f"declares shape {shape}")


@pytest.mark.slow
def test_a_valid_file_scores_under_1_gib(build, tmp_path):
    predictions = truth_file(build, "test", tmp_path / "truth.npz")
    completed = run_cli(
        "evaluate", str(predictions), "--dataset", str(build), "--split", "test",
        limit_bytes=GIB,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "mae" in completed.stdout


@pytest.mark.parametrize(
    ("descr", "problem"),
    [(">f4", "byte order big-endian"), ("<i4", "dtype int32"), ("|O", "dtype object")],
)
def test_member_dtype_and_byte_order_are_named(build, tmp_path, capsys, descr, problem):
    sample_id, shape = shape_of(build, "test")
    predictions = truth_file(build, "test", tmp_path / "truth.npz")
    rewritten = tmp_path / "rewritten.npz"
    with zipfile.ZipFile(predictions) as source, zipfile.ZipFile(rewritten, "w") as target:
        for info in source.infolist():
            if info.filename == f"{sample_id}.npy":
                array = np.zeros(shape, np.dtype(descr)) if descr != "|O" else None
                # an object array's header and a pickle: never unpickled
                data = npy_bytes(array) if array is not None else npy_header(descr, shape) + PICKLE
                target.writestr(info.filename, data)
            else:
                target.writestr(info, source.read(info))
    assert main(["evaluate", str(rewritten), "--dataset", str(build), "--split", "test"]) == 2
    one_line(capsys, f"{sample_id}.npy", problem)


def test_trailing_bytes_after_the_array_are_refused(build, tmp_path, capsys):
    sample_id, _ = shape_of(build, "test")
    predictions = truth_file(build, "test", tmp_path / "truth.npz")
    with zipfile.ZipFile(predictions) as source:
        members = {i.filename: source.read(i) for i in source.infolist()}
    members[f"{sample_id}.npy"] += bytes(1 << 20)
    padded = tmp_path / "padded.npz"
    with zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    assert main(["evaluate", str(padded), "--dataset", str(build), "--split", "test"]) == 2
    one_line(capsys, f"{sample_id}.npy", "more bytes than")


# 3. verify re-hashes what it verifies; evaluate scores only what the manifest describes.


def forge(folder: Path, split: str) -> list[str]:
    """Swap the displacement of a split's samples shard by shard, and update the shards'
    SHA-256 and size in the manifest, as a forger would; returns the changed ids."""
    manifest = json.loads((folder / MANIFEST).read_text())
    changed = []
    for shard in manifest["shards"]:
        if shard["split"] != split:
            continue
        path = folder / shard["file"]
        table = pq.read_table(path)
        if table.num_rows < 2:
            continue
        index = table.schema.get_field_index("displacement")
        swapped = table.column("displacement").take(list(range(table.num_rows))[::-1])
        table = table.set_column(index, table.schema.field(index), swapped)
        pq.write_table(table, path, row_group_size=1)
        shard["sha256"], shard["bytes"] = sha256_file(path), path.stat().st_size
        changed += [str(i) for i in table.column("id").to_pylist()]
    (folder / MANIFEST).write_text(json.dumps(manifest))
    return changed


def test_a_forged_split_fails_verify_naming_the_split_and_samples(build, capsys):
    changed = forge(build, "train")
    assert main(["verify", str(build)]) == 1
    err = capsys.readouterr().err
    assert "train" in err and changed[0] in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("content_sha256", "0" * 64),
        ("split_sha256", {"train": "0" * 64}),
        ("num_samples", 99),
        ("size", 128),
        ("dataset", "postwarped"),
        ("preset", "mini"),
    ],
)
def test_edited_manifest_claims_fail_verify(build, capsys, key, value):
    def claim(manifest):
        if isinstance(value, dict):
            manifest[key] = {**manifest[key], **value}
        else:
            manifest[key] = value

    edit_manifest(build, claim)
    assert main(["verify", str(build)]) == 1
    err = capsys.readouterr().err
    assert key in err and "Traceback" not in err, err


def test_evaluate_refuses_a_split_that_does_not_hash_to_its_manifest(build, tmp_path, capsys):
    predictions = truth_file(build, "train", tmp_path / "truth.npz")
    forge(build, "train")
    argv = ["evaluate", str(predictions), "--dataset", str(build), "--split", "train"]
    assert main([*argv, "--output", str(tmp_path / "r.json")]) == 2
    one_line(capsys, "split train", "manifest")
    assert not (tmp_path / "r.json").exists()


# 4. Nothing a results file holds reaches the board's Markdown unescaped.


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("generator", "<script>alert(1)</script>"),
        ("generator", f"x {MARKERS[1]}"),
        ("preset", "![t](http://tracker.example/p.png)"),
        ("noise_px", {"[x](javascript:alert(1))": 0.1}),
        ("noise_px", {MARKERS[1]: 0.1}),
    ],
)
def test_injected_dataset_strings_never_reach_the_board(tmp_path, capsys, field, value):
    samples = synthetic_samples(12)
    honest = synthetic_results("honest", samples, noisy(samples, 0.1, 1))
    evil = synthetic_results("evil", samples, noisy(samples, 0.2, 2))
    evil["dataset"][field] = value
    paths = []
    for results in (evil, honest):  # a board shows its first file's dataset strings
        paths.append(tmp_path / f"{results['method']}.json")
        paths[-1].write_text(json.dumps(results))
    readme = tmp_path / "README.md"
    readme.write_text(f"# Board\n{MARKERS[0]}\n{MARKERS[1]}\n")
    main(["leaderboard", str(paths[1]), "--output", str(readme), "--replicates", "200"])
    clean = readme.read_text()
    capsys.readouterr()
    status = main(["leaderboard", *map(str, paths), "--output", str(readme), "--replicates", "200"])
    if status == 2:
        one_line(capsys, f"dataset.{field}")
    text = readme.read_text()
    assert text.count(MARKERS[1]) == 1, text
    for raw in ("<script", "](javascript:", "](http"):
        assert raw not in text, raw
    main(["leaderboard", str(paths[1]), "--output", str(readme), "--replicates", "200"])
    assert readme.read_text() == clean


# 5. An unfinished build is not scored.


def test_evaluate_refuses_an_unfinished_build(build, tmp_path, capsys):
    predictions = truth_file(build, "train", tmp_path / "truth.npz")
    edit_manifest(build, lambda m: m.update(complete=False))
    assert main(["evaluate", str(predictions), "--dataset", str(build), "--split", "train"]) == 2
    one_line(capsys, "not finished")


# 6. Duplicate and aliased members.


@pytest.mark.parametrize("alias", ["{id}.npy", "{id}"])
def test_duplicate_and_aliased_members_are_refused(build, tmp_path, capsys, alias):
    sample_id, shape = shape_of(build, "test")
    predictions = truth_file(build, "test", tmp_path / "truth.npz")
    with zipfile.ZipFile(predictions, "a") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name, and writes it
        archive.writestr(alias.format(id=sample_id), npy_bytes(np.ones(shape, np.float32)))
    assert main(["evaluate", str(predictions), "--dataset", str(build), "--split", "test"]) == 2
    one_line(capsys, sample_id, "twice")


# 7. One line, never a traceback.


def test_a_board_of_reference_lines_only_is_built(tmp_path, capsys):
    samples = synthetic_samples(12)
    paths = []
    for method in ("zero", "truth"):
        predictions = {s["id"]: s["displacement"] * (method == "truth") for s in samples}
        paths.append(tmp_path / f"{method}.json")
        paths[-1].write_text(json.dumps(synthetic_results(method, samples, predictions)))
    readme = tmp_path / "README.md"
    readme.write_text(f"{MARKERS[0]}\n{MARKERS[1]}\n")
    args = ["leaderboard", *map(str, paths), "--output", str(readme), "--replicates", "200"]
    assert main(args) == 0, capsys.readouterr().err
    assert "| zero" in readme.read_text()


def test_labels_that_are_not_unicode_text_are_refused(tmp_path, capsys):
    samples = synthetic_samples(12)
    results = synthetic_results("a\udcffb", samples, noisy(samples, 0.1, 1))
    path = tmp_path / "r.json"
    path.write_text(json.dumps(results))
    assert main(["leaderboard", str(path), "--replicates", "200"]) == 2
    one_line(capsys, "field method", "U+DCFF")


@pytest.mark.parametrize("command", ["evaluate", "baseline", "push"])
def test_no_network_is_one_line_naming_the_host(build, tmp_path, command):
    predictions = truth_file(build, "test", tmp_path / "truth.npz")
    argv = {
        "evaluate": ["evaluate", str(predictions), "--dataset", "quakebench/prewarped"],
        "baseline": ["baseline", "zero", "--dataset", "quakebench/prewarped",
                     "--output", str(tmp_path / "zero.npz")],
        "push": ["push", str(build), "--repo-id", "someone/prewarped", "--config", "tiny"],
    }[command]  # fmt: skip
    env = {"HF_ENDPOINT": DEAD_HUB, "HF_HUB_OFFLINE": "0", "HF_TOKEN": "hf_x"}
    completed = run_cli(*argv, env=env)
    one_line_from(completed, 2, "127.0.0.1", "HF_HUB_OFFLINE=1")


def test_a_full_disk_is_one_line_naming_the_path(build, tmp_path, capsys, monkeypatch):
    import errno

    import quakebench.atomic

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(kwargs["dir"]))

    monkeypatch.setattr(quakebench.atomic.tempfile, "mkstemp", full)
    output = tmp_path / "zero.npz"
    argv = ["baseline", "zero", "--dataset", str(build), "--output", str(output)]
    assert main(argv) == 2
    one_line(capsys, "No space left on device", str(tmp_path))
    assert list(tmp_path.iterdir()) == [build]


def test_bad_output_paths_are_refused_before_the_work(build, tmp_path, capsys):
    predictions = truth_file(build, "test", tmp_path / "truth.npz")
    evaluate = ["evaluate", str(predictions), "--dataset", str(build), "--split", "test"]
    assert main([*evaluate, "--output", str(tmp_path)]) == 2
    one_line(capsys, str(tmp_path), "is a folder")
    assert main([*evaluate, "--plots", str(predictions)]) == 2
    one_line(capsys, str(predictions), "not a folder")


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"id": "a", "file": "missing.tif", "sha256": "0" * 64}, "missing.tif"),
        ({"id": "a"}, "file"),
        ({"id": "a", "file": "/dev/zero", "sha256": "0" * 64}, "not a regular file"),
    ],
)
def test_malformed_catalogues_are_one_line(tmp_path, capsys, entry, problem):
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"scenes": [entry]}))
    completed = run_cli(
        "generate", "prewarped", "--catalog", str(catalog), "--num-samples", "2", "--size", "64",
        "--output", str(tmp_path / "out"), timeout=60,
    )  # fmt: skip
    one_line_from(completed, 2, str(catalog.name) if problem == "file" else problem)


@pytest.mark.parametrize(
    "change",
    [
        lambda m: [m],
        lambda m: {**m, "shards": "data/train.parquet"},
        lambda m: {**m, "shards": [{k: v for k, v in m["shards"][0].items() if k != "sha256"}]},
    ],
    ids=["a list", "shards a string", "a shard without sha256"],
)
def test_malformed_manifests_are_one_line(build, capsys, change):
    path = build / MANIFEST
    path.write_text(json.dumps(change(json.loads(path.read_text()))))
    assert main(["verify", str(build)]) == 2
    one_line(capsys, MANIFEST)


def test_verify_given_a_file_is_one_line(build, capsys):
    assert main(["verify", str(build / MANIFEST)]) == 2
    one_line(capsys, "not a folder")


def test_deep_nesting_and_huge_numbers_are_one_line(tmp_path, capsys):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    assert main(["leaderboard", str(deep), "--replicates", "200"]) == 2
    one_line(capsys, str(deep), "nested")
    huge = tmp_path / "huge.json"
    results = tampered(lambda r, s: s["total"].update(count=10**400))
    huge.write_text(json.dumps(results))
    assert main(["leaderboard", str(huge), "--replicates", "200"]) == 2
    one_line(capsys, "count")


def test_replicates_are_bounded(tmp_path, capsys):
    samples = synthetic_samples(12)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(synthetic_results("a", samples, noisy(samples, 0.1, 1))))
    assert main(["leaderboard", str(path), "--replicates", "1000000000"]) == 2
    one_line(capsys, "replicates")


# 8. Results files are consistent.


def tampered(change) -> dict:
    """A results file changed by ``change(results, first sample's statistics)``, its metrics
    re-aggregated so that only the change itself is inconsistent."""
    samples = synthetic_samples(12)
    results = synthetic_results("method", samples, noisy(samples, 0.1, 1))
    change(results, next(iter(results["per_sample"].values()))["statistics"])
    try:
        total = sum(
            (ErrorStatistics.from_record(e["statistics"]) for e in results["per_sample"].values()),
            ErrorStatistics(),
        )
        results["metrics"] = json_ready(total.metrics())
    except (OverflowError, ValueError, TypeError):
        pass  # a change no statistics can hold (10^400)
    return results


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r, s: s["bands"]["d<=2"].update(abs_east=s["total"]["abs_east"] * 2), "d<=2"),
        (lambda r, s: r["dataset"].update(revision="different"), "dataset.revision"),
        (lambda r, s: r.update(method="truth\u200b"), "method"),
        (lambda r, s: next(iter(r["per_sample"].values())).update(magnitude=-3.0), "magnitude"),
        (lambda r, s: next(iter(r["per_sample"].values())).update(magnitude=1e308), "magnitude"),
        (lambda r, s: r["dataset"].update(generator="g" * 5_000_000), "dataset.generator"),
        (lambda r, s: r.update(extra={str(k): "" for k in range(20_000)}), "extra"),
    ],
    ids=["band above total", "different yet pinned", "invisible character", "magnitude -3",
         "magnitude 1e308", "5 MB string", "20,000 keys"],
)  # fmt: skip
def test_inconsistent_results_are_refused(tmp_path, capsys, change, field):
    path = tmp_path / "r.json"
    path.write_text(json.dumps(tampered(change)))
    assert main(["leaderboard", str(path), "--replicates", "200"]) == 2
    one_line(capsys, field)


def test_a_method_that_scored_no_pixel_is_refused(tmp_path, capsys):
    samples = synthetic_samples(12)
    for sample in samples:
        sample["valid"][:] = 0
    results = synthetic_results("empty", samples, noisy(samples, 0.1, 1))
    path = tmp_path / "r.json"
    path.write_text(json.dumps(results))
    assert main(["leaderboard", str(path), "--replicates", "200"]) == 2
    one_line(capsys, "count")


# 9. Smaller ones.


def test_huge_predictions_are_refused_before_scoring(build, tmp_path, capsys):
    samples = list(read_samples(build, "test"))
    path = tmp_path / "huge.npz"
    np.savez(path, **{s["id"]: np.full_like(s["displacement"], 1e308, np.float64) for s in samples})
    plots = tmp_path / "plots"
    argv = ["evaluate", str(path), "--dataset", str(build), "--split", "test"]
    assert main([*argv, "--plots", str(plots)]) == 2
    one_line(capsys, str(path), samples[0]["id"], "1e+308")
    assert not plots.exists() or not any(plots.iterdir())


def test_a_bad_config_name_is_refused_before_any_request(build, capsys):
    completed = run_cli(
        "push", str(build), "--repo-id", "someone/prewarped", "--config", "../evil",
        env={"HF_ENDPOINT": DEAD_HUB, "HF_TOKEN": "hf_x"},
    )  # fmt: skip
    err = one_line_from(completed, 2, "../evil")
    assert "127.0.0.1" not in err and "again" not in err


def test_an_unbounded_build_is_refused_at_once(tmp_path):
    completed = run_cli(
        "generate", "prewarped", "--num-samples", "10000000000000", "--output",
        str(tmp_path / "out"), timeout=30,
    )  # fmt: skip
    one_line_from(completed, 2, "num_samples")


@pytest.mark.parametrize("source", ["/dev/zero", "empty"])
def test_a_file_that_is_not_a_zip_is_named_so(tmp_path, capsys, build, source):
    path = Path(source) if source.startswith("/") else tmp_path / "empty.npz"
    if source == "empty":
        path.write_bytes(b"")
    argv = ["evaluate", str(path), "--dataset", str(build), "--split", "test"]
    assert main(argv) == 2
    err = one_line(capsys, str(path))
    assert "pickle" not in err and ("not a regular file" in err or "zip" in err), err
