"""End to end: one simulated earthquake, its files, determinism and the data contract."""

from __future__ import annotations

import json

import numpy as np
import pytest

from baselines.generator.earthquake.pixels import map_to_pixel, pixel_centres_m, pixel_to_map_m
from baselines.generator.earthquake.simulate import load_simulation, save_simulation, simulate
from quakebench.errors import QuakebenchError

SIZE = 48


@pytest.fixture(scope="module")
def simulation():
    return simulate(seed=3, size=SIZE)


def test_same_seed_gives_identical_output(simulation):
    again = simulate(seed=3, size=SIZE)
    assert again.displacement_px.tobytes() == simulation.displacement_px.tobytes()
    assert again.rupture_px.tobytes() == simulation.rupture_px.tobytes()
    assert again.scenario == simulation.scenario
    other = simulate(seed=4, size=SIZE)
    assert other.scenario["magnitude"] != simulation.scenario["magnitude"]


def test_output_follows_the_contract(simulation):
    displacement = simulation.displacement_px
    assert displacement.dtype == np.float32 and displacement.shape == (2, SIZE, SIZE)
    assert np.all(np.isfinite(displacement)) and np.abs(displacement).max() > 0
    trace = simulation.rupture_px
    assert trace.ndim == 2 and trace.shape[1] == 2
    # The trace crosses the tile: it starts and ends outside it.
    outside = (trace < -0.5) | (trace > SIZE - 0.5)
    assert outside[0].any() and outside[-1].any()
    scenario = simulation.scenario
    assert scenario["seed"] == 3 and scenario["pixel_size_m"] == 15.0
    assert 6.0 <= scenario["magnitude"] <= 7.8
    assert scenario["realised_magnitude"] == pytest.approx(scenario["magnitude"], abs=1e-9)
    json.dumps(scenario)


def test_save_and_load_round_trip(simulation, tmp_path):
    path = tmp_path / "quake.npz"
    save_simulation(simulation, path)
    displacement, rupture, scenario = load_simulation(path)
    assert np.array_equal(displacement, simulation.displacement_px)
    assert np.array_equal(rupture, simulation.rupture_px)
    assert scenario == json.loads(json.dumps(simulation.scenario))
    assert [p.name for p in tmp_path.iterdir()] == ["quake.npz"]  # no temporary file left


def test_loading_a_bad_file_names_it(tmp_path):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not an archive")
    with pytest.raises(QuakebenchError, match=r"broken\.npz"):
        load_simulation(path)


def test_bad_arguments_are_refused():
    with pytest.raises(QuakebenchError, match="seed"):
        simulate(seed=-1, size=SIZE)
    with pytest.raises(QuakebenchError, match="size"):
        simulate(seed=1, size=4)


def test_pixel_conventions():
    east, north = pixel_centres_m(4, 15.0)
    assert (east[0, 0], north[0, 0]) == (-22.5, 22.5)  # row 0 north, col 0 west
    assert (east[0, 3], north[3, 0]) == (22.5, -22.5)
    xy = map_to_pixel(east.ravel(), north.ravel(), 4, 15.0)
    rows, cols = np.mgrid[0:4, 0:4]
    assert np.allclose(xy, np.column_stack([cols.ravel(), rows.ravel()]))
    assert np.allclose(pixel_to_map_m(xy[:, 0], xy[:, 1], 4, 15.0), (east.ravel(), north.ravel()))
