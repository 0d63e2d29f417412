"""Block-by-block evaluation along strike against a direct evaluation of every element."""

from __future__ import annotations

import numpy as np

from baselines.generator.rupture import build_rupture
from baselines.generator.scenario import sample_scenario
from baselines.generator.strike_blocks import BlockConfig, blockwise_displacement_m
from baselines.generator.tde import KernelStats, surface_displacement_m

PIXEL_M = 15.0


def test_blocks_match_direct_evaluation():
    size = 512
    rupture = build_rupture(sample_scenario(8, size * PIXEL_M / 1e3), size * PIXEL_M)
    frame = rupture.frame
    shallow = rupture.triangles_m[:, :, 2].min(axis=1) > -1500.0
    triangles, slip = rupture.triangles_m[shallow], rupture.slip_tde_m[shallow]
    # Points within 20 px of the mean trace, along the whole tile.
    rng = np.random.default_rng(0)
    s = rng.uniform(-size / 2, size / 2, 3000)
    n = rng.uniform(-20, 20, s.size)

    def to_map(s_px, n_px):
        return frame.to_map(s_px * PIXEL_M, np.zeros_like(s_px), n_px * PIXEL_M)

    vertex_s = frame.to_fault(triangles[..., 0], triangles[..., 1])[0] / PIXEL_M
    extent = np.column_stack([vertex_s.min(axis=1), vertex_s.max(axis=1)])
    stats = KernelStats()
    blocks = blockwise_displacement_m(s, n, to_map, triangles, slip, extent, BlockConfig(), stats)
    points = to_map(s, n)
    direct = surface_displacement_m(points[:, 0], points[:, 1], triangles, slip)
    assert stats.evaluations["shallow_far_grids"] > 0
    assert stats.total_evaluations < 0.5 * s.size * len(triangles)
    assert np.abs(blocks - direct)[:, :2].max() <= 1e-3 * np.abs(direct[:, :2]).max()
