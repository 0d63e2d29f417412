"""The networks: published parameter counts, shapes, gradients, loss, augmentation, training."""

from __future__ import annotations

import csv
import dataclasses
import socket

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from baselines.models.config import TrainConfig  # noqa: E402
from baselines.models.loss import (  # noqa: E402
    SCALE_WEIGHTS,
    absolute_error_sums,
    coarse_weights,
    multiscale_loss,
    near_fault_mask,
)
from baselines.models.predict import predict_batch, predict_displacement  # noqa: E402
from baselines.models.registry import get_model  # noqa: E402
from baselines.models.train import network_batch, train, training_samples  # noqa: E402
from quakebench.config import DatasetConfig  # noqa: E402
from quakebench.data.reader import iter_samples  # noqa: E402
from quakebench.data.transforms import augment, flip_displacement, rotate_displacement  # noqa: E402
from tests.protocols.fit import overfit_batch  # noqa: E402

# Published sizes (millions of parameters, two single-channel images as input): FlowNetS and
# StrainNet-f 38.66 (FlowNetS is 38.68 on two RGB images); the seed paper's FlowNetSD "about 38".
PUBLISHED_M = {"flownets": 38.66, "strainnet": 38.66, "flownetsd": 38.0}


@pytest.mark.parametrize("name", sorted(PUBLISHED_M))
def test_parameter_counts_match_published(name):
    count = sum(p.numel() for p in get_model(name).parameters()) / 1e6
    assert count == pytest.approx(PUBLISHED_M[name], rel=0.01)


def test_flownets_on_rgb_pairs_matches_the_original():
    from baselines.models.flownet import flownets

    assert sum(p.numel() for p in flownets(6).parameters()) / 1e6 == pytest.approx(38.68, rel=1e-3)


@pytest.mark.parametrize("name", sorted(PUBLISHED_M))
def test_shapes_and_gradients(name):
    model = get_model(name)
    x = torch.randn(2, 2, 64, 128)
    model.eval()
    with torch.no_grad():
        assert model(x).shape == (2, 2, 64, 128)
    model.train()
    flows = model(x)
    finest = 1 if name == "flownets" else 4  # 1/4 resolution for FlowNetS, full for others
    assert flows[0].shape[-2:] == (64 * finest // 4, 128 * finest // 4)
    assert [f.shape[-1] for f in flows] == [flows[0].shape[-1] // 2**i for i in range(5)]
    multiscale_loss(flows, torch.randn(2, 2, 64, 128)).backward()
    for parameter in model.parameters():
        assert parameter.grad is not None and torch.isfinite(parameter.grad).all()
        assert parameter.grad.abs().sum() > 0


def test_loss_by_hand():
    target = torch.zeros(1, 2, 4, 4)
    target[0, 0, :, :2] = 1.0  # east 1 px on the left half, 0 on the right
    flows = [
        torch.zeros(1, 2, 4, 4),
        torch.zeros(1, 2, 2, 2),
        torch.zeros(1, 2, 1, 1),
        torch.zeros(1, 2, 1, 1),
        torch.zeros(1, 2, 1, 1),
    ]
    flows[1][0, 1] = 1.0  # north 1 px everywhere at the second scale
    # Scale 0: EPE 1 on half the pixels -> 0.5. Scale 1: target (1, 0) left / (0, 0) right,
    # prediction (0, 1): EPE sqrt(2) and 1 -> (sqrt(2) + 1) / 2. Coarser: target 0.5 -> 0.5.
    expected = (
        SCALE_WEIGHTS[0] * 0.5
        + SCALE_WEIGHTS[1] * (np.sqrt(2) + 1) / 2
        + sum(SCALE_WEIGHTS[2:]) * 0.5
    )
    assert float(multiscale_loss(flows, target)) == pytest.approx(expected, rel=1e-6)
    valid = torch.ones(1, 1, 4, 4)
    valid[..., :2] = 0  # only the right half counts at full resolution
    assert float(multiscale_loss(flows[:1], target, valid, (1.0,))) == 0.0


def test_coarse_weights_keep_half_valid_pixels_and_average_weights():
    valid = torch.tensor([[1.0, 1.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0]])[None, None]
    # 0/1 masks: a coarse pixel counts where half its pixels are valid (as before weights)
    np.testing.assert_array_equal(coarse_weights(valid, (1, 2))[0, 0], [[1.0, 0.0]])
    weighted = valid * torch.tensor([[5.0, 1.0, 9.0, 9.0], [3.0, 9.0, 9.0, 9.0]])
    np.testing.assert_array_equal(coarse_weights(weighted, (1, 2))[0, 0], [[3.0, 0.0]])


def test_the_near_fault_mask_is_the_band_where_the_field_shears():
    """A 3 px fault zone (a linear ramp of 0.1 px across rows 30-32) on a gentle far field:
    the central differences see it on rows 29-33, and the mask adds 2 px each side, the whole
    width."""
    rows = torch.arange(64.0)[:, None].expand(64, 64)
    east = 0.05 * torch.clamp((rows - 31) / 1.5, -1, 1) + 1e-4 * rows
    target = torch.stack([east, torch.zeros_like(east)])[None]
    marked = near_fault_mask(target)[0, 0]
    assert marked[:, 0].nonzero().flatten().tolist() == list(range(27, 36))
    assert bool((marked == marked[:, :1]).all())


def test_augmentation_keeps_the_warping_relation():
    """post(q) = pre(q - u(q)) must hold after any quarter turn and flip."""
    from scipy import ndimage as ndi

    rng = np.random.default_rng(0)
    pre = ndi.gaussian_filter(rng.random((48, 48)), 3)
    u = np.stack([np.full((48, 48), 0.7), np.full((48, 48), -1.2)])
    rows, cols = np.mgrid[0:48, 0:48].astype(float)
    post = ndi.map_coordinates(pre, [rows + u[1], cols - u[0]], order=5, mode="wrap")
    for seed in range(8):
        images, disp, _ = augment(
            np.stack([pre, post]), u, np.ones((48, 48)), np.random.default_rng(seed), crop=32
        )
        a, b = images
        r, c = np.mgrid[0:32, 0:32].astype(float)
        expected = ndi.map_coordinates(a, [r + disp[1], c - disp[0]], order=5, mode="nearest")
        assert np.abs(b - expected)[6:-6, 6:-6].max() < 1e-3 * np.abs(b).max()
    assert np.allclose(rotate_displacement(u, 4), u)
    assert np.allclose(flip_displacement(flip_displacement(u)), u)


def test_get_model_errors(tmp_path):
    with pytest.raises(ValueError, match="choose one of"):
        get_model("pwcnet")
    torch.save(
        {"model": "flownets", "weights": get_model("flownets").state_dict()}, tmp_path / "f.pt"
    )
    with pytest.raises(ValueError, match="checkpoint of 'flownets'"):
        get_model("strainnet", tmp_path / "f.pt")


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory):
    """Four training samples and one for validation: the DDP test needs one global batch."""
    from baselines.generator.samples.source import build_with_generator
    from quakebench.config import BuildConfig

    folder = tmp_path_factory.mktemp("tiny")
    build_with_generator(
        BuildConfig("prewarped", 5, output=folder, size=64, seed=2, samples_per_shard=5, workers=1),
        progress=False,
    )
    return folder


def tiny_config(dataset, output) -> TrainConfig:
    """One CPU epoch of FlowNetS on 64 px crops."""
    return TrainConfig(
        "flownets",
        DatasetConfig(str(dataset)),
        output,
        crop=64,
        batch_size=2,
        epochs=1,
        device="cpu",
    )


@pytest.mark.slow
@pytest.mark.parametrize("name, size", [("flownets", 64), ("strainnet", 32), ("flownetsd", 32)])
def test_each_model_overfits_a_few_samples(name, size, tiny_dataset):
    """Three training samples (32 px crops for the full-resolution networks, 10x costlier per
    pixel) are fitted to a mean absolute error below 0.02 px within 200 steps."""
    samples = training_samples(tiny_dataset, "train", None, 0)
    batch = torch.utils.data.default_collate([samples[i] for i in range(3)])
    images, target, valid = (t[..., :size, :size] for t in network_batch(batch, "cpu"))
    zero_total, zero_count = absolute_error_sums(torch.zeros_like(target), target, valid)
    assert zero_total / zero_count > 0.035  # so that 0.02 px takes a fit, not a zero output
    torch.manual_seed(0)
    maes_px = []
    for state in overfit_batch(get_model(name), (images, target, valid), steps=200, every=25):
        maes_px.append(round(state.mae_px, 4))
        if state.mae_px < 0.02:
            break
    assert maes_px[-1] < 0.02, f"MAE every 25 steps: {maes_px}"


def test_translated_pairs():
    from tests.protocols.translations import translated_pair

    rng = np.random.default_rng(0)
    texture = 1 + rng.random((200, 200))
    images, displacement, valid = translated_pair(texture, 64, 2.0, rng)
    assert images.shape == displacement.shape == (2, 64, 64) and valid.all()
    assert np.ptp(displacement, axis=(1, 2)).max() == 0 and np.abs(displacement).max() <= 2.0
    with pytest.raises(ValueError, match="without no-data"):
        translated_pair(np.zeros((100, 100)), 64, 2.0, rng)


@pytest.mark.slow
def test_flownets_beats_zero_on_translations_of_unseen_texture():
    """A short CPU run (400 steps of 8 pairs) learns uniform shifts of up to 2 px of real
    Landsat-8 texture well enough to beat the zero prediction on crops from another part of
    the scene: the training path generalises. (Earthquake fields of ~0.05 px are not learnt
    in a short CPU run; the documentation, "Baselines and training".)"""
    from tests.protocols.translations import learn_translations

    torch.manual_seed(0)
    progress = learn_translations(get_model("flownets"), 2.0, steps=400, every=100)
    ratios = [round(state.mae_px / zero_mae_px, 3) for state, zero_mae_px in progress]
    assert ratios[-1] < 0.85, f"held-out MAE / zero's MAE every 100 steps: {ratios}"


@pytest.mark.slow
def test_training_checkpoints_resumes_and_predicts(tiny_dataset, tmp_path):
    from quakebench.cli import main

    config = tiny_config(tiny_dataset, tmp_path / "run")
    rows = train(config, progress=False)
    assert len(rows) == 1 and np.isfinite(rows[0]["validation_mae_px"])
    resumed = train(TrainConfig(**{**config.__dict__, "epochs": 2}), progress=False)
    assert [r["epoch"] for r in resumed] == [2]
    with open(tmp_path / "run" / "log.csv") as handle:
        assert [int(r["epoch"]) for r in csv.DictReader(handle)] == [1, 2]
    status = main(
        [
            "predict",
            "--model",
            "flownets",
            "--checkpoint",
            str(tmp_path / "run" / "best.pt"),
            "--dataset",
            str(tiny_dataset),
            "--output",
            str(tmp_path / "p.npz"),
        ]
    )
    assert status == 0
    assert main(["evaluate", str(tmp_path / "p.npz"), "--dataset", str(tiny_dataset)]) == 0


def test_the_near_fault_weight_enters_the_training_loss(tiny_dataset, tmp_path, monkeypatch):
    """The same epoch with --near-fault-weight 4 logs another loss; with the mask emptied it
    logs the unweighted one again, so the weight acts through the mask."""
    import baselines.models.train as training

    def loss_of(weight: float, name: str) -> float:
        config = dataclasses.replace(
            tiny_config(tiny_dataset, tmp_path / name), near_fault_weight=weight
        )
        return train(config, progress=False)[0]["train_loss"]

    plain = loss_of(0.0, "plain")
    assert loss_of(4.0, "weighted") != pytest.approx(plain, rel=1e-6)
    monkeypatch.setattr(training, "near_fault_mask", lambda target: torch.zeros_like(target[:, :1]))
    assert loss_of(4.0, "emptied") == pytest.approx(plain, rel=1e-6)


def test_training_rejects_bad_options(prewarped_build, tmp_path, capsys):
    from quakebench.cli import main

    for crop, message in ((100, "positive multiple of 64 px"), (128, "exceeds its 64 px tiles")):
        command = ["train", "--model", "flownets", "--dataset", str(prewarped_build)]
        assert main([*command, "--output", str(tmp_path / "run"), "--crop", str(crop)]) == 2
        assert message in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
    with pytest.raises(ValueError, match="choose one of"):
        TrainConfig("pwcnet", DatasetConfig(str(prewarped_build)), tmp_path / "run")
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        TrainConfig("flownets", DatasetConfig(str(prewarped_build)), tmp_path / "run", batch_size=0)


def test_prediction_pads_pairs_of_any_size():
    model = get_model("flownets").eval()
    images = torch.randn(1, 2, 80, 100)
    with torch.no_grad():
        out = predict_batch(model, images)
        assert out.shape == (1, 2, 80, 100)
        padded = torch.nn.functional.pad(images, (0, 28, 0, 48), mode="reflect")
        assert torch.equal(out, model(padded)[..., :80, :100])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ddp_worker(rank: int, world: int, port: int, config: TrainConfig) -> None:
    import os

    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        RANK=str(rank),
        WORLD_SIZE=str(world),
        LOCAL_RANK=str(rank),
    )
    torch.set_num_threads(1)
    torch.manual_seed(config.seed)
    model = get_model(config.model)
    train(config, progress=False, model=model)
    torch.save(model.state_dict(), config.output / f"weights-rank{rank}.pt")
    torch.distributed.destroy_process_group()


@pytest.mark.slow
def test_two_process_ddp_on_cpu(tiny_dataset, tmp_path):
    """Two processes of 2 samples each take the same step as one process over the same 4
    samples (one global batch), and end with identical weights."""
    split = training_samples(tiny_dataset, "train", None, 0).split
    assert all(s["valid"].all() for s in iter_samples(split))
    # Without the still pair's subtraction: f(pre, post) - f(pre, pre) cancels most of the
    # gradient, and AdamW's first step, lr x sign(gradient), then follows rounding noise.
    config = dataclasses.replace(tiny_config(tiny_dataset, tmp_path / "ddp"), zero_motion="none")
    torch.multiprocessing.spawn(_ddp_worker, args=(2, _free_port(), config), nprocs=2)
    with open(tmp_path / "ddp" / "log.csv") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["world_size"] == "2" and np.isfinite(float(row["train_loss"]))
    ranks = [torch.load(tmp_path / "ddp" / f"weights-rank{r}.pt") for r in range(2)]
    assert all(torch.equal(ranks[0][k], ranks[1][k]) for k in ranks[0])

    single = TrainConfig(**{**config.__dict__, "output": tmp_path / "single", "batch_size": 4})
    torch.manual_seed(single.seed)
    model = get_model(single.model)
    train(single, progress=False, model=model)
    # One AdamW step moves each weight by about lr x sign(gradient): the runs agree to float32
    # rounding except where a gradient is within rounding of 0 (its sign may then differ).
    differences = torch.cat([(model.state_dict()[k] - ranks[0][k]).abs().ravel() for k in ranks[0]])
    assert float(differences.max()) <= 2.5 * config.learning_rate
    assert float((differences > 1e-6).float().mean()) < 1e-3


class _Gradient(torch.nn.Module):
    """The gradient of post - pre as (east, north): a model that turns with its grid."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        difference = torch.nn.functional.pad(images[:, 1:] - images[:, :1], (1, 1, 1, 1))
        east = (difference[..., 1:-1, 2:] - difference[..., 1:-1, :-2]) / 2
        south = (difference[..., 2:, 1:-1] - difference[..., :-2, 1:-1]) / 2
        return torch.cat([east, -south], dim=1)


def test_symmetry_averaging_turns_each_prediction_back():
    """An equivariant model's prediction is unchanged by averaging over the 8 symmetries (a
    prediction turned back the wrong way would not be), and a biased one loses its bias."""
    rng = np.random.default_rng(5)
    pre, post = rng.normal(100, 10, (2, 64, 64)).astype(np.float32)
    model = _Gradient().eval()
    once = predict_displacement(model, pre, post, "cpu")
    averaged = predict_displacement(model, pre, post, "cpu", symmetries=8)
    np.testing.assert_allclose(averaged, once, rtol=1e-4, atol=1e-6)

    class Eastward(torch.nn.Module):  # 1 px east whatever the pair: no symmetry at all
        def forward(self, images: torch.Tensor) -> torch.Tensor:
            return torch.stack([torch.ones_like(images[:, 0]), torch.zeros_like(images[:, 0])], 1)

    biased = predict_displacement(Eastward(), pre, post, "cpu", symmetries=8)
    np.testing.assert_allclose(biased, 0.0, atol=1e-7)
