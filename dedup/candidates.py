"""Candidate generation: LSH banding over MinHash signatures.

Two signatures are candidates when all ``rows`` values of at least one of
``bands`` bands are equal, which is the rule of ``datasketch.MinHashLSH``
with the same bands and rows. Banding here is whole-array work: each band
is folded to a 64-bit key, keys are sorted, and documents sharing a key
(with the band's values compared exactly) become pairs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

import numpy as np

from .errors import ConfigError, check_range

_FOLD = np.uint64(0x9E3779B97F4A7C15)


def _probabilities(grid: np.ndarray, bands: int, rows: int) -> np.ndarray:
    return 1.0 - (1.0 - grid**rows) ** bands


@lru_cache(maxsize=64)
def optimal_bands(threshold: float, num_perm: int, fp_weight: float = 0.5, fn_weight: float = 0.5) -> tuple[int, int]:
    """Bands and rows that minimize weighted false positive and negative rates.

    datasketch's ``MinHashLSH`` approach: for every ``bands * rows <=
    num_perm``, integrate the probability of becoming a candidate below the
    threshold (false positives) and of not becoming one above it (false
    negatives), and keep the pair with the smallest weighted sum.

    Args:
        threshold: Jaccard similarity the banding is tuned for.
        num_perm: signature length.
        fp_weight: weight of the false positive integral.
        fn_weight: weight of the false negative integral.

    Returns:
        ``(bands, rows)``.
    """
    check_range("threshold", threshold, 0.0, 1.0, low_open=True)
    if isinstance(num_perm, bool) or not isinstance(num_perm, int) or num_perm < 1:
        raise ConfigError(f"The 'num_perm' parameter must be an int >= 1. Got {num_perm!r} instead.")
    below = np.linspace(0.0, threshold, 513)
    above = np.linspace(threshold, 1.0, 513)
    best, best_err = (1, 1), float("inf")
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            fp = np.trapezoid(_probabilities(below, bands, rows), below)
            fn = np.trapezoid(1.0 - _probabilities(above, bands, rows), above)
            err = fp * fp_weight + fn * fn_weight
            if err < best_err - 1e-15:
                best, best_err = (bands, rows), err
    return best


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """Probability that two documents with this Jaccard similarity become candidates."""
    return float(1.0 - (1.0 - jaccard**rows) ** bands)


def band_keys(signatures: np.ndarray, band: int, rows: int) -> np.ndarray:
    """64-bit keys of one band of every signature (equal bands give equal keys)."""
    block = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
    key = block[:, 0].copy()
    for j in range(1, rows):
        key *= _FOLD
        key += block[:, j]
    return key


def _pairs_in_groups(order: np.ndarray, keys_sorted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (left, right) index pairs of documents whose sorted keys are equal.

    Work is proportional to the number of pairs: at step ``d`` only positions
    whose group still has a member ``d`` places further on take part.
    """
    n = len(keys_sorted)
    if n < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    np.not_equal(keys_sorted[1:], keys_sorted[:-1], out=new_group[1:])
    group_start = np.flatnonzero(new_group)
    sizes = np.diff(np.append(group_start, n))
    group_end = np.repeat(group_start + sizes, sizes)
    pos = np.flatnonzero(np.repeat(sizes > 1, sizes))
    lefts, rights = [], []
    d = 1
    while len(pos):
        pos = pos[pos + d < group_end[pos]]
        if not len(pos):
            break
        lefts.append(order[pos])
        rights.append(order[pos + d])
        d += 1
    if not lefts:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(lefts), np.concatenate(rights)


def split_heavy(signatures: np.ndarray, order: np.ndarray, keys_sorted: np.ndarray, band: int, rows: int,
                max_bucket: int) -> tuple[np.ndarray, np.ndarray]:
    """Split the buckets of one band that hold more than ``max_bucket`` documents.

    A bucket that large is a template (one form filled in for many
    companies, days or markets), not one story: enumerating its pairs costs
    the square of its size. Its members are grouped again on ``rows`` more
    values of their signatures (those after the band, wrapping around),
    and again, until every group holds at most ``max_bucket`` documents or
    the whole signature is used; only documents of one group become
    candidates there. A pair in a split bucket must then agree on more
    values in this band (as it would at a higher Jaccard), and may still
    meet in another band; documents with one signature always stay
    together. Buckets of at most ``max_bucket`` are left as they are, so
    the candidates of a collection without such buckets do not change, and
    a larger ``max_bucket`` only adds candidates.

    Args:
        signatures: (n, num_perm) signatures.
        order, keys_sorted: the documents sorted by their band key, and the keys in that order.
        band, rows: the band.
        max_bucket: the most documents a bucket may hold unsplit.

    Returns:
        (order, group labels in that order): documents of one group have equal adjacent labels.
    """
    n, num_perm = signatures.shape
    if not len(order):
        return order, keys_sorted
    new_group = np.empty(len(order), dtype=bool)
    new_group[0] = True
    np.not_equal(keys_sorted[1:], keys_sorted[:-1], out=new_group[1:])
    label = np.cumsum(new_group) - 1
    order = order.copy()
    used = rows
    while used < num_perm:
        sizes = np.bincount(label)
        heavy = np.flatnonzero(sizes[label] > max_bucket)
        if not len(heavy):
            break
        members = order[heavy]
        cols = (np.arange(used, used + rows) + band * rows) % num_perm
        extra = signatures[members][:, cols].astype(np.uint64)
        key = extra[:, 0].copy()
        for j in range(1, extra.shape[1]):
            key *= _FOLD
            key += extra[:, j]
        # Heavy positions are whole buckets, each contiguous: sorting by (label, key) keeps every bucket in place.
        sub = np.lexsort((members, key, label[heavy]))
        order[heavy] = members[sub]
        key, old = key[sub], label[heavy][sub]
        split = np.empty(len(heavy), dtype=bool)
        split[0] = True
        split[1:] = (old[1:] != old[:-1]) | (key[1:] != key[:-1])
        label[heavy] = int(label.max()) + np.cumsum(split)
        used += rows
    return order, label


#: Documents from which :func:`candidate_pairs` spreads the bands over threads when asked.
THREADED_MIN = 20_000


def candidate_pairs(signatures: np.ndarray, bands: int, rows: int, max_bucket: int = 0,
                    threads: int = 1) -> np.ndarray:
    """Candidate pairs of an (n, num_perm) uint32 signature array.

    Args:
        signatures: one signature per row.
        bands: number of bands.
        rows: values per band (``bands * rows <= num_perm``).
        max_bucket: buckets of more documents are split (:func:`split_heavy`); 0 never splits.
        threads: threads to work on the bands with (from :data:`THREADED_MIN` documents); the
            result does not depend on it.

    Returns:
        int64 array of shape (m, 2): pairs ``(i, j)`` with ``i < j``, sorted,
        each pair once.
    """
    n, num_perm = signatures.shape
    if bands < 1 or rows < 1 or bands * rows > num_perm:
        raise ConfigError(f"bands * rows must be at most num_perm ({num_perm}). Got {bands} * {rows} instead.")

    def band_codes(band: int) -> Optional[np.ndarray]:
        keys = band_keys(signatures, band, rows)
        # Any order within a bucket gives the same pairs (and split_heavy sorts its buckets by member):
        # numpy's default sort, vectorized, is 5x faster than the stable one on 64-bit keys.
        order = np.argsort(keys)
        keys_sorted = keys[order]
        if max_bucket:
            order, keys_sorted = split_heavy(signatures, order, keys_sorted, band, rows, max_bucket)
        left, right = _pairs_in_groups(order, keys_sorted)
        if not len(left):
            return None
        # A 64-bit key collision must not invent a candidate: compare the band exactly.
        block = signatures[:, band * rows : (band + 1) * rows]
        same = (block[left] == block[right]).all(axis=1)
        lo, hi = np.minimum(left[same], right[same]), np.maximum(left[same], right[same])
        return lo.astype(np.int64) * n + hi

    if threads > 1 and n >= THREADED_MIN:
        # numpy sorts and gathers without the interpreter lock: the bands' work runs on several cores.
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as ex:
            found = list(ex.map(band_codes, range(bands)))
    else:
        found = [band_codes(band) for band in range(bands)]
    codes = [c for c in found if c is not None]
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    flat = np.unique(np.concatenate(codes))
    return np.stack([flat // n, flat % n], axis=1)


def copy_groups(signatures: np.ndarray, min_size: int) -> list[np.ndarray]:
    """Groups of more than ``min_size`` documents with one signature (copies of one text), each its
    indices in ascending order; the others are in no group."""
    n, num_perm = signatures.shape
    if n <= min_size or not num_perm:
        return []
    # Copies share every value, the first one too: where no first value is that common, there are none.
    if np.unique(signatures[:, 0], return_counts=True)[1].max() <= min_size:
        return []
    key = signatures[:, 0].astype(np.uint64)
    for j in range(1, num_perm):
        key *= _FOLD
        key += signatures[:, j]
    order = np.argsort(key, kind="stable")
    starts = np.flatnonzero(np.r_[True, key[order][1:] != key[order][:-1]])
    sizes = np.diff(np.r_[starts, n])
    out = []
    for s, size in zip(starts.tolist(), sizes.tolist()):
        if size <= min_size:
            continue
        members = np.sort(order[s : s + size])
        same = (signatures[members] == signatures[members[0]]).all(axis=1)  # a 64-bit key collision is no copy
        if same.sum() > min_size:
            out.append(members[same])
    return out


def scan_candidate_pairs(signatures: np.ndarray, bands: int, rows: int, max_bucket: int = 0,
                         threads: int = 1) -> np.ndarray:
    """:func:`candidate_pairs`, but more than ``max_bucket`` documents with one signature (a text copied
    thousands of times) are candidates with their first one only, and only it takes part in the
    bands: their bucket could not be split (:func:`split_heavy` keeps one signature together), and
    its pairs, all alike, grew with the square of the copies (2,500 copies of an article: 5 minutes and
    4.5 GB). A collection without such groups gets exactly the pairs of :func:`candidate_pairs`.
    """
    groups = copy_groups(signatures, max_bucket) if max_bucket else []
    if not groups:
        return candidate_pairs(signatures, bands, rows, max_bucket, threads)
    n = len(signatures)
    banded = np.ones(n, dtype=bool)
    stars = []
    for members in groups:
        banded[members[1:]] = False
        stars.append(np.stack([np.repeat(members[0], len(members) - 1), members[1:]], axis=1))
    rows_banded = np.flatnonzero(banded)
    found = rows_banded[candidate_pairs(signatures[rows_banded], bands, rows, max_bucket, threads)]
    pairs = np.concatenate([found.reshape(-1, 2), *stars]).astype(np.int64)
    codes = np.unique(np.minimum(pairs[:, 0], pairs[:, 1]) * n + np.maximum(pairs[:, 0], pairs[:, 1]))
    return np.stack([codes // n, codes % n], axis=1)


def lsh_floor(threshold: float, containment: float, length_ratio: float = 2.0) -> float:
    """Lowest Jaccard similarity that verification accepts, for LSH tuning.

    A pair is accepted at Jaccard ``threshold``, or when the shorter
    document's containment in the longer reaches ``containment``. A shorter
    document with containment ``c`` in one ``length_ratio`` times its size
    has Jaccard ``c / (1 + length_ratio - c)``; banding is tuned for the
    smaller of the two so that such pairs are not lost before verification.
    """
    check_range("threshold", threshold, 0.0, 1.0, low_open=True)
    check_range("containment", containment, 0.0, 1.0, low_open=True)
    return min(threshold, containment / (1.0 + length_ratio - containment))


@lru_cache(maxsize=64)
def recall_bands(floor: float, num_perm: int, recall: float = 0.95) -> tuple[int, int]:
    """Bands and rows with the fewest false positives that still make a pair
    at Jaccard ``floor`` a candidate with probability at least ``recall``.

    Among all ``bands * rows <= num_perm`` meeting the recall condition, the
    one with the smallest false-positive integral below ``floor`` (the
    quantity datasketch's ``_optimal_param`` weighs) is chosen; if none
    meets it, the one with the highest recall at ``floor``.
    """
    check_range("floor", floor, 0.0, 1.0, low_open=True)
    grid = np.linspace(0.0, floor, 513)
    best, best_fp = None, float("inf")
    fallback, fallback_p = (num_perm, 1), -1.0
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            p = candidate_probability(floor, bands, rows)
            if p >= recall:
                fp = float(np.trapezoid(_probabilities(grid, bands, rows), grid))
                if fp < best_fp - 1e-15:
                    best, best_fp = (bands, rows), fp
            elif p > fallback_p:
                fallback, fallback_p = (bands, rows), p
    return best if best is not None else fallback


#: Values per band of the default banding; fixed so that bands nest across settings.
NESTED_ROWS = 2


@lru_cache(maxsize=64)
def nested_bands(floor: float, num_perm: int, recall: float = 0.95, rows: int = NESTED_ROWS) -> tuple[int, int]:
    """The fewest bands of ``rows`` values that make a pair at Jaccard ``floor``
    a candidate with probability at least ``recall`` (all that fit in
    ``num_perm`` when none do).

    The bands are always the first ones of the signature and the rows never
    change, so the banding for a lower floor holds every band of the banding
    for a higher one: loosening the rule only adds candidates.

    Example:
        >>> nested_bands(0.2227, 128)
        (59, 2)
    """
    check_range("floor", floor, 0.0, 1.0, low_open=True)
    rows = min(rows, num_perm)
    most = num_perm // rows
    for bands in range(1, most + 1):
        if candidate_probability(floor, bands, rows) >= recall:
            return bands, rows
    return most, rows


# ---------------------------------------------------------------- banding in blocks, for engines that shuffle

#: Most members of a band bucket that one task enumerates pairs for, per side.
BLOCK = 256


def bucket_blocks(size: int, block: int = BLOCK) -> list[tuple[int, int]]:
    """The tasks (block a, block b), ``a <= b``, that together enumerate every pair of a bucket of ``size``
    members split into blocks of ``block`` (member ``k`` is in block ``k // block``).

    Each task enumerates at most ``block * block`` pairs, however large the
    bucket: a template that puts thousands of reports in one bucket makes
    many small tasks instead of one that never ends.
    """
    n = -(-size // block)
    return [(a, b) for a in range(n) for b in range(a, n)]


def first_band_pairs(ids_a: np.ndarray, prefixes_a: np.ndarray, ids_b: np.ndarray, prefixes_b: np.ndarray,
                     band: int, rows: int, groups_a: Optional[np.ndarray] = None,
                     groups_b: Optional[np.ndarray] = None) -> np.ndarray:
    """Pairs of one task of a band bucket whose first shared band is ``band``.

    Every member of a bucket shares band ``band``; a pair that is also a
    candidate in an earlier band is left to that band's bucket, so each
    candidate pair is emitted exactly once over all bands, with no global
    de-duplication. Without groups a pair is a candidate in every band it
    shares; with groups (heavy buckets split, :func:`band_groups`), only in
    a band it shares whose group it shares too.

    Args:
        ids_a, prefixes_a: the members of block a: document indices and the
            first ``band * rows`` values of their signatures, shape
            (len(ids_a), band * rows).
        ids_b, prefixes_b: block b; pass block a again (the same arrays) for
            the pairs within one block.
        band: the bucket's band.
        rows: values per band.
        groups_a, groups_b: None, or the members' groups in the earlier bands,
            shape (len(ids), band): two documents that share band ``k`` are
            in one group of it when ``groups[:, k]`` are equal.

    Returns:
        int64 array (m, 2): pairs ``(i, j)`` with ``i < j``, sorted.
    """
    ids_a = np.asarray(ids_a, dtype=np.int64)
    ids_b = np.asarray(ids_b, dtype=np.int64)
    if ids_a is ids_b or (len(ids_a) == len(ids_b) and np.array_equal(ids_a, ids_b)):
        x, y = np.triu_indices(len(ids_a), k=1)
    else:
        x, y = np.divmod(np.arange(len(ids_a) * len(ids_b), dtype=np.int64), len(ids_b))
    if not len(x):
        return np.empty((0, 2), dtype=np.int64)
    keep = np.ones(len(x), dtype=bool)
    if band:
        pa = np.asarray(prefixes_a).reshape(len(ids_a), band, rows)
        pb = np.asarray(prefixes_b).reshape(len(ids_b), band, rows)
        for k in range(band):
            # Compare band by band: memory stays at one band of the task's pairs.
            earlier = (pa[x, k] == pb[y, k]).all(axis=1)
            if groups_a is not None and groups_b is not None:
                earlier &= np.asarray(groups_a)[x, k] == np.asarray(groups_b)[y, k]
            keep &= ~earlier
    left, right = ids_a[x[keep]], ids_b[y[keep]]
    out = np.stack([np.minimum(left, right), np.maximum(left, right)], axis=1)
    return out[np.lexsort((out[:, 1], out[:, 0]))]


def band_groups(signatures: np.ndarray, band: int, rows: int, max_bucket: int) -> np.ndarray:
    """The group of each document in one band, as :func:`candidate_pairs` forms them: documents with
    equal band keys, each bucket of more than ``max_bucket`` split by :func:`split_heavy` (0: never).

    A bucket's split depends on its members only, so an engine may call this
    on the members of one bucket (all its signatures, whole) and get that
    bucket's part of the answer for the whole collection.

    Returns:
        int64 array (n,): equal labels for documents of one group, in the signatures' order.
    """
    keys = band_keys(signatures, band, rows)
    order = np.argsort(keys, kind="stable")
    keys_sorted = keys[order]
    out = np.empty(len(keys), dtype=np.int64)
    if not len(keys):
        return out
    if max_bucket:
        order, labels = split_heavy(signatures, order, keys_sorted, band, rows, max_bucket)
    else:
        labels = np.cumsum(np.r_[True, keys_sorted[1:] != keys_sorted[:-1]]) - 1
    out[order] = labels
    return out


def blocked_candidate_pairs(signatures: np.ndarray, bands: int, rows: int, block: int = BLOCK,
                            max_bucket: int = 0) -> np.ndarray:
    """:func:`candidate_pairs` computed the way a distributed engine does: per band, documents with equal
    values and one group of :func:`band_groups` (heavy buckets split when ``max_bucket``) split into
    blocks, each pair emitted in the first band where it is a candidate (:func:`first_band_pairs`).

    The same pairs as ``candidate_pairs(signatures, bands, rows, max_bucket)``;
    it shows on one machine what the engine's tasks do, and that no task
    enumerates more than ``block * block`` pairs.
    """
    n = len(signatures)
    groups = np.empty((n, bands), dtype=np.int64)
    out = []
    for band in range(bands):
        groups[:, band] = band_groups(signatures, band, rows, max_bucket)
        values = np.ascontiguousarray(signatures[:, band * rows:(band + 1) * rows]).astype(np.int64)
        _, inverse, counts = np.unique(np.column_stack([values, groups[:, band]]), axis=0, return_inverse=True,
                                       return_counts=True)
        inverse = inverse.reshape(-1)
        order = np.argsort(inverse, kind="stable")
        starts = np.r_[0, np.cumsum(counts)]
        for g in np.flatnonzero(counts > 1):
            members = order[starts[g]:starts[g + 1]]
            for a, b in bucket_blocks(len(members), block):
                ma, mb = members[a * block:(a + 1) * block], members[b * block:(b + 1) * block]
                pairs = first_band_pairs(ma, signatures[ma, :band * rows], mb, signatures[mb, :band * rows],
                                         band, rows, groups[ma, :band], groups[mb, :band])
                out.append(pairs)
    if not out:
        return np.empty((0, 2), dtype=np.int64)
    flat = np.concatenate(out)
    return flat[np.lexsort((flat[:, 1], flat[:, 0]))] if n else flat
