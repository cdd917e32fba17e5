"""Random draws in fixed blocks of paths, so results do not depend on how paths are chunked.

Paths are numbered 0 .. n-1 and grouped into blocks of `BLOCK_PATHS`. Block `b` draws from its
own `numpy.random.Generator` seeded with `SeedSequence(seed, spawn_key=(b,))` (the same stream as
`SeedSequence(seed).spawn(b + 1)[b]`), always in the same order and shapes. A chunk is a run of
whole blocks, so any chunk size that is a multiple of `BLOCK_PATHS` gives identical paths.

The draws are standard normals and uniforms only; parameters turn them into model quantities
afterwards. Scenarios therefore share their random numbers (common random numbers): base, bull
and bear differ by their parameters, not by sampling noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assets.simulation.buffers import Buffers

BLOCK_PATHS = 8192


@dataclass(frozen=True)
class Draws:
    """Standard draws for a run of `n` paths; step draws are month-major (step, path)."""

    ceiling: np.ndarray  # (n,) standard normal: user ceiling
    delay: np.ndarray    # (n,) uniform [0, 1): deployment delay
    loi: np.ndarray      # (n,) uniform [0, 1): NVIDIA LOI switched on
    revenue_per_gw: np.ndarray  # (n,) standard normal: revenue per GW around its reported level
    arpu: np.ndarray     # (n_arpu_steps, n) standard normal: ARPU random walk
    amd: np.ndarray      # (n_amd_steps, n) standard normal: AMD log returns

    @property
    def n_paths(self) -> int:
        return self.ceiling.size


def draw_paths(seed: int, first_path: int, n_paths: int, n_arpu_steps: int, n_amd_steps: int,
               buffers: Buffers | None = None) -> Draws:
    """Draws for paths `first_path .. first_path + n_paths - 1`; `first_path` must start a block.

    With `buffers`, the arrays are views into them (valid until the next call with the same buffers).
    """
    if first_path % BLOCK_PATHS:
        raise ValueError(f"first_path {first_path} is not a multiple of BLOCK_PATHS ({BLOCK_PATHS})")
    buffers = buffers or Buffers()
    draws = Draws(
        ceiling=buffers.get("draw_ceiling", (n_paths,)),
        delay=buffers.get("draw_delay", (n_paths,)),
        loi=buffers.get("draw_loi", (n_paths,)),
        revenue_per_gw=buffers.get("draw_rpg", (n_paths,)),
        arpu=buffers.get("draw_arpu", (n_arpu_steps, n_paths)),
        amd=buffers.get("draw_amd", (n_amd_steps, n_paths)),
    )
    for offset in range(0, n_paths, BLOCK_PATHS):
        size = min(BLOCK_PATHS, n_paths - offset)
        paths = slice(offset, offset + size)
        block = (first_path + offset) // BLOCK_PATHS
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(block,)))
        rng.standard_normal(out=draws.ceiling[paths])
        rng.random(out=draws.delay[paths])
        rng.random(out=draws.loi[paths])
        rng.standard_normal(out=draws.revenue_per_gw[paths])
        for steps, target in ((n_arpu_steps, draws.arpu), (n_amd_steps, draws.amd)):
            block_draws = buffers.get("draw_block", (steps, size))  # (step, path) order within the block
            rng.standard_normal(out=block_draws)
            target[:, paths] = block_draws
    return draws
