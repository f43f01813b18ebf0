"""MinHash signatures, value-for-value equal to ``datasketch.MinHash``.

datasketch 2's ``affine32`` scheme pre-mixes each input hash with the 32-bit
MurmurHash3 finalizer and applies ``a * h + b mod 2**32`` per permutation,
with ``(a, b)`` drawn from ``numpy.random.RandomState(seed)``. This module
draws the same parameters and applies them to whole batches of documents as
array operations; signatures are uint32 rows of one array per batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .errors import ConfigError

SCHEME = "affine32"
EMPTY = np.uint32(0xFFFFFFFF)

_C1, _C2 = np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35)
_S16, _S13 = np.uint32(16), np.uint32(13)

# Permutations applied per pass over a batch's hashes (8 was fastest of
# 1..32 on 256-document batches of ~750 shingles).
_PERM_CHUNK = 8


def fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3 32-bit finalizer over a uint32 array (returns a new array)."""
    h = h ^ (h >> _S16)
    h *= _C1
    h ^= h >> _S13
    h *= _C2
    h ^= h >> _S16
    return h


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` uint32 permutation parameters datasketch draws for ``affine32``."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


@dataclass(frozen=True)
class MinHasher:
    """Computes MinHash signatures of shingle-hash sets.

    Args:
        num_perm: number of permutations (signature length).
        seed: seed of the permutation parameters, as in datasketch.

    Example:
        >>> from dedup.shingle import shingle_set
        >>> mh = MinHasher(num_perm=128, seed=1)
        >>> sig = mh.signature(shingle_set("the quick brown fox jumps over the lazy dog"))
        >>> sig.shape, sig.dtype
        ((128,), dtype('uint32'))
    """

    num_perm: int = 128
    seed: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.num_perm, bool) or not isinstance(self.num_perm, int) or not 1 <= self.num_perm <= 4096:
            raise ConfigError(f"The 'num_perm' parameter must be an int in [1, 4096]. Got {self.num_perm!r} instead.")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed < 2**32:
            raise ConfigError(f"The 'seed' parameter must be an int in [0, 2**32). Got {self.seed!r} instead.")
        a, b = permutations(self.num_perm, self.seed)
        object.__setattr__(self, "_a", a)
        object.__setattr__(self, "_b", b)

    @property
    def scheme(self) -> str:
        return SCHEME

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """Signature of one set of uint32 shingle hashes."""
        return self.signatures([hashes])[0]

    def signatures(self, sets: Sequence[np.ndarray]) -> np.ndarray:
        """Signatures of many shingle-hash sets, one uint32 row each.

        An empty set gets datasketch's empty signature (all ``2**32 - 1``).
        """
        lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
        values = np.concatenate([np.asarray(s, dtype=np.uint32) for s in sets]) if len(sets) else np.empty(0, np.uint32)
        return self.signatures_flat(values, lengths)

    def signatures_flat(self, values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Signatures of concatenated shingle-hash sets.

        Args:
            values: uint32 hashes of every set, one set after the other
                (repeats inside a set are allowed: they do not change a minimum).
            lengths: size of each set.

        Returns:
            uint32 array of shape ``(len(lengths), num_perm)``.
        """
        lengths = np.asarray(lengths, dtype=np.int64)
        out = np.full((len(lengths), self.num_perm), EMPTY, dtype=np.uint32)
        nonempty = np.flatnonzero(lengths)
        if len(nonempty) == 0:
            return out
        a, b = self._a, self._b  # type: ignore[attr-defined]
        hv = fmix32(np.asarray(values, dtype=np.uint32))
        starts = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        starts = starts[nonempty]
        # Permutation-major: each row of the work array applies a few
        # permutations to every hash of the batch, so the multiply, add and
        # segment minimum all run along long contiguous rows (several times
        # faster than a (shingles x permutations) array reduced down columns).
        step = _PERM_CHUNK
        buf = np.empty((min(step, self.num_perm), len(hv)), dtype=np.uint32)
        rows = out[nonempty]
        for p in range(0, self.num_perm, step):
            q = min(p + step, self.num_perm)
            w = buf[: q - p]
            np.multiply(a[p:q, None], hv[None, :], out=w)
            w += b[p:q, None]
            rows[:, p:q] = np.minimum.reduceat(w, starts, axis=1).T
        out[nonempty] = rows
        return out
