"""Shingling: normalized words -> n-gram shingles -> 32-bit shingle hashes.

Shingle strings are never built on the hot path. Each distinct token is
hashed once (BLAKE2b, cached), and the hash of an n-gram is folded from its
tokens' hashes with whole-array numpy operations. :func:`shingle_hash` is
the same function written for one shingle string, so that
``datasketch.MinHash(hashfunc=shingle_hash)`` fed with :func:`shingles`
gives exactly the signatures of :mod:`dedup.signature`.

:func:`shingle_set` is the readable one-document path; :func:`shingle_batch`
gives the same sets for a whole batch at once, and for ASCII text does not
make a Python string per token either: the batch is tokenized as one byte
array and tokens are looked up by their bytes in a numpy hash table.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from itertools import repeat
from typing import Callable, Literal, NamedTuple, Optional, Sequence

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
# Distinct ASCII tokens kept by the key table before it starts over (its
# arrays then take about 100 MB; a corpus with a larger vocabulary re-hashes
# rare tokens instead of growing without bound).
_KEY_TABLE_LIMIT = 1 << 20
_LOW32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)


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
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 1:
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

    Raises:
        ConfigError: ``size`` or ``kind`` out of range (as for :class:`ShingleConfig`).
    """
    ShingleConfig(size, kind)
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


def _fork_safe_lock() -> threading.Lock:
    """A lock that a process forked while another thread holds it does not inherit held: it is taken
    before the fork (so the table it guards is whole in the child) and let go on both sides after."""
    lock = threading.Lock()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(before=lock.acquire, after_in_parent=lock.release, after_in_child=lock.release)
    return lock


class _TokenTable:
    """Distinct tokens of this process mapped to small ids, with their hashes
    in one uint64 array, so a batch of tokens becomes hashes through one
    dict pass of small ints and one numpy gather."""

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.hashes = np.empty(1 << 16, dtype=np.uint64)
        self._lock = _fork_safe_lock()

    def lookup(self, tokens: list[str]) -> np.ndarray:
        """Hashes of the tokens, hashing and adding unseen ones (threads of one process take turns)."""
        with self._lock:
            return self._lookup(tokens)

    def _lookup(self, tokens: list[str]) -> np.ndarray:
        ids = np.fromiter(map(self.ids.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
        missing = np.flatnonzero(ids < 0)
        if len(missing):
            if self.ids and len(self.ids) + len(missing) > _TOKEN_CACHE_LIMIT:
                self.ids.clear()
                return self._lookup(tokens)
            table = self.ids
            for k in missing.tolist():
                tok = tokens[k]
                tid = table.get(tok)
                if tid is None:
                    tid = len(table)
                    if tid == len(self.hashes):
                        self.hashes = np.concatenate([self.hashes, np.empty_like(self.hashes)])
                    self.hashes[tid] = token_hash(tok)
                    table[tok] = tid
                ids[k] = tid
        return self.hashes[ids]


_TABLE = _TokenTable()

# ASCII fast path. Byte -> lower-case letter or digit, 0 for every other
# byte; for ASCII text this is exactly what :func:`dedup.normalize.words`
# keeps and separates.
_ASCII_LUT = np.zeros(256, dtype=np.uint8)
for _c in range(128):
    if chr(_c).isalnum():
        _ASCII_LUT[_c] = ord(chr(_c).lower())
_ASCII_BYTES = _ASCII_LUT.tobytes()
# Masks that keep the first k bytes of a little-endian uint64.
_BYTE_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [_MASK64], dtype=np.uint64)
_K1, _K2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F)


class _KeyTable:
    """Open-addressing hash table from a token's bytes, packed exactly into
    two uint64 words (tokens of up to 16 bytes), to its :func:`token_hash`.

    Lookups are whole-array numpy gathers, so the ASCII fast path never makes
    a Python string per token; only tokens seen for the first time are
    hashed one by one. A slot with ``k0 == 0`` is empty (a token's first
    byte is never 0). One lock guards it: threads of one process share it.
    """

    def __init__(self, bits: int = 16) -> None:
        self._alloc(bits)
        self.count = 0
        self._lock = _fork_safe_lock()

    def _alloc(self, bits: int) -> None:
        self.bits = bits
        self.mask = (1 << bits) - 1
        self.shift = np.uint64(64 - bits)
        self.k0 = np.zeros(1 << bits, dtype=np.uint64)
        self.k1 = np.zeros(1 << bits, dtype=np.uint64)
        self.val = np.zeros(1 << bits, dtype=np.uint64)

    def _slots(self, k0: np.ndarray, k1: np.ndarray) -> np.ndarray:
        h = k0 * _K1
        h ^= k1 * _K2
        h ^= h >> _S33
        h *= _K1
        return (h >> self.shift).astype(np.int64)

    def _insert(self, k0: np.ndarray, k1: np.ndarray, hashes: np.ndarray) -> None:
        """Add distinct keys that are not in the table yet."""
        if self.count + len(k0) > (1 << self.bits) // 4:
            used = self.k0 != 0
            old = (self.k0[used], self.k1[used], self.val[used])
            bits = self.bits + 1
            while self.count + len(k0) > (1 << bits) // 4:
                bits += 1
            self._alloc(bits)
            self.count = 0
            self._insert(*old)
        # Linear probing, vectorized: in each round every key still waiting
        # takes its slot if the slot is free and no earlier waiting key wants
        # it; the others move one slot on.
        slot = self._slots(k0, k1)
        todo = np.arange(len(k0))
        while len(todo):
            free = self.k0[slot] == 0
            _, first = np.unique(slot, return_index=True)
            win = np.zeros(len(todo), dtype=bool)
            win[first] = True
            win &= free
            w = todo[win]
            self.k0[slot[win]], self.k1[slot[win]], self.val[slot[win]] = k0[w], k1[w], hashes[w]
            self.count += len(w)
            todo, slot = todo[~win], (slot[~win] + 1) & self.mask

    def lookup(self, k0: np.ndarray, k1: np.ndarray) -> np.ndarray:
        """Token hashes of packed keys, hashing and adding unseen tokens."""
        with self._lock:
            return self._lookup(k0, k1)

    def _lookup(self, k0: np.ndarray, k1: np.ndarray) -> np.ndarray:
        out = np.empty(len(k0), dtype=np.uint64)
        missing = self._probe(k0, k1, out)
        if len(missing) and self.count + len(missing) > _KEY_TABLE_LIMIT:
            self._alloc(16)
            self.count = 0
            missing = self._probe(k0, k1, out)
        if len(missing):
            # The distinct keys missing (a lexical sort: np.unique by rows is ten times slower).
            a, b = k0[missing], k1[missing]
            order = np.lexsort((b, a))
            a, b = a[order], b[order]
            new = np.ones(len(a), dtype=bool)
            new[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
            a, b = a[new], b[new]
            hashes = np.fromiter(
                (token_hash((x.to_bytes(8, "little") + y.to_bytes(8, "little")).rstrip(b"\0").decode("ascii"))
                 for x, y in zip(a.tolist(), b.tolist())), dtype=np.uint64, count=len(a))
            self._insert(a, b, hashes)
            # Each missing token's hash: that of its distinct key (the sorted keys' k-th new one).
            out[missing[order]] = hashes[np.cumsum(new) - 1]
        return out

    def _probe(self, k0: np.ndarray, k1: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Fill ``out`` with the hashes of the keys found; return the positions of those not found.

        The first probe covers every key with plain gathers (most keys are
        found there); only the few that collided walk on.
        """
        slot = self._slots(k0, k1)
        t0 = np.take(self.k0, slot)
        hit = t0 == k0
        hit &= np.take(self.k1, slot) == k1
        np.take(self.val, slot, out=out)
        idx = np.flatnonzero(~hit)
        a, b, slot, t0 = k0[idx], k1[idx], slot[idx], t0[idx]
        missing = []
        while len(idx):
            empty = t0 == 0
            if empty.any():
                missing.append(idx[empty])
                go = ~empty
                idx, a, b, slot = idx[go], a[go], b[go], slot[go]
            slot = (slot + 1) & self.mask
            t0 = self.k0[slot]
            hit = (t0 == a) & (self.k1[slot] == b)
            out[idx[hit]] = self.val[slot[hit]]
            go = ~hit
            idx, a, b, slot, t0 = idx[go], a[go], b[go], slot[go], t0[go]
        return np.concatenate(missing) if missing else np.empty(0, dtype=np.int64)


_KEYS = _KeyTable()


def _ascii_token_hashes(texts: list[str], digits: bool = False) -> tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    """Token hashes of pure-ASCII texts, concatenated, each text's token count,
    and (when ``digits``) whether each token has a digit.

    The texts are tokenized together as one byte array: a lookup table
    lower-cases letters and zeroes every separator, token bounds are where
    the zero/non-zero state flips, and each token's bytes are read as two
    unaligned little-endian uint64 words (masked to its length), an exact key.
    """
    # One zero byte in front and 17 behind, so that every token has a zero
    # on each side and every 16-byte read stays inside the buffer.
    data = b"\0" + " ".join(texts).encode("ascii").translate(_ASCII_BYTES) + bytes(17)
    buf = np.frombuffer(data, dtype=np.uint8)
    # The buffer starts and ends with a zero byte, so state flips alternate:
    # token start, token end, start, end...
    inside = buf != 0
    flips = np.flatnonzero(inside[1:] != inside[:-1]) + 1  # nonzero of a bool array: 7x that of an int8 one
    starts, ends = flips[0::2], flips[1::2]
    lens = ends - starts
    # Text k occupies buffer bytes from bounds[k] (joined with one space).
    bounds = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) + 1 for t in texts], out=bounds[1:])
    counts = np.diff(np.searchsorted(starts, bounds + 1))
    flags = None
    if digits:
        # Digits are the only bytes below "a" that the table keeps; each is in the token that starts last before it.
        flags = np.zeros(len(starts), dtype=bool)
        flags[np.searchsorted(starts, np.flatnonzero(inside & (buf < 0x61)), "right") - 1] = True
    words64 = np.ndarray((len(buf) - 7,), dtype="<u8", buffer=buf, strides=(1,))
    k0 = words64[starts] & _BYTE_MASKS[np.minimum(lens, 8)]
    k1 = np.zeros(len(starts), dtype=np.uint64)
    over8 = np.flatnonzero(lens > 8)
    k1[over8] = words64[starts[over8] + 8] & _BYTE_MASKS[np.minimum(lens[over8] - 8, 8)]
    long_tok = np.flatnonzero(lens > 16)
    if not len(long_tok):
        return _KEYS.lookup(k0, k1), counts, flags
    short_tok = np.flatnonzero(lens <= 16)
    out = np.empty(len(lens), dtype=np.uint64)
    out[short_tok] = _KEYS.lookup(k0[short_tok], k1[short_tok])
    out[long_tok] = _TABLE.lookup([data[s:e].decode("ascii") for s, e in zip(starts[long_tok].tolist(),
                                                                              ends[long_tok].tolist())])
    return out, counts, flags


class WordTokens(NamedTuple):
    """The words of a batch of texts, hashed (see :func:`batch_word_tokens`)."""

    hashes: np.ndarray  # uint64 token hash of every word, text after text
    counts: np.ndarray  # int64 words per text
    digits: np.ndarray  # bool per word: it is not all letters (it has a digit)


def batch_word_tokens(texts: Sequence[str]) -> WordTokens:
    """Word token hashes of many texts (as :func:`batch_token_hashes`), and
    which words have a digit (``not word.isalpha()``), in the same pass."""
    hashes, counts, flags = _batch_tokens(texts, "word", True)
    assert flags is not None
    return WordTokens(hashes, counts, flags)


def batch_token_hashes(texts: Sequence[str], kind: ShingleKind = "word") -> tuple[np.ndarray, np.ndarray]:
    """Token hashes of many texts, concatenated, and the token count of each.

    Equal to ``token_hashes(tokens_of(t, kind))`` for each text, one after the other.
    """
    hashes, counts, _ = _batch_tokens(texts, kind, False)
    return hashes, counts


def _batch_tokens(texts: Sequence[str], kind: ShingleKind,
                  digits: bool) -> tuple[np.ndarray, np.ndarray, Optional[np.ndarray]]:
    counts = np.zeros(len(texts), dtype=np.int64)
    if kind == "word":
        fast = [i for i, t in enumerate(texts) if t.isascii()]
    else:
        fast = []
    slow = sorted(set(range(len(texts))) - set(fast)) if len(fast) < len(texts) else []
    parts: dict[str, np.ndarray] = {}
    flags: dict[str, np.ndarray] = {}
    if fast:
        h_fast, c_fast, f_fast = _ascii_token_hashes([texts[i] for i in fast], digits)
        counts[fast] = c_fast
        parts["fast"] = h_fast
        if f_fast is not None:
            flags["fast"] = f_fast
    if slow:
        tokens: list[str] = []
        for i in slow:
            toks = tokens_of(texts[i], kind)
            counts[i] = len(toks)
            tokens += toks
        parts["slow"] = _TABLE.lookup(tokens)
        if digits:
            flags["slow"] = np.fromiter((not t.isalpha() for t in tokens), dtype=bool, count=len(tokens))
    if not slow or not fast:
        key = "slow" if slow else "fast"
        if key not in parts:
            return np.empty(0, dtype=np.uint64), counts, np.empty(0, dtype=bool) if digits else None
        return parts[key], counts, flags.get(key)
    # Interleave the two groups back into document order.
    out = np.empty(int(counts.sum()), dtype=np.uint64)
    is_fast = np.zeros(len(texts), dtype=bool)
    is_fast[fast] = True
    mask = np.repeat(is_fast, counts)
    out[mask] = parts["fast"]
    out[~mask] = parts["slow"]
    if not digits:
        return out, counts, None
    out_flags = np.empty(len(out), dtype=bool)
    out_flags[mask] = flags["fast"]
    out_flags[~mask] = flags["slow"]
    return out, counts, out_flags


class ShingleBatch(NamedTuple):
    """Shingle sets of a batch of documents, concatenated.

    Attributes:
        values: every document's sorted distinct uint32 shingle hashes, one
            document after the other.
        lengths: int64 set size of each document (``values`` splits at their
            running sum).
        words: int64 token count of each document.
    """

    values: np.ndarray
    lengths: np.ndarray
    words: np.ndarray


def shingle_batch(texts: Sequence[str], config: ShingleConfig = ShingleConfig()) -> ShingleBatch:
    """Shingle sets of many texts at once; row ``i`` equals ``shingle_set(texts[i], config)``.

    The whole batch is one array from the token hashes on: the fold runs over
    the concatenated tokens (n-grams that straddle two documents are dropped
    afterwards), and the sets are sorted and de-duplicated segment-wise
    without leaving numpy.

    Args:
        texts: raw document texts.
        config: shingle size and kind.

    Returns:
        ShingleBatch.
    """
    size, kind = config.size, config.kind
    hashes, counts = batch_token_hashes(texts, kind)
    if kind == "word":
        words = counts
    else:
        words = np.fromiter((len(t.split()) for t in texts), dtype=np.int64, count=len(texts))
    values, lengths = sets_from_hashes(hashes, counts, size)
    return ShingleBatch(values, lengths, words)


def sets_from_hashes(hashes: np.ndarray, counts: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Shingle sets of documents given their concatenated token hashes.

    Args:
        hashes: uint64 token hashes of every document, one after the other.
        counts: int64 token count of each document.
        size: tokens per shingle.

    Returns:
        (concatenated sorted distinct uint32 shingle sets, int64 set sizes).
    """
    texts = counts  # one entry per document
    starts = np.zeros(len(texts), dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    # Shingles per document: n - size + 1, or one for a short non-empty text.
    m = np.where(counts >= size, counts - size + 1, np.minimum(counts, 1))
    long_docs = counts >= size
    n = len(hashes)
    parts = []
    if n >= size and long_docs.any():
        span = n - size + 1
        acc = hashes[:span].copy()
        for k in range(1, size):
            acc *= _FOLD_NP
            acc += hashes[k : k + span]
        # Positions of the n-grams that lie inside one document.
        ml = m * long_docs
        total = int(ml.sum())
        first = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(ml[:-1], out=first[1:])
        pos = np.arange(total, dtype=np.int64) + np.repeat(starts - first, ml)
        parts.append(acc[pos])
    short = np.flatnonzero(~long_docs & (counts > 0))
    folded = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)
    if len(short):
        # Documents shorter than one shingle: fold all their tokens, slot them in.
        vals = np.empty(len(short), dtype=np.uint64)
        for j, d in enumerate(short.tolist()):
            toks_h = hashes[starts[d] : starts[d] + counts[d]].tolist()
            acc1 = toks_h[0]
            for h in toks_h[1:]:
                acc1 = (acc1 * _FOLD + h) & _MASK64
            vals[j] = acc1
        offsets = np.zeros(len(texts), dtype=np.int64)
        np.cumsum(m[:-1], out=offsets[1:])
        merged = np.empty(int(m.sum()), dtype=np.uint64)
        is_short = np.zeros(len(merged), dtype=bool)
        is_short[offsets[short]] = True
        merged[is_short] = vals
        merged[~is_short] = folded
        folded = merged
    folded ^= folded >> _S33
    folded *= _M1_NP
    folded ^= folded >> _S33
    folded *= _M2_NP
    folded ^= folded >> _S33
    values = folded.astype(np.uint32)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(m, out=offsets[1:])
    _sort_segments(values, offsets)
    keep = np.empty(len(values), dtype=bool)
    if len(values):
        np.not_equal(values[1:], values[:-1], out=keep[1:])
        keep[offsets[:-1][m > 0]] = True  # a set's first value is always new
    lengths = np.zeros(len(texts), dtype=np.int64)
    nonempty = np.flatnonzero(m)
    if len(nonempty):
        lengths[nonempty] = np.add.reduceat(keep, offsets[nonempty], dtype=np.int64)
    return values[keep], lengths


def _sort_segments(values: np.ndarray, offsets: np.ndarray) -> None:
    """Sort each ``values[offsets[i]:offsets[i + 1]]`` in place.

    Rows of a padded 2-D array when documents have similar lengths (numpy
    sorts uint32 rows with SIMD, about 4x faster than one sort of 64-bit
    ``(document, hash)`` keys); one sort per document otherwise, so that a
    single long document does not blow up the padding.
    """
    lengths = np.diff(offsets)
    n, longest = len(lengths), int(lengths.max()) if len(lengths) else 0
    if n > 1 and n * longest <= 2 * len(values) + 4096:
        grid = np.full((n, longest), 0xFFFFFFFF, dtype=np.uint32)
        inside = np.arange(longest) < lengths[:, None]
        grid[inside] = values
        grid.sort(axis=1)
        # Padding sorts last (a real 0xFFFFFFFF ties with it harmlessly).
        values[:] = grid[inside]
        return
    for lo, hi in zip(offsets[:-1].tolist(), offsets[1:].tolist()):
        if hi - lo > 1:
            values[lo:hi].sort()
