"""LSH banding yields exactly datasketch.MinHashLSH's candidate pairs."""

from __future__ import annotations

import gzip
import json
from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.candidates import blocked_candidate_pairs, bucket_blocks, candidate_pairs, first_band_pairs
from dedup.errors import ConfigError
from dedup.shingle import shingle_batch
from dedup.signature import MinHasher

from conftest import REUTERS, need, template_signatures

ROOT = Path(__file__).resolve().parents[1]


def datasketch_pairs(signatures: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """Candidate pairs from MinHashLSH: insert every signature, query every one."""
    n, num_perm = signatures.shape
    lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows))
    sketches = [MinHash(num_perm=num_perm, hashvalues=row.astype(np.uint64), scheme="affine32") for row in signatures]
    for i, m in enumerate(sketches):
        lsh.insert(i, m)
    pairs = set()
    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def ours(signatures: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    pairs = candidate_pairs(signatures, bands, rows)
    assert pairs.dtype == np.int64 and pairs.shape[1] == 2
    assert (pairs[:, 0] < pairs[:, 1]).all()
    as_list = [tuple(p) for p in pairs.tolist()]
    assert as_list == sorted(set(as_list)), "pairs must be sorted and unique"
    return set(as_list)


def real_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    if not REUTERS.exists():
        pytest.skip(f"{REUTERS} not found (the shared Reuters-21578 data)")
    with gzip.open(REUTERS, "rt", encoding="utf-8") as f:
        bodies = (json.loads(line).get("body") or "" for line in f)
        texts += list(islice((b for b in bodies if b), 400))
    return texts


@pytest.mark.parametrize("bands,rows", [(47, 2), (32, 4), (16, 8), (8, 16)])
def test_real_data_pairs_equal_minhashlsh(bands: int, rows: int) -> None:
    texts = real_texts()
    values, lengths, _ = shingle_batch(texts)
    sigs = MinHasher(128, 1).signatures_flat(values, lengths)
    expected = datasketch_pairs(sigs, bands, rows)
    assert ours(sigs, bands, rows) == expected
    if rows <= 4:
        # Reuters repeats some stories verbatim and the seeds hold a pair: there is something to find.
        assert len(expected) > 5


def planted(rng: np.random.Generator, n: int, num_perm: int, bands: int, rows: int) -> np.ndarray:
    """Random signatures from a small alphabet, with copied bands, whole copies and near misses."""
    sigs = rng.integers(0, 6, size=(n, num_perm), dtype=np.uint32)
    for _ in range(n // 3):
        i, j = rng.integers(0, n, 2)
        band = int(rng.integers(0, bands))
        lo, hi = band * rows, (band + 1) * rows
        kind = rng.integers(0, 3)
        if kind == 0:  # one equal band: a candidate
            sigs[j, lo:hi] = sigs[i, lo:hi]
        elif kind == 1:  # an exact duplicate
            sigs[j] = sigs[i]
        elif rows > 1:  # all but one value of a band: not a candidate through this band
            sigs[j, lo:hi] = sigs[i, lo:hi]
            sigs[j, hi - 1] = sigs[i, hi - 1] + np.uint32(1)
    return sigs


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shape=st.sampled_from([(16, 8), (8, 16), (20, 5), (4, 3), (2, 32)]),
       n=st.integers(0, 120))
def test_planted_collisions_equal_minhashlsh(seed: int, shape: tuple[int, int], n: int) -> None:
    bands, rows = shape
    rng = np.random.default_rng(seed)
    # Alphabet of 6 values: with few rows, chance band collisions are common too.
    sigs = planted(rng, n, 128, bands, rows)
    assert ours(sigs, bands, rows) == datasketch_pairs(sigs, bands, rows)


def test_planted_pairs_are_found() -> None:
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 2**32, size=(50, 64), dtype=np.uint32)
    sigs[10, 8:16] = sigs[3, 8:16]  # band 1 of 8x8
    sigs[20] = sigs[30]
    sigs[40, 0:7] = sigs[41, 0:7]  # 7 of 8 values of band 0: no candidate
    assert ours(sigs, 8, 8) == {(3, 10), (20, 30)} == datasketch_pairs(sigs, 8, 8)


def test_bad_banding_is_refused() -> None:
    sigs = np.zeros((3, 16), dtype=np.uint32)
    with pytest.raises(ConfigError, match="bands \\* rows must be at most num_perm"):
        candidate_pairs(sigs, 5, 4)


@pytest.mark.parametrize("block", [2, 7, 256])
@pytest.mark.parametrize("seed", [0, 1])
def test_blocked_banding_gives_the_same_pairs(block: int, seed: int) -> None:
    # Few distinct values make big buckets, so the blocks split them.
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 4, size=(120, 16)).astype(np.uint32)
    want = candidate_pairs(sigs, 8, 2)
    got = blocked_candidate_pairs(sigs, 8, 2, block=block)
    assert len(want) > 100
    assert np.array_equal(got, want)  # each pair once: no de-duplication after the bands


def test_real_signatures_blocked_equal() -> None:
    need(REUTERS)
    values, lengths, _ = shingle_batch(real_texts())
    sigs = MinHasher(128, 1).signatures_flat(values, lengths)
    want = candidate_pairs(sigs, 59, 2)
    assert len(want) > 5
    assert np.array_equal(blocked_candidate_pairs(sigs, 59, 2, block=4), want)


def test_a_pair_is_emitted_only_in_its_first_shared_band() -> None:
    sigs = np.array([[1, 1, 5, 5], [1, 1, 5, 5], [2, 2, 5, 5]], dtype=np.uint32)
    ids = np.arange(3)
    # Band 1 (values 5, 5) holds all three; 0 and 1 already share band 0.
    assert first_band_pairs(ids, sigs[:, :2], ids, sigs[:, :2], 1, 2).tolist() == [[0, 2], [1, 2]]
    assert first_band_pairs(ids, sigs[:, :0], ids, sigs[:, :0], 0, 2).tolist() == [[0, 1], [0, 2], [1, 2]]


def test_bucket_blocks_bound_each_task() -> None:
    tasks = bucket_blocks(1000, 256)
    assert tasks == [(a, b) for a in range(4) for b in range(a, 4)]
    sizes = [min(256, 1000 - 256 * a) * (min(256, 1000 - 256 * b) if a != b else (min(256, 1000 - 256 * a) - 1) / 2)
             for a, b in tasks]
    assert max(sizes) <= 256 * 256
    assert sum(sizes) == 1000 * 999 / 2


# ---------------------------------------------------------------- heavy buckets

def test_buckets_within_the_limit_are_left_as_they_are() -> None:
    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 6, size=(300, 16)).astype(np.uint32)
    largest = max(int(np.unique(sigs[:, b * 2:(b + 1) * 2], axis=0, return_counts=True)[1].max()) for b in range(8))
    assert largest > 2
    whole = candidate_pairs(sigs, 8, 2)
    assert np.array_equal(candidate_pairs(sigs, 8, 2, max_bucket=largest), whole)
    assert len(candidate_pairs(sigs, 8, 2, max_bucket=largest - 1)) < len(whole)


def test_a_template_bucket_is_split_and_candidates_per_document_are_bounded() -> None:
    sigs = template_signatures(2000, shared=4)
    whole = candidate_pairs(sigs, 8, 2)
    assert len(whole) == 2000 * 1999 // 2  # the first two bands put every report in one bucket
    capped = candidate_pairs(sigs, 8, 2, max_bucket=50)
    per_doc = np.bincount(capped.ravel(), minlength=len(sigs))
    assert per_doc.max() <= 8 * 49
    assert len(capped) < len(whole) // 20
    assert set(map(tuple, capped.tolist())) <= set(map(tuple, whole.tolist()))


def test_copies_stay_candidates_however_large_their_bucket() -> None:
    sigs = template_signatures(400, shared=4)
    sigs[100:300] = sigs[100]  # 200 copies of one report
    capped = {tuple(p) for p in candidate_pairs(sigs, 8, 2, max_bucket=10).tolist()}
    assert all((i, j) in capped for i in range(100, 300) for j in range(i + 1, 300))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 40), st.integers(2, 40))
def test_a_larger_limit_only_adds_candidates(seed: int, small: int, large: int) -> None:
    small, large = min(small, large), max(small, large)
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 3, size=(120, 12)).astype(np.uint32)
    few = {tuple(p) for p in candidate_pairs(sigs, 6, 2, max_bucket=small).tolist()}
    more = {tuple(p) for p in candidate_pairs(sigs, 6, 2, max_bucket=large).tolist()}
    assert few <= more <= {tuple(p) for p in candidate_pairs(sigs, 6, 2).tolist()}


@pytest.mark.parametrize("max_bucket", [0, 10])
def test_bands_worked_on_in_threads_give_the_same_pairs(monkeypatch: pytest.MonkeyPatch, max_bucket: int) -> None:
    """Template buckets (split or not) and planted copies: any number of threads, the same pairs."""
    from dedup import candidates

    monkeypatch.setattr(candidates, "THREADED_MIN", 100)
    sigs = template_signatures(600, shared=4)
    sigs[300:400] = sigs[:100]
    one = candidate_pairs(sigs, 16, 2, max_bucket=max_bucket)
    assert len(one) > 100
    for threads in (2, 3, 16):
        assert np.array_equal(candidate_pairs(sigs, 16, 2, max_bucket=max_bucket, threads=threads), one)


def test_the_limit_is_checked() -> None:
    from dedup import ScanConfig

    for bad in (1, -1, 2.5, True):
        with pytest.raises(ConfigError, match="max_bucket"):
            ScanConfig(max_bucket=bad)
    assert ScanConfig(max_bucket=0).max_bucket == 0


def test_splitting_heavy_buckets_keeps_every_pair_of_real_news_with_template_reports() -> None:
    import random

    from dedup import Document, ReadOptions, ScanConfig, read_documents, scan_documents

    docs = list(islice(read_documents([str(need(REUTERS))], ReadOptions()), 6000))
    rng = random.Random(11)
    months = "Jan Feb March April May June July Aug Sept Oct Nov Dec".split()
    for k in range(800):
        name = " ".join(rng.choice(["Alder", "Birch", "Cedar", "Dover", "Elm", "Fairway", "Granite", "Harbor",
                                    "Iris", "Juniper", "Keystone", "Laurel"]) + rng.choice(["ton", "field", "wood"])
                        for _ in range(2))
        now, prior = rng.randint(2, 95), rng.randint(2, 95)
        docs.append(Document(f"report{k}", f"{name.upper()} SETS QUARTERLY DIVIDEND\nQtly div {now} cts vs {prior} "
                                           f"cts prior\nPay {rng.choice(months)} {rng.randint(1, 28)}\nRecord "
                                           f"{rng.choice(months)} {rng.randint(1, 28)}\nReuter"))
    split = scan_documents(docs, ScanConfig(jobs=1))
    whole = scan_documents(docs, ScanConfig(jobs=1, max_bucket=0))
    assert [(p.left, p.right) for p in split.pairs] == [(p.left, p.right) for p in whole.pairs]
    assert split.candidates * 3 < whole.candidates


def test_thousands_of_copies_are_candidates_with_their_first_only() -> None:
    # 2,500 copies of one article took 5 minutes and 4.5 GB: one signature cannot be split, and its bucket's
    # pairs grew with the square of the copies in every band. Past max_bucket, copies pair with their first.
    from dedup.candidates import copy_groups, scan_candidate_pairs

    rng = np.random.default_rng(3)
    sigs = rng.integers(0, 2**32, (400, 128), dtype=np.uint32)
    sigs[10:20] = sigs[9]  # a few copies: left to the bands
    copies = np.r_[50, 100:250, 399]
    sigs[copies] = sigs[50]
    sigs[300, :64] = sigs[50, :64]  # a near-copy, found through the first copy's bands
    assert [g.tolist() for g in copy_groups(sigs, 100)] == [copies.tolist()]
    full = candidate_pairs(sigs, 32, 4, max_bucket=100)
    got = scan_candidate_pairs(sigs, 32, 4, max_bucket=100)
    inside = np.isin(got, copies[1:])
    others = set(map(tuple, got[~inside.any(axis=1)].tolist()))
    # The near-copy is a candidate with the first copy: beside the copies it shared a bucket too large to keep.
    assert (50, 300) in others and (50, 300) not in set(map(tuple, full.tolist()))
    assert others - {(50, 300)} == set(map(tuple, full[~np.isin(full, copies[1:]).any(axis=1)].tolist()))
    assert sorted(map(tuple, got[inside.any(axis=1)].tolist())) == [(50, int(c)) for c in copies[1:]]
    # Without such a group (or without max_bucket) the pairs are candidate_pairs' own.
    sigs[copies[50:]] = rng.integers(0, 2**32, (len(copies) - 50, 128), dtype=np.uint32)
    assert np.array_equal(scan_candidate_pairs(sigs, 32, 4, 100), candidate_pairs(sigs, 32, 4, 100))
    assert np.array_equal(scan_candidate_pairs(sigs, 32, 4, 0), candidate_pairs(sigs, 32, 4, 0))


def test_a_scan_of_many_copies_is_one_cluster_in_linear_work(tmp_path: Path) -> None:
    import dedup

    text = (Path(__file__).resolve().parents[1] / "seeds" / "000_cc67e4122e3a257f.txt").read_text(encoding="utf-8")
    docs = [dedup.Document(f"c{k:03d}", text) for k in range(300)] + [dedup.Document("other", "A different story.")]
    result = dedup.scan_documents(docs)
    assert [len(c.members) for c in result.clusters] == [300]
    assert len(result.pairs) == 299 and result.candidates == 299
