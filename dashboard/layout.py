"""Where to draw each node: a force-directed layout computed once on the server.

networkx's spring_layout needs scipy above 500 nodes; this is the same Fruchterman-Reingold
model in numpy, with an approximation that keeps 10,000 nodes to a few seconds, so that the
browser can show large views at once with physics off (see network_view.py).
"""
from __future__ import annotations

import math
from typing import Any

import networkx as nx
import numpy as np

__all__ = ["layout"]


def layout(G: nx.Graph, seed: int = 42, iterations: int | None = None, spacing: float = 110.0) -> dict[str, tuple[float, float]]:
    """Node positions in pixels, computed once on the server (force-directed, Fruchterman-Reingold).

    Each connected component is laid out on its own and the components are packed side by
    side, largest first. Repulsion is exact up to 800 nodes per component and approximated
    with a grid of cell centroids above that, so 10,000 nodes take a few seconds.
    ``spacing`` is the ideal edge length in pixels.

    Examples
    --------
    >>> pos = layout(nx.path_graph(3))
    >>> sorted(pos)
    [0, 1, 2]
    """
    H = nx.Graph(G)
    if iterations is None:  # big views get fewer, cheaper rounds: they are read zoomed in anyway
        iterations = 60 if H.number_of_nodes() <= 3000 else 40
    rng = np.random.default_rng(seed)
    comps = sorted((sorted(c, key=str) for c in nx.connected_components(H)), key=lambda c: (-len(c), str(c[0])))
    placed: dict[Any, tuple[float, float]] = {}
    boxes = []
    for comp in comps:
        if len(comp) == 1:
            boxes.append((comp, np.zeros((1, 2))))
            continue
        index = {n: i for i, n in enumerate(comp)}
        edges = np.array([(index[u], index[v]) for u, v in H.subgraph(comp).edges()], dtype=np.int64)
        boxes.append((comp, _fruchterman_reingold(len(comp), edges, rng, iterations) * spacing))
    # Shelf packing: rows of components, each row as wide as the biggest component allows.
    row_width = max(800.0, max((np.ptp(p[:, 0]) for _, p in boxes), default=0.0))
    x = y = row_h = 0.0
    gap = spacing
    for comp, pos in boxes:
        pos = pos - pos.min(axis=0)
        w, h = np.ptp(pos[:, 0]), np.ptp(pos[:, 1])
        if x > 0 and x + w > row_width:
            x, y, row_h = 0.0, y + row_h + gap, 0.0
        for n, (px, py) in zip(comp, pos):
            placed[n] = (float(px + x), float(py + y))
        x += w + gap
        row_h = max(row_h, h)
    return placed


def _fruchterman_reingold(n: int, edges: np.ndarray, rng: np.random.Generator, iterations: int) -> np.ndarray:
    """Positions with an ideal edge length of 1."""
    pos = rng.uniform(-1, 1, (n, 2)) * math.sqrt(n)
    t = math.sqrt(n) / 4
    cool = 0.013 ** (1 / max(iterations, 1))  # the temperature ends at about 1/80 of where it starts
    for i in range(iterations):
        disp = _repulsion(pos, i % 3)
        if len(edges):
            d = pos[edges[:, 0]] - pos[edges[:, 1]]
            dist = np.maximum(np.hypot(d[:, 0], d[:, 1]), 1e-6)
            f = d * dist[:, None]  # attraction dist^2 / k with k = 1
            for axis in (0, 1):
                disp[:, axis] -= np.bincount(edges[:, 0], f[:, axis], minlength=n)
                disp[:, axis] += np.bincount(edges[:, 1], f[:, axis], minlength=n)
        disp -= pos * 0.02  # gentle gravity keeps loosely tied parts close
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), 1e-9)
        pos += disp / length[:, None] * np.minimum(length, t)[:, None]
        t = max(t * cool, 0.05)
    return pos


def _pull(pos: np.ndarray, others: np.ndarray, mass: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Weights mass/dist^2 between each row of ``pos`` and each of ``others`` (matrix form)."""
    d2 = (pos ** 2).sum(-1)[..., :, None] + (others ** 2).sum(-1)[..., None, :] - 2 * pos @ np.swapaxes(others, -1, -2)
    w = 1.0 / np.maximum(d2, 1e-4)
    return (w if mass is None else w * mass), d2


def _repulsion(pos: np.ndarray, jitter: int = 0) -> np.ndarray:
    """Repulsion k^2/dist (k = 1) on every node: sum_j w_ij (p_i - p_j) = p_i sum_j w_ij - W p."""
    n = len(pos)
    if n <= 800:
        w, _ = _pull(pos, pos)
        np.fill_diagonal(w, 0.0)
        return pos * w.sum(1)[:, None] - w @ pos
    # Cells of equal head count (x strips, then y within a strip), so dense regions get small
    # cells. Inside a cell repulsion is exact; between cells it acts centroid to centroid.
    # ``jitter`` changes the cell count from one iteration to the next so that cell borders move
    # and no two neighbours stay on opposite sides of a border for long.
    g = max(4, int(math.sqrt(n / 40))) + jitter
    order = np.argsort(pos[:, 0], kind="stable")
    cid = np.empty(n, dtype=np.int64)
    for s, strip in enumerate(np.array_split(order, g)):
        for c, cell in enumerate(np.array_split(strip[np.argsort(pos[strip, 1], kind="stable")], g)):
            cid[cell] = s * g + c
    cells = g * g
    mass = np.bincount(cid, minlength=cells).astype(float)
    cent = np.stack([np.bincount(cid, pos[:, a], minlength=cells) for a in (0, 1)], 1) / np.maximum(mass, 1)[:, None]
    w, _ = _pull(cent, cent, mass[None, :])
    np.fill_diagonal(w, 0.0)
    disp = (cent * w.sum(1)[:, None] - w @ cent)[cid]
    # Near field, batched over cells padded to the same size.
    by_cell = np.argsort(cid, kind="stable")
    size = int(mass.max())
    start = np.concatenate([[0], np.cumsum(mass.astype(np.int64))[:-1]])
    table = np.full((cells, size), -1, dtype=np.int64)
    table[cid[by_cell], np.arange(n) - start[cid[by_cell]]] = by_cell
    valid = table >= 0
    p = np.where(valid[..., None], pos[np.maximum(table, 0)], 0.0)
    ww, _ = _pull(p, p)
    ww *= valid[:, :, None] & valid[:, None, :]
    ww[:, np.arange(size), np.arange(size)] = 0.0
    near = p * ww.sum(2)[..., None] - ww @ p
    disp[table[valid]] += near[valid]
    return disp
