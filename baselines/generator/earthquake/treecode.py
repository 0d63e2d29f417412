"""Field of many triangles at many surface points: a dual-tree treecode over the TDE kernel.

Points and triangles are each sorted into a binary tree of boxes. A box of points ``T`` and a
cluster of triangles ``C`` are *well separated* when ``r_T + r_C <= theta * R`` (radii about
their centres, ``R`` the distance between the centres). The field of ``C`` is then analytic
over ``T``, its nearest singularity at least ``(1/theta - 1) r_T`` from ``T``'s centre, so it
is evaluated only at ``T``'s Chebyshev nodes and interpolated: the error falls geometrically
with the number of nodes per axis at a rate set by ``theta`` and the box's width along that
axis. Boxes are aligned with a given direction (the fault's strike) and bisected across it
until they are twice as long along it, so that a box of samples near the trace is long and thin
and needs few nodes across it. The pairs that are not well
separated are split, the larger side first, down to leaf pairs, evaluated directly; so the
step at the trace, which only nearby triangles make, is always exact.

Node values gathered at a box are passed down to its children's nodes, then to the points
(the downward pass of a fast multipole method, without multipole expansions: the kernel only
has to be evaluated, so any kernel works).

References
----------
.. [1] Fong, W. & Darve, E. (2009). The black-box fast multipole method. J. Comput. Phys.
       228(23), 8712-8725. https://doi.org/10.1016/j.jcp.2009.08.031
.. [2] Berrut, J.-P. & Trefethen, L. N. (2004). Barycentric Lagrange interpolation. SIAM
       Review 46(3), 501-517. https://doi.org/10.1137/S0036144502417715
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from baselines.generator.earthquake.tde import KernelStats

MIN_HALF_WIDTH_M = 0.5
"""Boxes of points in a line get this half-width across it, so that their nodes stay apart."""


@dataclass(frozen=True)
class TreecodeConfig:
    """Accuracy and granularity of the treecode.

    Attributes
    ----------
    theta : float
        Separation criterion ``(r_T + r_C) / R`` below which a pair is interpolated.
    degree : int
        Chebyshev nodes along a box's longer axis; the shorter axis gets as many as give the
        same error bound.
    leaf_points : int
        Most points in a leaf box.
    leaf_triangles : int
        Most triangles in a leaf cluster.
    aspect : float
        A box of points is bisected across the strike while it is less than this many times
        longer along it than across: the field varies faster across the trace than along it,
        and a long, thin box near the trace separates from more of the fault.
    """

    theta: float = 0.575
    degree: int = 6
    leaf_points: int = 64
    leaf_triangles: int = 1
    aspect: float = 2.0


@dataclass(frozen=True)
class _Tree:
    """A binary tree over items sorted so that every node is a contiguous range.

    ``order`` maps sorted positions to the caller's items; node ``k`` holds sorted items
    ``start[k]:end[k]``, has children ``left[k]`` and ``right[k]`` (-1 for a leaf), a centre,
    a radius and (for point boxes) the box's corners ``lo`` and ``hi``.
    """

    order: np.ndarray
    start: np.ndarray
    end: np.ndarray
    left: np.ndarray
    right: np.ndarray
    centre: np.ndarray
    radius: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def _build_tree(keys: np.ndarray, extent_lo: np.ndarray, extent_hi: np.ndarray, leaf: int) -> _Tree:
    """Bisect items at the median of ``keys [N, D]`` along the widest axis, down to ``leaf``.

    ``extent_lo`` and ``extent_hi`` (``[N, D]``) bound each item; a node's box bounds its items'.
    Scaling an axis of ``keys`` (and not the extents) makes boxes proportionally thinner along it.
    """
    order = np.arange(len(keys))
    nodes: list[list] = []  # [start, end, left, right]
    stack = [(0, len(keys), -1, 0)]  # (start, end, parent, which child)
    while stack:
        start, end, parent, child = stack.pop()
        index = len(nodes)
        nodes.append([start, end, -1, -1])
        if parent >= 0:
            nodes[parent][2 + child] = index
        if end - start <= leaf:
            continue
        members = order[start:end]
        span = keys[members].max(axis=0) - keys[members].min(axis=0)
        axis = int(np.argmax(span))
        members = members[np.argsort(keys[members, axis], kind="stable")]
        order[start:end] = members
        middle = (start + end) // 2
        stack.append((middle, end, index, 1))
        stack.append((start, middle, index, 0))
    start, end, left, right = (np.array(column) for column in zip(*nodes, strict=True))
    # Each node's extent, reduced over its range of sorted items: [start, end) pairs interleaved
    # for reduceat, the odd (between-range) reductions dropped; a row past the end pads it.
    bounds = np.column_stack([start, end]).ravel()
    lo = np.minimum.reduceat(np.vstack([extent_lo[order], extent_lo[:1]]), bounds)[::2]
    hi = np.maximum.reduceat(np.vstack([extent_hi[order], extent_hi[:1]]), bounds)[::2]
    centre = (lo + hi) / 2
    radius = np.linalg.norm(hi - lo, axis=1) / 2
    return _Tree(order, start, end, left, right, centre, radius, lo, hi)


def barycentric_matrix(x: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """``[M, p]`` Lagrange interpolation weights at ``x [M]`` from Chebyshev ``nodes [p]``.

    Barycentric form with first-kind weights ``(-1)^k sin((2k+1) pi / 2p)`` (the nodes must be
    :func:`_box_nodes`'); a point on a node takes that node's value.
    """
    p = nodes.size
    weights = (-1.0) ** np.arange(p) * np.sin((2 * np.arange(p) + 1) * np.pi / (2 * p))
    difference = x[:, None] - nodes[None, :]
    on_node = difference == 0.0
    terms = weights / np.where(on_node, 1.0, difference)
    terms = np.where(on_node.any(axis=1, keepdims=True), on_node.astype(float), terms)
    return terms / terms.sum(axis=1, keepdims=True)


def axis_degrees(
    half_widths: np.ndarray, radius: np.ndarray, counts: np.ndarray, config: TreecodeConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Chebyshev nodes per axis ``[K, 2]`` of boxes, and the ellipse each axis needs.

    Interpolating with ``p`` nodes a function analytic inside the Bernstein ellipse of
    parameter ``rho`` errs like ``rho^-p``. The bound to meet is that of ``degree`` nodes for
    an in-plane singularity at ``radius / theta`` from a leaf-sized box. A box with more points
    than a leaf affords one more node along its longer axis per doubling (so that big boxes
    accept deep and distant clusters); a thin axis needs fewer nodes for the same bound.
    Returns the degrees and, per axis, the smallest ``rho`` that meets the bound.
    """
    inverse = 1.0 / config.theta
    log_bound = config.degree * math.log(inverse + math.sqrt(inverse * inverse - 1.0))
    degrees = np.empty(half_widths.shape, dtype=int)
    min_rho = np.empty(half_widths.shape)
    for k, (widths, r, count) in enumerate(
        zip(half_widths.tolist(), radius.tolist(), counts.tolist(), strict=True)
    ):
        longest = config.degree + max(int(math.log2(count / config.leaf_points)), 0)
        rho = math.exp(log_bound / longest)
        reach = r * (rho + 1 / rho) / 2  # where `longest` nodes along `r` meet the bound
        for axis, width in enumerate(widths):
            ratio = max(reach / width, 1.0 + 1e-12)
            rate = math.log(ratio + math.sqrt(ratio * ratio - 1.0))
            degrees[k, axis] = min(max(math.ceil(log_bound / rate), 1), longest)
            min_rho[k, axis] = math.exp(log_bound / degrees[k, axis])
    return degrees, min_rho


def half_widths(tree: _Tree) -> np.ndarray:
    """``[K, 2]`` half-widths of the boxes of points, a box in a line padded across it."""
    return np.maximum((tree.hi - tree.lo) / 2, MIN_HALF_WIDTH_M)


def _box_nodes(
    tree: _Tree, half: np.ndarray, degrees: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every box's Chebyshev nodes along its two axes (``half``: :func:`half_widths`)."""
    nodes = []
    for centre, widths, counts in zip(tree.centre, half, degrees, strict=True):
        angles = [(2 * np.arange(count) + 1) * np.pi / (2 * count) for count in counts]
        nodes.append(
            (
                centre[0] + widths[0] * np.cos(angles[0]),
                centre[1] + widths[1] * np.cos(angles[1]),
            )
        )
    return nodes


def _node_grid(nodes: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``(u, v)`` of a box's tensor grid of nodes, flat, ``u`` varying slowest."""
    u, v = nodes
    return np.repeat(u, v.size), np.tile(v, u.size)


def _interpolate(
    values: np.ndarray, nodes: tuple[np.ndarray, np.ndarray], u: np.ndarray, v: np.ndarray
) -> np.ndarray:
    """Tensor-product interpolation of node values ``[p, q, 3]`` to points, ``[M, 3]``."""
    return np.einsum(
        "mi,mj,ijc->mc", barycentric_matrix(u, nodes[0]), barycentric_matrix(v, nodes[1]), values
    )


def bernstein_rho(real: np.ndarray, imaginary: np.ndarray) -> np.ndarray:
    """Parameter of the Bernstein ellipse (foci -1, 1) through ``real + i imaginary``.

    Chebyshev interpolation on ``[-1, 1]`` of a function analytic inside that ellipse errs
    like ``rho^-p``. Written with square roots only, so that it rounds alike everywhere.
    """
    square = imaginary * imaginary
    semi_major = (np.sqrt((real - 1) ** 2 + square) + np.sqrt((real + 1) ** 2 + square)) / 2
    return semi_major + np.sqrt(semi_major**2 - 1)


def _separated(
    points: _Tree,
    clusters: _Tree,
    half_all: np.ndarray,
    t: np.ndarray,
    c: np.ndarray,
    min_rho: np.ndarray,
) -> np.ndarray:
    """Whether each cluster's field is smooth enough over its box for the box's nodes.

    Along each axis of the box, the field of a triangle at depth ``z`` and across-axis offset
    ``y`` is singular at complex positions ``x +- i sqrt(z^2 + y^2)``; the cluster's ball
    (centre, radius) bounds them. The pair is separated when the Bernstein ellipse through the
    nearest of them is wide enough for the box's nodes along both axes.
    """
    half = half_all[t]
    offset = np.abs(clusters.centre[c, :2] - points.centre[t])
    radius = clusters.radius[c][:, None]
    depth = np.maximum(-clusters.centre[c, 2] - clusters.radius[c], 0.0)
    along = np.maximum(offset - radius, 0.0)
    across = np.maximum(offset - half - radius, 0.0)[:, ::-1]
    rho = bernstein_rho(along / half, np.sqrt(depth[:, None] ** 2 + across**2) / half)
    return np.all(rho >= min_rho[t], axis=1)


def _pairs(
    points: _Tree,
    clusters: _Tree,
    half: np.ndarray,
    node_count: np.ndarray,
    min_rho: np.ndarray,
) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
    """Dual traversal, a generation of pairs at a time: clusters to interpolate and to evaluate
    directly, each as ``{point box: cluster indices}``."""
    t, c = np.zeros(1, dtype=int), np.zeros(1, dtype=int)
    far, near = [], []
    while t.size:
        separated = _separated(points, clusters, half, t, c, min_rho)
        # Interpolating costs an evaluation per node: a box with fewer points is cheaper direct.
        large = points.end[t] - points.start[t] > node_count[t]
        t_leaf, c_leaf = points.left[t] < 0, clusters.left[c] < 0
        far.append((t[separated & large], c[separated & large]))
        direct = (separated & ~large) | (~separated & t_leaf & c_leaf)
        near.append((t[direct], c[direct]))
        rest = ~separated & ~(t_leaf & c_leaf)
        t, c, t_leaf = t[rest], c[rest], t_leaf[rest]
        split_t = ~t_leaf & ((clusters.left[c] < 0) | (points.radius[t] >= clusters.radius[c]))
        t = np.concatenate(
            [points.left[t[split_t]], points.right[t[split_t]], t[~split_t], t[~split_t]]
        )
        c = np.concatenate(
            [c[split_t], c[split_t], clusters.left[c[~split_t]], clusters.right[c[~split_t]]]
        )
    return _group(far), _group(near)


def _group(pairs: list[tuple[np.ndarray, np.ndarray]]) -> dict[int, np.ndarray]:
    """``(boxes, clusters)`` pairs gathered as ``{box: clusters}``, boxes in increasing order."""
    t = np.concatenate([pair[0] for pair in pairs])
    c = np.concatenate([pair[1] for pair in pairs])
    if t.size == 0:
        return {}
    order = np.lexsort((c, t))
    t, c = t[order], c[order]
    boxes, starts = np.unique(t, return_index=True)
    return dict(zip(boxes.tolist(), np.split(c, starts[1:]), strict=True))


def treecode_displacement_m(
    east_m: np.ndarray,
    north_m: np.ndarray,
    triangles_m: np.ndarray,
    slip_tde_m: np.ndarray,
    stats: KernelStats,
    part: str,
    config: TreecodeConfig | None = None,
    along: tuple[float, float] = (1.0, 0.0),
) -> np.ndarray:
    """Displacement ``[N, 3]`` (east, north, up; metres) of the triangles at surface points.

    Parameters
    ----------
    east_m, north_m : numpy.ndarray
        ``[N]`` surface points, metres.
    triangles_m, slip_tde_m : numpy.ndarray
        ``[T, 3, 3]`` triangles and ``[T, 3]`` their slip in cutde's components.
    stats : KernelStats
        Counts evaluations as ``{part}_direct`` and ``{part}_nodes``.
    part : str
        Name of this part of the field in ``stats``.
    config : TreecodeConfig, optional
    along : (float, float)
        Unit vector (east, north) the boxes of points are aligned with.

    Returns
    -------
    numpy.ndarray
        What :func:`~baselines.generator.earthquake.tde.surface_displacement_m` gives, to the
        interpolation's accuracy for well-separated pairs.
    """
    config = config or TreecodeConfig()
    east = np.asarray(east_m, dtype=float).ravel()
    north = np.asarray(north_m, dtype=float).ravel()
    out = np.zeros((east.size, 3))
    if east.size == 0 or len(triangles_m) == 0:
        return out
    cos, sin = along

    def to_box_frame(e: np.ndarray, n: np.ndarray) -> np.ndarray:
        return np.stack([cos * e + sin * n, cos * n - sin * e], axis=-1)

    def to_map(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return cos * u - sin * v, sin * u + cos * v

    uv = to_box_frame(east, north)
    points = _build_tree(uv * np.array([1.0, config.aspect]), uv, uv, config.leaf_points)
    centres = triangles_m.mean(axis=1)
    centres[:, :2] = to_box_frame(centres[:, 0], centres[:, 1])
    corners = triangles_m.copy()
    corners[..., :2] = to_box_frame(triangles_m[..., 0], triangles_m[..., 1])
    clusters = _build_tree(centres, corners.min(axis=1), corners.max(axis=1), config.leaf_triangles)
    half = half_widths(points)
    degrees, min_rho = axis_degrees(half, points.radius, points.end - points.start, config)
    far, near = _pairs(points, clusters, half, degrees.prod(axis=1), min_rho)

    def members(chosen_clusters: np.ndarray) -> np.ndarray:
        return np.concatenate(
            [clusters.order[clusters.start[c] : clusters.end[c]] for c in chosen_clusters]
        )

    sorted_east, sorted_north = east[points.order], north[points.order]
    sorted_uv = uv[points.order]
    sorted_out = np.zeros_like(out)
    for t, chosen_clusters in near.items():
        span = slice(points.start[t], points.end[t])
        chosen = members(chosen_clusters)
        sorted_out[span] += stats.evaluate(
            f"{part}_direct", sorted_east[span], sorted_north[span],
            triangles_m[chosen], slip_tde_m[chosen],
        )  # fmt: skip

    # Far values at each box's nodes, passed down the tree (a parent's index is below its
    # children's) to the children's nodes and, at the leaves, to the points.
    nodes = _box_nodes(points, half, degrees)
    node_values: dict[int, np.ndarray] = {}
    for t, chosen_clusters in far.items():
        chosen = members(chosen_clusters)
        node_values[t] = stats.evaluate(
            f"{part}_nodes", *to_map(*_node_grid(nodes[t])),
            triangles_m[chosen], slip_tde_m[chosen],
        ).reshape(*degrees[t], 3)  # fmt: skip
    for t in range(len(points.start)):
        if t not in node_values:
            continue
        values = node_values.pop(t)
        if points.left[t] < 0:
            span = slice(points.start[t], points.end[t])
            sorted_out[span] += _interpolate(values, nodes[t], *sorted_uv[span].T)
            continue
        for child in (points.left[t], points.right[t]):
            passed = _interpolate(values, nodes[t], *_node_grid(nodes[child]))
            node_values[child] = node_values.get(child, 0.0) + passed.reshape(*degrees[child], 3)
    out[points.order] = sorted_out
    return out
