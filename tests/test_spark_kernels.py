"""The Spark engine's candidate kernels, driven on one machine without Spark: the same pairs as the local
scan's :func:`dedup.candidates.candidate_pairs`, heavy buckets split alike, each pair emitted once."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from dedup.candidates import BLOCK, band_groups, blocked_candidate_pairs, candidate_pairs, first_band_pairs

from conftest import template_signatures


def skewed_signatures(seed: int) -> np.ndarray:
    """A template's reports (one bucket in the first bands), 150 copies of one of them, and random
    signatures over a few values (many middling buckets)."""
    sigs = template_signatures(600, shared=6, seed=seed)
    sigs[200:350] = sigs[200]
    rng = np.random.default_rng(seed + 100)
    return np.concatenate([sigs, rng.integers(0, 3, size=(300, 32)).astype(np.uint32)])


def engine_pairs(sigs: np.ndarray, bands: int, rows: int, block: int, max_bucket: int) -> np.ndarray:
    """What :func:`dedup.spark.banded_candidates` does, with its kernels, on Arrow batches and dicts in
    place of Spark's shuffles; documents numbered sparsely, as input order numbers them."""
    pa = pytest.importorskip("pyarrow")
    from dedup.spark import UNSPLIT, band_rows, block_rows, split_bucket, task_pairs

    ords = np.arange(len(sigs), dtype=np.int64) * 7 + 3
    sig_of = {int(o): s.tobytes() for o, s in zip(ords, sigs)}
    batches = [pa.RecordBatch.from_pydict({"ord": ords[k:k + 64], "sig": [sig_of[int(o)] for o in ords[k:k + 64]]})
               for k in range(0, len(ords), 64)]
    keyed = [r for rb in band_rows(iter(batches), bands, rows) for r in rb.to_pylist()]
    buckets = defaultdict(list)
    for r in keyed:
        buckets[r["band"], r["hkey"]].append(r["ord"])
    groups, subs = defaultdict(list), defaultdict(list)
    for (band, hkey), members in buckets.items():
        if max_bucket and len(members) > max_bucket:
            table = pa.Table.from_pylist([{"band": band, "hkey": hkey, "ord": m, "sig": sig_of[m]}
                                          for m in members[::-1]])
            for g in split_bucket(table, rows, max_bucket).to_pylist():
                groups[band, hkey, g["sub"]].append(g["ord"])
                subs[g["ord"]].append({"band": band, "sub": g["sub"]})
        else:
            groups[band, hkey, UNSPLIT].extend(members)
    rows_in = [{"band": b, "hkey": k, "sub": s, "m": m} for (b, k, s), m in groups.items() if len(m) > 1]
    tasks = defaultdict(list)
    for rb in block_rows(iter([pa.RecordBatch.from_pylist(rows_in)]), block):
        for t in rb.to_pylist():
            t["sig"] = sig_of[t["ord"]]
            if max_bucket:
                t["subs"] = subs.get(t["ord"])
            tasks[t["band"], t["hkey"], t["sub"], t["ta"], t["tb"]].append(t)
    out = [np.stack([task_pairs(pa.Table.from_pylist(t), rows).column(c).to_numpy() for c in "ij"], axis=1)
           for t in tasks.values()]
    assert max(len(t) for t in tasks.values()) <= 2 * block  # no task holds more than two blocks
    flat = np.concatenate(out) if out else np.empty((0, 2), np.int64)
    flat = (flat - 3) // 7
    return flat[np.lexsort((flat[:, 1], flat[:, 0]))]


@pytest.mark.parametrize("max_bucket", [0, 2, 30, 100])
@pytest.mark.parametrize("seed", [0, 1])
def test_engine_kernels_give_the_local_candidates(seed: int, max_bucket: int) -> None:
    sigs = skewed_signatures(seed)
    want = candidate_pairs(sigs, 8, 2, max_bucket)
    got = engine_pairs(sigs, 8, 2, 64, max_bucket)
    assert np.array_equal(got, want)  # the same pairs, each once
    if max_bucket in (2, 30):
        assert len(want) < len(candidate_pairs(sigs, 8, 2))  # the split changed the candidates


@pytest.mark.parametrize("max_bucket", [0, 2, 30, 100])
@pytest.mark.parametrize("block", [8, BLOCK])
def test_blocked_banding_splits_heavy_buckets_as_the_local_scan(block: int, max_bucket: int) -> None:
    sigs = skewed_signatures(5)
    assert np.array_equal(blocked_candidate_pairs(sigs, 8, 2, block, max_bucket),
                          candidate_pairs(sigs, 8, 2, max_bucket))


def test_a_bucket_splits_alone_as_in_the_whole_collection() -> None:
    sigs = skewed_signatures(2)
    whole = band_groups(sigs, 0, 2, 30)
    members = np.flatnonzero((sigs[:, :2] == sigs[0, :2]).all(axis=1))
    assert len(members) > 600  # the template's reports and some of the random signatures
    alone = band_groups(sigs[members], 0, 2, 30)
    # The same partition: equal labels alone exactly where equal labels in the whole collection.
    assert np.array_equal(alone[:, None] == alone[None, :], whole[members][:, None] == whole[members][None, :])
    assert 1 < len(np.unique(alone)) and np.bincount(np.unique(alone, return_inverse=True)[1]).max() == 150


def test_an_earlier_band_counts_only_in_its_group() -> None:
    sigs = np.array([[1, 1, 5, 5], [1, 1, 5, 5], [2, 2, 5, 5]], dtype=np.uint32)
    ids = np.arange(3)
    # 0 and 1 share band 0 but were split apart there: band 1 emits them.
    apart = np.array([[10], [11], [12]])
    together = np.array([[10], [10], [12]])
    assert first_band_pairs(ids, sigs[:, :2], ids, sigs[:, :2], 1, 2, apart, apart).tolist() == [[0, 1], [0, 2],
                                                                                                  [1, 2]]
    assert first_band_pairs(ids, sigs[:, :2], ids, sigs[:, :2], 1, 2, together, together).tolist() == [[0, 2],
                                                                                                        [1, 2]]


def test_band_values_with_one_64_bit_key_make_one_bucket_and_no_pair() -> None:
    # 2971215073 * 0x9E3779B97F4A7C15 = -50920843 (mod 2**64): these two bands of two values fold to one key.
    x, y = (2971215073, 60_000_000), (0, 60_000_000 - 50_920_843)
    rng = np.random.default_rng(4)
    sigs = rng.integers(0, 3, size=(60, 16)).astype(np.uint32)
    sigs[:30, :2], sigs[30:, :2] = x, y
    labels = band_groups(sigs, 0, 2, 40)
    assert len(np.unique(labels[:30])) > 1  # 60 in one bucket, more than 40: split, though each value holds 30
    for max_bucket in (0, 40):
        want = candidate_pairs(sigs, 8, 2, max_bucket)
        assert np.array_equal(engine_pairs(sigs, 8, 2, 16, max_bucket), want)
        assert np.array_equal(blocked_candidate_pairs(sigs, 8, 2, 16, max_bucket), want)
    # Documents 0 and 30 meet in one task of band 0's bucket only, and differ in its values: no candidate.
    sigs[30, 2:] = sigs[0, 2:] + 5
    assert len(engine_pairs(sigs, 8, 2, 16, 0)) > 400
    assert [0, 30] not in candidate_pairs(sigs, 8, 2).tolist()
    assert [0, 30] not in engine_pairs(sigs, 8, 2, 16, 0).tolist()
