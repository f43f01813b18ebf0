"""The sketch filter of index queries (dedup.index_batch.may_match): it spares the
fetch and comparison of candidates that cannot match, and never drops one
that the rule accepts."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
from hypothesis import given, settings, strategies as st

from dedup import Index, MinHasher, ScanConfig, read_documents
from dedup.candidates import candidate_pairs
from dedup.index_batch import FILTER_EPSILON, agreement_floor, lowest_jaccard, may_match, sketches
from dedup.shingle import shingle_set
from dedup.verify import Rule, similarity

from conftest import REUTERS, need

RULE = ScanConfig().rule
HASHER = MinHasher(128, 1)


def binomial_cdf(m: int, n: int, p: float) -> float:
    return sum(math.comb(n, k) * p ** k * (1 - p) ** (n - k) for k in range(m + 1))


def test_the_agreement_floor_is_the_binomial_quantile() -> None:
    floor = agreement_floor(128, FILTER_EPSILON)
    assert floor[128] == 1.0 and np.all(np.diff(floor) > 0)
    for m in (0, 5, 16, 30, 60, 100, 127):
        # At the floor, m or fewer agreeing positions have probability epsilon; above it, less.
        assert math.isclose(binomial_cdf(m, 128, floor[m]), FILTER_EPSILON, rel_tol=1e-4)
        assert binomial_cdf(m, 128, min(1.0, floor[m] * 1.01)) < FILTER_EPSILON


def test_lowest_jaccard_is_where_the_rule_starts_to_accept() -> None:
    rule = Rule(threshold=0.5, containment=0.55)
    for a, b in ((600, 600), (100, 1000), (1000, 100), (37, 41)):
        j0 = float(lowest_jaccard(np.array([a]), np.array([b]), rule)[0])
        inter = j0 * (a + b) / (1 + j0)
        union = a + b - inter
        assert rule.accepts(inter / union * (1 + 1e-9), inter / a * (1 + 1e-9), inter / b * (1 + 1e-9))
        lower = inter * 0.999
        assert not rule.accepts(lower / (a + b - lower), lower / a, lower / b)
    # Equal sizes: containment 0.55 is Jaccard 0.55 / 1.45; a tenth the size: far lower.
    assert math.isclose(float(lowest_jaccard(np.array([600]), np.array([600]), rule)[0]), 0.55 / 1.45)
    assert float(lowest_jaccard(np.array([100]), np.array([1000]), rule)[0]) < 0.06


def _pair_arrays(pairs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...]:
    sigs_a = HASHER.signatures([a for a, _ in pairs])
    sigs_b = HASHER.signatures([b for _, b in pairs])
    return (sketches(sigs_a), np.array([len(a) for a, _ in pairs]), sketches(sigs_b),
            np.array([len(b) for _, b in pairs]))


@settings(max_examples=40, deadline=None)
@given(st.integers(50, 800), st.integers(50, 800), st.floats(0.0, 1.0), st.integers(0, 2**31))
def test_a_pair_the_rule_accepts_is_never_dropped(a_size: int, b_size: int, share: float, seed: int) -> None:
    """Sets of any sizes sharing any part of the smaller: accepted by the rule implies kept by the filter."""
    rng = np.random.default_rng(seed)
    pool = rng.choice(2**32, size=a_size + b_size, replace=False).astype(np.uint32)
    common = int(round(share * min(a_size, b_size)))
    a = np.sort(pool[:a_size])
    b = np.sort(np.concatenate([pool[:common], pool[a_size : a_size + b_size - common]]))
    jac, a_in_b, b_in_a = similarity(a, b)
    keep = may_match(*_pair_arrays([(a, b)]), RULE)
    if RULE.accepts(jac, a_in_b, b_in_a):
        assert keep.tolist() == [True]


def test_unrelated_articles_are_dropped_and_a_contained_one_is_kept() -> None:
    docs = list(read_documents([need(REUTERS)]))[:400]
    sets = [shingle_set(d.text) for d in docs if len(d.text.split()) > 150][:60]
    unrelated = [(sets[i], sets[k]) for i in range(0, 60) for k in range(i + 1, 60)
                 if max(len(sets[i]), len(sets[k])) < 1.5 * min(len(sets[i]), len(sets[k]))
                 and similarity(sets[i], sets[k])[0] < 0.1]
    assert len(unrelated) > 100
    # Of similar sizes, containment needs a Jaccard near 0.38: 128 sketch positions tell them apart.
    assert not may_match(*_pair_arrays(unrelated), RULE).any()
    # A short piece of a long article: Jaccard far below the threshold, containment 1.
    long = max(sets, key=len)
    short = long[:: max(2, len(long) // 60)]
    jac, s_in_l, _ = similarity(short, long)
    assert jac < 0.2 and s_in_l == 1.0
    assert may_match(*_pair_arrays([(short, long)]), RULE).tolist() == [True]


def test_on_reuters_every_candidate_the_filter_drops_is_rejected_by_the_rule() -> None:
    """All LSH candidate pairs among 6,000 Reuters articles: the filter drops most, and none the rule accepts."""
    with gzip.open(need(REUTERS), "rt", encoding="utf-8") as fh:
        texts = [json.loads(line).get("body") or "" for _, line in zip(range(6000), fh)]
    sets = [shingle_set(t) for t in texts]
    sets = [s for s in sets if len(s)]
    sigs = HASHER.signatures(sets)
    cands = candidate_pairs(sigs, *ScanConfig().banding)
    assert len(cands) > 1000
    sk = sketches(sigs)
    sizes = np.array([len(s) for s in sets])
    i, j = cands[:, 0], cands[:, 1]
    keep = may_match(sk[i], sizes[i], sk[j], sizes[j], RULE)
    accepted = np.array([RULE.accepts(*similarity(sets[a], sets[b])) for a, b in cands.tolist()])
    assert accepted.sum() >= 100
    assert not (accepted & ~keep).any()
    # A third of the candidates the rule rejects never reach verification (671 of 1,841 when written): Reuters
    # mixes short and long articles, and containment lets a short one match at a low Jaccard, so for pairs of
    # unequal sizes the sketch can rule little out.
    assert (~keep).sum() > 0.3 * (~accepted).sum()


def test_queries_with_and_without_the_filter_give_the_same_matches(tmp_path: Path, monkeypatch) -> None:
    """Reuters, every other article indexed and the others queried: the same matches with the filter on and off,
    with the occasion check off (all shingle-rule matches reported), and the filter dropped candidates."""
    with gzip.open(need(REUTERS), "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for _, line in zip(range(6000), fh)]
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    for path, part in ((first, records[::2]), (second, records[1::2])):
        path.write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
    config = ScanConfig(occasion=False)
    with Index(tmp_path / "r.db", config) as index:
        index.add(read_documents([str(first)]))
    found, stats = [], []
    for prefilter in (True, False):
        with Index(tmp_path / "r.db", config, prefilter=prefilter) as index:
            found.append(index.query(read_documents([str(second)])))
            stats.append(index.stats)
    assert found[0] == found[1]
    assert sum(len(r.matches) for r in found[0]) >= 50
    # Fetching the candidates' sets a few rows at a time changes nothing either.
    from dedup import index as index_module

    monkeypatch.setattr(index_module, "FETCH_ROWS", 5)
    with Index(tmp_path / "r.db", config, prefilter=False) as index:
        assert index.query(read_documents([str(second)])) == found[0]
    on, off = stats
    assert on.candidates == off.candidates and off.filtered == 0 and off.verified == off.candidates
    assert on.filtered > 0.3 * (on.candidates - sum(len(r.matches) for r in found[0]))
    assert on.verified == on.candidates - on.filtered
