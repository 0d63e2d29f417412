"""The correlator refiner: it starts as the correlator, reads only the pair, and learns what
the correlator and Lucas-Kanade miss."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from baselines.correlator.config import CorrelatorConfig  # noqa: E402
from baselines.imagery.correlate import correlate  # noqa: E402
from baselines.imagery.scenes import bundled_catalog  # noqa: E402
from baselines.models import refiner as refiner_module  # noqa: E402
from baselines.models.config import NetworkConfig  # noqa: E402
from baselines.models.loss import absolute_error_sums  # noqa: E402
from baselines.models.predict import network_predictor  # noqa: E402
from baselines.models.registry import get_model  # noqa: E402
from baselines.models.train import network_batch, training_samples  # noqa: E402
from quakebench.data.reader import iter_samples, load_split  # noqa: E402
from quakebench.data.transforms import normalise_pair  # noqa: E402
from tests.protocols.fit import overfit_batch  # noqa: E402


@pytest.fixture(scope="module")
def glacier() -> torch.Tensor:
    """Yahtse's glacier and bedrock, 128 px, as a normalised pair ``[1, 2, H, W]``."""
    _, pairs = bundled_catalog()
    (pair,) = (p for p in pairs if p.pre.place == "yahtse")
    crop = (slice(220, 348), slice(400, 528))
    return torch.from_numpy(normalise_pair(pair.pre.image[crop], pair.post.image[crop]))[None]


def test_the_refiner_is_small_and_gives_the_shapes_it_reads(tmp_path):
    model = get_model("refiner")
    torch.save({"model": "refiner", "weights": model.state_dict()}, tmp_path / "r.pt")
    assert (tmp_path / "r.pt").stat().st_size < 0.4e6  # weights: at most 20 MB, these 0.2 MB
    model.train()
    (field,) = model(torch.randn(2, 2, 64, 96))
    assert field.shape == (2, 2, 64, 96)
    field.abs().mean().backward()
    assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in model.parameters())


def test_an_untrained_refiner_is_the_correlator(glacier):
    with torch.no_grad():
        refined = get_model("refiner").eval()(glacier)[0].numpy()
    expected, _ = correlate(glacier[0, 0].numpy(), glacier[0, 1].numpy(), CorrelatorConfig())
    assert np.abs(expected).max() > 1.0  # the glacier moves
    np.testing.assert_array_equal(refined, expected)


def test_the_refiner_reads_only_the_pair(prewarped_build, tmp_path):
    """Its prediction of a sample is unchanged when every field but ``pre`` and ``post`` is
    removed (with a correction that is not zero, so the network's path is exercised)."""
    torch.manual_seed(0)
    model = get_model("refiner")
    torch.nn.init.normal_(model.head.weight, std=0.01)
    checkpoint = tmp_path / "refiner.pt"
    torch.save({"model": "refiner", "weights": model.state_dict()}, checkpoint)
    predict = network_predictor(NetworkConfig("refiner", checkpoint, device="cpu"))
    sample = next(iter_samples(load_split(prewarped_build, "test")))
    assert set(sample) > {"pre", "post"}
    full = predict(sample)
    only_the_pair = predict({"pre": sample["pre"].copy(), "post": sample["post"].copy()})
    correlator, _ = correlate(sample["pre"], sample["post"], CorrelatorConfig())
    np.testing.assert_array_equal(full, only_the_pair)
    assert np.abs(full - correlator).max() > 1e-3


def test_the_refiner_is_linear_in_the_displacement(monkeypatch):
    """With the features of a pair ten times larger (the correlator's and Lucas-Kanade's fields
    times 10, SNR and texture alike), the estimate is ten times larger: the network reads the
    fields in units of their RMS, so it learns one amplitude for all."""
    torch.manual_seed(0)
    model = get_model("refiner").eval()
    for layer in (model.stem, *model.blocks, model.head):
        torch.nn.init.normal_(layer.weight, std=0.05)
    generator = torch.Generator().manual_seed(1)
    field = 0.02 * torch.randn(1, 2, 32, 32, generator=generator)
    refined = field.repeat(1, 2, 1, 1) + 0.005 * torch.randn(1, 4, 32, 32, generator=generator)
    maps = torch.randn(1, 2, 32, 32, generator=generator)
    estimates = []
    for factor in (1.0, 10.0):
        features = (factor * field, factor * refined, maps)
        monkeypatch.setattr(refiner_module, "pair_features", lambda images, f=features: f)
        with torch.no_grad():
            estimates.append(model(torch.zeros(1, 2, 32, 32)))
    assert float((estimates[0] - field).abs().max()) > 1e-3  # the network changes the field
    torch.testing.assert_close(estimates[1], 10 * estimates[0], rtol=1e-4, atol=1e-6)


@pytest.mark.slow
def test_the_refiner_overfits_what_the_correlator_misses(prewarped_build):
    """On three training samples its error falls by at least a quarter from the correlator's
    (its start) within 150 steps: the correction is learnable through the loss and the warp."""
    samples = training_samples(prewarped_build, "train", None, 0)
    batch = torch.utils.data.default_collate([samples[i] for i in range(3)])
    images, target, valid = network_batch(batch, "cpu")
    torch.manual_seed(0)
    model = get_model("refiner")
    with torch.no_grad():
        total, count = absolute_error_sums(model.eval()(images), target, valid)
    maes_px = [total / count]
    fit = overfit_batch(model, (images, target, valid), 150, learning_rate=1e-3, every=50)
    maes_px += [state.mae_px for state in fit]
    assert maes_px[-1] <= 0.75 * maes_px[0], f"MAE at the start, then every 50 steps: {maes_px}"
