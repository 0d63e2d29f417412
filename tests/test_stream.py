"""The field bank and the training stream: a bank field rendered on a stored sample's crop gives
that sample's pair, bit for bit; only training places; items are pure functions of the index."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from baselines.generator.earthquake.simulate import load_simulation, simulate
from baselines.generator.samples.sample import WARP_MARGIN_PX
from baselines.stream.bank import build_bank, field_seed, load_bank
from baselines.stream.config import BankConfig
from baselines.stream.stream import (
    STREAM_FIELDS,
    PairStream,
    StreamConfig,
    StreamDataset,
    item_indices,
    render_item,
    rms_factor,
)
from quakebench.data.reader import read_samples
from quakebench.data.transforms import normalise_pair
from quakebench.errors import QuakebenchError

BANK_SIZE = 64


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bank")
    folders = build_bank(BankConfig(folder, 3, BANK_SIZE, (15.0,), seed=5, workers=2), False)
    return folders[15.0]


def test_bank_fields_are_the_simulations_and_resume(bank):
    fields = load_bank(bank)
    assert len(fields) == 3
    expected = simulate(field_seed(5, 1), BANK_SIZE, 15.0)
    np.testing.assert_array_equal(fields[1].displacement_px, expected.displacement_px)
    np.testing.assert_array_equal(fields[1].rupture_px, expected.rupture_px)
    before = {p.name: p.stat().st_mtime_ns for p in bank.glob("*.npz")}
    build_bank(BankConfig(bank.parent, 3, BANK_SIZE, (15.0,), seed=5, workers=2), False)
    assert {p.name: p.stat().st_mtime_ns for p in bank.glob("*.npz")} == before


@pytest.mark.parametrize("dataset", ["prewarped", "postwarped"])
def test_bank_field_on_a_stored_crop_gives_the_stored_pair(dataset, tiny_builds, tiny_sources):
    # A stored train sample's earthquake, simulated as the bank simulates its fields, rendered
    # by the stream with factor 1 on that sample's place, crop and orientation.
    sample = next(read_samples(tiny_builds[dataset], "train"))
    # prewarped warps the first date onto itself: its post_scene is the first date's id.
    (source,) = [
        s
        for s in tiny_sources[dataset].library
        if s.pre.id == sample["pre_scene"]
        and (dataset == "prewarped" or s.post.id == sample["post_scene"])
    ]
    size = sample["valid"].shape[0]
    field = simulate(sample["seed"], size, sample["pixel_size_m"]).displacement_px
    origin = (sample["crop_row"] - WARP_MARGIN_PX, sample["crop_col"] - WARP_MARGIN_PX)
    item = render_item(dataset, field, source, origin, sample["orientation"])
    np.testing.assert_array_equal(item["displacement"], sample["displacement"])
    np.testing.assert_array_equal(item["valid"], sample["valid"])
    np.testing.assert_array_equal(item["images"], normalise_pair(sample["pre"], sample["post"]))


@pytest.fixture(scope="module")
def stream(bank):
    return PairStream(StreamConfig(bank, "prewarped", crop=64, stages=((0, 0.3, 2.0),), seed=1))


def test_stream_draws_training_places_only(stream):
    places = {s.place for s in stream.places}
    assert places and all(s.role == "train" for s in stream.places)
    drawn = {stream.item(k)["place"] for k in range(12)}
    assert drawn <= places
    assert not drawn & {"corumba", "liverpool"}  # the bundled catalogue's test places


def test_items_are_pure_functions_of_the_index(stream):
    first, again = stream.item(7), stream.item(7)
    for name in STREAM_FIELDS:
        np.testing.assert_array_equal(first[name], again[name])
    item = stream.item(3)
    assert item["images"].shape == (2, 64, 64) and item["images"].dtype == np.float32
    rms = float(np.sqrt(np.mean(item["displacement"].astype(np.float64) ** 2)))
    assert 0.3 * 0.999 <= rms <= 2.0 * 1.001
    # The endless iterator of rank 1 of 2 from item 2 on yields items 5, 7, ...
    iterator = iter(PairStream(stream.config, rank=1, world=2, start=2))
    np.testing.assert_array_equal(next(iterator)["images"], stream.item(5)["images"])
    np.testing.assert_array_equal(next(iterator)["images"], stream.item(7)["images"])


def test_batches_resume_exactly(stream):
    def batches(start_step, count):
        loader = DataLoader(StreamDataset(stream), 2, sampler=item_indices(start_step, 2, 0, 1))
        out = []
        for batch in loader:
            out.append(batch["displacement"])
            if len(out) == count:
                return out

    whole, resumed = batches(0, 3), batches(2, 1)
    assert torch.equal(whole[2], resumed[0])


def test_amplitude_curriculum_and_bad_settings(stream, bank):
    staged = StreamConfig(bank, stages=((0, 0.3, 2.0), (100, 0.02, 0.05)))
    assert staged.rms_range(99) == (0.3, 2.0) and staged.rms_range(100) == (0.02, 0.05)
    field = load_simulation(next(bank.glob("*.npz")))[0]
    rng = np.random.default_rng(0)
    assert rms_factor(field, (5.0, 5.0), rng) * np.abs(field).max() <= WARP_MARGIN_PX - 4 + 1e-6
    with pytest.raises(QuakebenchError, match="stages"):
        StreamConfig(bank, stages=((10, 0.3, 2.0),))
    with pytest.raises(QuakebenchError, match="exceeds the bank's 64 px fields"):
        PairStream(StreamConfig(bank, crop=128)).item(0)
    with pytest.raises(QuakebenchError, match="stream item 0: no crop of 20 places"):
        PairStream(StreamConfig(bank, crop=64, floor=1.01)).item(0)
