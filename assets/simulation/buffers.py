"""Working memory reused from chunk to chunk.

A chunk's arrays are tens of MB each. Allocated afresh for every chunk, the C allocator serves
them with `mmap` and the kernel zero-fills every page again on first touch (measured: about a
third of the engine's time went to page faults). `Buffers` keeps one flat array per name and
hands out contiguous views of the size asked for, so only the first chunk allocates.

A view stays valid until the same name is asked for again: `simulate` results must be consumed
before the next chunk is simulated with the same `Buffers`.
"""

from __future__ import annotations

import math

import numpy as np


class Buffers:
    """Named, reusable, contiguous arrays."""

    def __init__(self) -> None:
        self._flat: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: type = np.float64) -> np.ndarray:
        """An uninitialised contiguous array of `shape`, backed by the buffer called `name`."""
        size = math.prod(shape)
        flat = self._flat.get(name)
        if flat is None or flat.size < size or flat.dtype != dtype:
            flat = self._flat[name] = np.empty(size, dtype=dtype)
        return flat[:size].reshape(shape)
