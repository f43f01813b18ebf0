"""Shingling: normalized words -> n-gram shingles -> 32-bit shingle hashes.

Shingle strings are never built on the hot path. Each distinct token is
hashed once (BLAKE2b, cached), and the hash of an n-gram is folded from its
tokens' hashes with whole-array numpy operations. :func:`shingle_hash` is
the same function written for one shingle string, so that
``datasketch.MinHash(hashfunc=shingle_hash)`` fed with :func:`shingles`
gives exactly the signatures of :mod:`dedup.signature`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Literal

import numpy as np

from .errors import ConfigError
from .normalize import normalize, words

ShingleKind = Literal["word", "char"]

_MASK64 = (1 << 64) - 1
# Odd 64-bit multiplier (the golden ratio constant) used to fold token hashes.
_FOLD = 0x9E3779B97F4A7C15
_FOLD_NP = np.uint64(_FOLD)
# MurmurHash3 64-bit finalizer constants.
_M1, _M2 = 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53
_M1_NP, _M2_NP, _S33 = np.uint64(_M1), np.uint64(_M2), np.uint64(33)

_TOKEN_CACHE: dict[str, int] = {}
_TOKEN_CACHE_LIMIT = 4_000_000


@dataclass(frozen=True)
class ShingleConfig:
    """How a document becomes a set of shingles.

    Args:
        size: tokens per shingle (words for ``kind="word"``, characters of the
            normalized text for ``kind="char"``).
        kind: ``"word"`` or ``"char"``.
    """

    size: int = 5
    kind: ShingleKind = "word"

    def __post_init__(self) -> None:
        if not isinstance(self.size, int) or self.size < 1:
            raise ConfigError(f"The 'shingle_size' parameter must be an int >= 1. Got {self.size!r} instead.")
        if self.kind not in ("word", "char"):
            raise ConfigError(f"The 'shingle_kind' parameter must be 'word' or 'char'. Got {self.kind!r} instead.")


def token_hash(token: str) -> int:
    """64-bit hash of one token: the first 8 bytes of BLAKE2b, little endian."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


def _fmix64(h: int) -> int:
    h ^= h >> 33
    h = (h * _M1) & _MASK64
    h ^= h >> 33
    h = (h * _M2) & _MASK64
    return h ^ (h >> 33)


def shingle_hash(shingle: str | bytes, kind: ShingleKind = "word") -> int:
    """32-bit hash of one shingle string, as a datasketch ``hashfunc``.

    Args:
        shingle: a shingle as returned by :func:`shingles` (bytes are decoded
            as UTF-8).
        kind: the shingle kind it was made with.

    Returns:
        An int in [0, 2**32).

    Example:
        >>> from datasketch import MinHash
        >>> m = MinHash(num_perm=128, seed=1, scheme="affine32", hashfunc=shingle_hash)
        >>> for s in shingles("one two three four five six"):
        ...     m.update(s)
    """
    if isinstance(shingle, bytes):
        shingle = shingle.decode("utf-8")
    tokens = shingle.split(" ") if kind == "word" else list(shingle)
    acc = 0
    for i, tok in enumerate(tokens):
        h = token_hash(tok)
        acc = h if i == 0 else (acc * _FOLD + h) & _MASK64
    return _fmix64(acc) & 0xFFFFFFFF


def hashfunc_for(kind: ShingleKind) -> Callable[[str | bytes], int]:
    """The datasketch-compatible ``hashfunc`` for a shingle kind."""
    if kind == "word":
        return shingle_hash
    return lambda s: shingle_hash(s, "char")


def tokens_of(text: str, kind: ShingleKind = "word") -> list[str]:
    """Tokens of raw text for a shingle kind: words, or characters of the normalized text."""
    return words(text) if kind == "word" else list(normalize(text))


def shingles(text: str, size: int = 5, kind: ShingleKind = "word") -> list[str]:
    """Shingle strings of raw text, in order, repeats kept.

    A text with fewer tokens than ``size`` (but at least one) is one shingle.
    This is the readable reference; the pipeline uses :func:`shingle_set`.
    """
    toks = tokens_of(text, kind)
    if not toks:
        return []
    sep = " " if kind == "word" else ""
    if len(toks) < size:
        return [sep.join(toks)]
    return [sep.join(toks[i : i + size]) for i in range(len(toks) - size + 1)]


def token_hashes(tokens: list[str]) -> np.ndarray:
    """uint64 hashes of tokens, each distinct token hashed once per process."""
    cache = _TOKEN_CACHE
    try:
        return np.fromiter(map(cache.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    except KeyError:
        if len(cache) > _TOKEN_CACHE_LIMIT:
            cache.clear()
        for tok in tokens:
            if tok not in cache:
                cache[tok] = token_hash(tok)
        return np.fromiter(map(cache.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def fold_hashes(hashes: np.ndarray, size: int) -> np.ndarray:
    """Fold token hashes into n-gram shingle hashes (uint32, in order, repeats kept)."""
    n = len(hashes)
    if n == 0:
        return np.empty(0, dtype=np.uint32)
    size = min(size, n)
    m = n - size + 1
    acc = hashes[:m].copy()
    for k in range(1, size):
        acc *= _FOLD_NP
        acc += hashes[k : k + m]
    acc ^= acc >> _S33
    acc *= _M1_NP
    acc ^= acc >> _S33
    acc *= _M2_NP
    acc ^= acc >> _S33
    return acc.astype(np.uint32)


def shingle_set(text: str, config: ShingleConfig = ShingleConfig()) -> np.ndarray:
    """The shingle set of raw text: sorted, distinct uint32 shingle hashes.

    Equal to ``sorted({shingle_hash(s) for s in shingles(text, ...)})``.
    """
    return np.unique(fold_hashes(token_hashes(tokens_of(text, config.kind)), config.size))
