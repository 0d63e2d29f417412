"""Building the two datasets: layout, loading through ``datasets``, determinism, resume, verify."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import datasets
import numpy as np
import pytest
from scipy import ndimage as ndi

from baselines.generator.samples.source import build_with_generator
from baselines.imagery.validity import highpass
from quakebench.cli import main
from quakebench.contract import SPLITS
from quakebench.data.reader import iter_samples, load_split
from tests.conftest import TINY_COUNT, TINY_SEED, TINY_SIZE, TINY_TEST, tiny_config

SIZE, COUNT = TINY_SIZE, TINY_COUNT


def shard_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "data").glob("*.parquet"))}


@pytest.fixture(scope="module")
def builds(tiny_builds) -> dict[str, Path]:
    """Both datasets, 16 samples of 64 px, 4 samples a shard, on 2 local Dask workers."""
    return tiny_builds


@pytest.mark.parametrize("name", ["prewarped", "postwarped"])
def test_loads_back_through_datasets(builds, name):
    folder = builds[name]
    raw = datasets.load_dataset(str(folder))
    assert set(raw) == {"train", "validation", "test"}
    assert (raw["train"].num_rows, raw["validation"].num_rows, raw["test"].num_rows) == (13, 3, 4)
    assert raw["test"][0]["id"] == f"{name}-test-000000"
    assert raw["validation"][0]["id"] == f"{name}-validation-000004"
    samples = list(iter_samples(load_split(folder, "validation")))
    for sample in samples:
        assert sample["pre"].dtype == np.uint16 and sample["pre"].shape == (SIZE, SIZE)
        assert sample["post"].dtype == np.float32 and sample["post"].shape == (SIZE, SIZE)
        assert sample["displacement"].dtype == np.float32
        assert sample["displacement"].shape == (2, SIZE, SIZE)
        assert sample["valid"].dtype == np.uint8 and set(np.unique(sample["valid"])) <= {0, 1}
        assert sample["rupture"].shape[1] == 2 and len(sample["geotransform"]) == 6
        assert 6.0 <= sample["magnitude"] <= 7.8 and sample["pixel_size_m"] in (15.0, 30.0)
        assert sample["valid"].mean() >= 0.5  # the build's floor (valid and textured) holds


def interpolate_pre(sample: dict) -> np.ndarray:
    """pre(q - u(q)) by quintic splines on the tile alone (exact 16 px from the border)."""
    rows, cols = np.mgrid[0:SIZE, 0:SIZE].astype(float)
    u = sample["displacement"]
    return ndi.map_coordinates(
        sample["pre"].astype(float), [rows + u[1], cols - u[0]], order=5, mode="mirror"
    )


def test_prewarped_obeys_the_warping_invariant(builds):
    for sample in iter_samples(load_split(builds["prewarped"], "train")):
        inner = (slice(16, -16),) * 2  # the tile-only reference has spline edge effects
        expected = interpolate_pre(sample)[inner]
        # Where the spline overshoots the tile's range the build clipped it; compare elsewhere.
        unclipped = (expected > sample["pre"].min()) & (expected < sample["pre"].max())
        error = np.abs(sample["post"][inner] - expected)[unclipped]
        assert unclipped.mean() > 0.95
        assert error.max() <= 1e-3 * sample["pre"].astype(float)[inner].std()
        assert sample["valid"].all()


def test_postwarped_shares_earthquake_and_first_image(builds):
    pre = {s["index"]: s for s in iter_samples(load_split(builds["prewarped"], "train"))}
    post = list(iter_samples(load_split(builds["postwarped"], "train")))
    checked = shared = 0
    for sample in post:
        twin = pre[sample["index"]]
        assert sample["seed"] == twin["seed"]  # the same earthquake, wherever it is drawn
        if twin["pre_scene"] == sample["pre_scene"]:  # the same pair: the same crop and field
            assert np.array_equal(sample["pre"], twin["pre"])
            assert np.array_equal(sample["displacement"], twin["displacement"])
            assert not np.array_equal(sample["post"], twin["post"])
            shared += 1
        # The real second date, warped: its texture (high-passed, as the validity test sees
        # it) correlates with pre(q - u) where the pair is valid.
        valid = sample["valid"].astype(bool)
        if valid.mean() > 0.5:
            a = highpass(interpolate_pre(sample), 3.0)[valid]
            b = highpass(sample["post"], 3.0)[valid]
            assert np.corrcoef(a, b)[0, 1] > 0.5
            checked += 1
    assert checked >= 3 and shared >= 1
    assert any(s["coregistration_row_px"] != 0.0 for s in post)


@pytest.mark.parametrize("name", ["prewarped", "postwarped"])
def test_test_split_comes_from_held_out_places(builds, name):
    def values(split, field):
        return {str(s[field]) for s in iter_samples(load_split(builds[name], split))}

    seen = values("train", "place") | values("validation", "place")
    assert values("test", "place") and not values("test", "place") & seen
    seen_scenes = values("train", "pre_scene") | values("validation", "pre_scene")
    assert not values("test", "pre_scene") & seen_scenes
    assert values("test", "role") == {"test"} and values("train", "role") == {"train"}
    # Test sample k has its own earthquake, not train sample k's.
    assert values("test", "seed") != values("train", "seed")


def test_sample_regenerates_alone(builds, tiny_sources):
    stored = next(iter_samples(load_split(builds["postwarped"], "validation")))
    again = tiny_sources["postwarped"].sample("validation", stored["index"])
    for name in ("pre", "post", "displacement", "valid"):
        assert again[name].tobytes() == stored[name].tobytes()


@pytest.mark.slow
def test_one_and_two_workers_give_the_same_bytes(builds, tmp_path):
    build_with_generator(tiny_config("prewarped", tmp_path, workers=1), progress=False)
    assert shard_bytes(tmp_path) == shard_bytes(builds["prewarped"])
    assert (tmp_path / "README.md").read_text() == (builds["prewarped"] / "README.md").read_text()


@pytest.mark.slow
def test_killed_build_resumes_to_identical_bytes(builds, tmp_path):
    command = [
        sys.executable,
        "-m",
        "quakebench.cli",
        "generate",
        "prewarped",
        "--num-samples",
        str(COUNT),
        "--num-test-samples",
        str(TINY_TEST),
        "--size",
        str(SIZE),
        "--seed",
        str(TINY_SEED),
        "--samples-per-shard",
        "4",
        "--workers",
        "1",
        "--output",
        str(tmp_path),
    ]
    process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list((tmp_path / "data").glob("train-*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    partial = shard_bytes(tmp_path)
    assert 0 < len(partial) < 5, "the build should have been interrupted part-way"
    assert main(["verify", str(tmp_path)]) == 1  # unfinished
    subprocess.run(command, check=True, capture_output=True)
    assert shard_bytes(tmp_path) == shard_bytes(builds["prewarped"])
    assert main(["verify", str(tmp_path)]) == 0


def test_verify_names_a_corrupted_shard(builds, tmp_path, capsys):
    folder = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(builds["postwarped"]), str(folder)], check=True)
    assert main(["verify", str(folder)]) == 0
    shard = folder / "data" / "train-00001-of-00004.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    assert main(["verify", str(folder)]) == 1
    assert "train-00001-of-00004.parquet: checksum mismatch" in capsys.readouterr().err


def test_card_declares_the_build(builds):
    card = (builds["postwarped"] / "README.md").read_text()
    header = card.split("---")[1]
    assert "array2_d" in header and "num_examples: 13" in header and "path: data/train-*" in header
    assert "16 samples of 64 x 64 pixels" in card


def test_other_build_in_the_same_folder_is_refused(builds, capsys):
    status = main(
        [
            "generate",
            "prewarped",
            "--num-samples",
            "8",
            "--size",
            str(SIZE),
            "--seed",
            str(TINY_SEED),
            "--output",
            str(builds["prewarped"]),
        ]
    )
    assert status == 2
    assert "holds a build with other num_samples" in capsys.readouterr().err


# The decoded content of the tiny builds, pinned with the generator version that made it: a
# change to the physics, the scenes or the rendering changes these, and must come with a new
# generator version (baselines/generator/earthquake/simulate.py) and new pins.
PINNED = {
    "generator": "quakebench-generator 0.7.0",
    "prewarped": "0828e36515d03d3ff146062e54e8510f3824dc1bd0d65945435975b0eecf06f5",
    "postwarped": "8b7569aa5d1a3e44d43d36e0292be1255ec6e9fdc9d51f8cd7235b9e5c3152c3",
}


@pytest.mark.parametrize("name", ["prewarped", "postwarped"])
def test_content_is_pinned_to_the_generator_version(builds, name):
    from baselines.generator.earthquake.simulate import GENERATOR_VERSION
    from quakebench.data.content import content_hash

    samples = [s for split in SPLITS for s in iter_samples(load_split(builds[name], split))]
    assert (GENERATOR_VERSION, content_hash(samples)) == (PINNED["generator"], PINNED[name])


@pytest.fixture(scope="module")
def library(tiny_sources):
    """Every bundled place, train and test, as the builder sees them."""
    return tiny_sources["prewarped"].library


def test_every_placement_meets_the_floor(library):
    """1,200 placements over every place (no physics): each crop has >= 50 % valid, textured
    pixels, where plain random crops often do not."""
    from baselines.generator.samples.patches import crop_origin
    from baselines.generator.samples.sample import WARP_MARGIN_PX, place_crop

    side, inner = 128 + 2 * WARP_MARGIN_PX, slice(WARP_MARGIN_PX, -WARP_MARGIN_PX)
    below_without_floor = 0
    for index in range(1200):
        source = library[index % len(library)]
        row, col, _ = place_crop(source, 128, 0.5, 5, "train", index)
        assert source.usable[row : row + side, col : col + side][inner, inner].mean() >= 0.5
        row, col = crop_origin(source.pre.image.shape, side, np.random.default_rng(index))
        below_without_floor += source.usable[row : row + side, col : col + side].mean() < 0.5
    assert below_without_floor > 50


def test_oversized_tile_is_refused_before_anything_exists(tmp_path, capsys):
    output = tmp_path / "huge"
    command = ["generate", "prewarped", "--num-samples", "2", "--size", "100000"]
    assert main([*command, "--output", str(output)]) == 2
    error = capsys.readouterr().err
    assert "largest tile allowed is" in error and error.count("\n") == 1
    assert not output.exists()


def test_preset_conflicts_are_errors(tmp_path):
    from quakebench.config import BuildConfig
    from quakebench.errors import QuakebenchError

    config = BuildConfig("prewarped", output=tmp_path, preset="mini")
    assert (config.size, config.num_test_samples) == (256, 100)
    with pytest.raises(QuakebenchError, match="size 128 conflicts with preset mini"):
        BuildConfig("prewarped", output=tmp_path, preset="mini", size=128)


@pytest.mark.parametrize("name", ["prewarped", "postwarped"])
def test_content_hash_is_that_of_the_decoded_samples(builds, name, capsys):
    from quakebench.data.content import content_hash
    from quakebench.data.manifest import read_manifest

    samples = [s for split in SPLITS for s in iter_samples(load_split(builds[name], split))]
    assert read_manifest(builds[name])["content_sha256"] == content_hash(samples)
    assert main(["verify", str(builds[name])]) == 0
    assert "not a pinned preset build (preset: none)" in capsys.readouterr().out


@pytest.mark.slow
def test_content_hash_does_not_depend_on_the_shard_layout(builds, tmp_path):
    from quakebench.data.manifest import read_manifest

    build_with_generator(
        tiny_config("prewarped", tmp_path, samples_per_shard=7, workers=1), progress=False
    )
    assert shard_bytes(tmp_path).keys() != shard_bytes(builds["prewarped"]).keys()
    hashes = [read_manifest(f)["content_sha256"] for f in (tmp_path, builds["prewarped"])]
    assert hashes[0] == hashes[1]
