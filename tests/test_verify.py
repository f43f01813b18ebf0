from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from dedup.errors import ConfigError
from dedup.shingle import ShingleConfig, shingle_set
from dedup.verify import Rule, ShingleCounts, intersection_size, similarity, verify

from conftest import SEED_PAIR

sets = st.lists(st.integers(0, 2**32 - 1), max_size=60).map(lambda xs: np.unique(np.array(xs, dtype=np.uint32)))


@given(sets, sets)
def test_similarity_is_symmetric_and_exact(a, b):
    jab, a_in_b, b_in_a = similarity(a, b)
    jba, b_in_a2, a_in_b2 = similarity(b, a)
    assert jab == jba and a_in_b == a_in_b2 and b_in_a == b_in_a2
    inter = len(set(a.tolist()) & set(b.tolist()))
    assert intersection_size(a, b) == inter
    union = len(set(a.tolist()) | set(b.tolist()))
    assert jab == (inter / union if union else 1.0)


def test_seed_pair_similarity(seed_texts):
    a = shingle_set(seed_texts[SEED_PAIR[0]], ShingleConfig(5))
    b = shingle_set(seed_texts[SEED_PAIR[1]], ShingleConfig(5))
    jac, a_in_b, b_in_a = similarity(a, b)
    assert 0.44 < jac < 0.46
    assert 0.72 < a_in_b < 0.74
    assert 0.52 < b_in_a < 0.55


def test_rule_accepts_by_jaccard_or_containment():
    rule = Rule(threshold=0.5, containment=0.6)
    assert rule.accepts(0.5, 0.1, 0.1)
    assert rule.accepts(0.3, 0.61, 0.2)
    assert rule.accepts(0.3, 0.2, 0.61)
    assert not rule.accepts(0.49, 0.59, 0.59)


@pytest.mark.parametrize("name,value", [("threshold", 1.5), ("threshold", 0.0), ("containment", -0.1)])
def test_rule_rejects_out_of_range(name, value):
    with pytest.raises(ConfigError, match=f"The '{name}' parameter must be in \\(0.0, 1.0\\]. Got {value} instead."):
        Rule(**{name: value})


def test_verify_keeps_only_accepted_pairs():
    s = {0: np.arange(10, dtype=np.uint32), 1: np.arange(2, 12, dtype=np.uint32), 2: np.arange(100, 110, dtype=np.uint32)}
    cands = np.array([[0, 1], [0, 2], [1, 2]])
    pairs = list(verify(cands, s.__getitem__, Rule(0.5, 0.9)))
    assert [(p.left, p.right) for p in pairs] == [(0, 1)]
    assert pairs[0].jaccard == pytest.approx(8 / 12)


def test_shingle_counts_give_document_frequency():
    counts = ShingleCounts()
    counts.add(np.array([1, 2, 3, 2, 3, 3], dtype=np.uint32), docs=3)
    counts.add(np.array([3, 7], dtype=np.uint32), docs=1)
    assert counts.docs == 4
    assert counts.frequency(np.array([1, 2, 3, 7, 9], dtype=np.uint32)).tolist() == [1, 2, 4, 1, 0]


def test_shared_counts_add_and_take_back_from_forked_processes(monkeypatch):
    import importlib
    import multiprocessing

    from dedup.errors import DedupError

    verify_module = importlib.import_module("dedup.verify")  # the package's ``verify`` is the function

    counts = ShingleCounts(shared=True)
    values = np.array([1, 2, 3, 2, 3, 3, 4_194_305], dtype=np.uint32)  # the last falls in bucket 1
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=counts.count_now, args=(values,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    assert [p.exitcode for p in procs] == [0] * 4
    counts.count_now(values[:3], sign=-1)
    assert counts.frequency(np.array([1, 2, 3, 4], dtype=np.uint32)).tolist() == [7, 7, 11, 0]
    # A process that dies holding the counts must not hang the others: they give up with an error.
    monkeypatch.setattr(verify_module, "LOCK_WAIT", 0.2)
    holder = ctx.Process(target=lambda: (counts._lock.acquire(), __import__("os")._exit(0)))
    holder.start()
    holder.join()
    with pytest.raises(DedupError, match="a worker process stopped while it counted"):
        counts.count_now(values)


def test_boilerplate_needs_more_than_the_share_and_the_minimum():
    counts = ShingleCounts()
    # 20 documents: shingle 5 in all, 6 in 11, 7 in 10, 8 in 3.
    for d in range(20):
        counts.add(np.array([5] + [6] * (d < 11) + [7] * (d < 10) + [8] * (d < 3), dtype=np.uint32), docs=1)
    flagged = lambda b: [s for s in (5, 6, 7, 8) if b.flags[s]]  # noqa: E731
    assert flagged(counts.boilerplate(0.5, 5)) == [5, 6]
    assert flagged(counts.boilerplate(0.1, 5)) == [5, 6, 7]
    assert flagged(counts.boilerplate(0.1, 11)) == [5, 6]
    assert flagged(counts.boilerplate(1.0, 2)) == []


def test_own_shingles_drop_boilerplate_unless_nothing_is_left():
    counts = ShingleCounts()
    for _ in range(10):
        counts.add(np.array([1, 2, 3], dtype=np.uint32), docs=1)
    counts.add(np.array([1, 2, 3, 40, 41], dtype=np.uint32), docs=1)
    bp = counts.boilerplate(0.5, 5)
    assert bp.size == 3 and bp.cutoff == 6
    assert bp.own(np.array([1, 2, 3, 40, 41], dtype=np.uint32)).tolist() == [40, 41]
    # A document made only of common shingles is compared on all of them.
    assert bp.own(np.array([1, 2, 3], dtype=np.uint32)).tolist() == [1, 2, 3]
    sets = {0: np.array([1, 2, 3, 40], dtype=np.uint32), 1: np.array([1, 2, 3, 41], dtype=np.uint32)}
    assert similarity(sets[0], sets[1])[0] == 0.6
    assert similarity(bp.view(sets.__getitem__)(0), bp.view(sets.__getitem__)(1)) == (0.0, 0.0, 0.0)


def test_a_document_mostly_of_common_shingles_is_compared_on_all_of_them():
    # Five versions of one story in a folder of five, each with a byline of its own: the story is in every
    # document, so its shingles are common; left without them, the versions were compared on their bylines
    # and not grouped. Under OWN_SHARE of a set its own, the whole set is compared.
    from dedup.verify import OWN_SHARE

    counts = ShingleCounts()
    story = np.arange(100, 120, dtype=np.uint32)
    for k in range(5):
        counts.add(np.append(story, np.uint32(500 + k)), docs=1)
    bp = counts.boilerplate(0.5, 5)
    versions = {k: np.append(story, np.uint32(500 + k)) for k in range(5)}
    got = bp.view(versions.__getitem__)
    assert 1 / 21 < OWN_SHARE and got(0).tolist() == versions[0].tolist()
    assert similarity(got(0), got(1))[0] > 0.9
    # A page with a story of its own beside the common template keeps only the story.
    page = np.append(story[:10], np.arange(900, 905, dtype=np.uint32))
    assert bp.view(lambda i: page)(0).tolist() == list(range(900, 905))


def test_versions_of_one_story_that_are_most_of_a_folder_group(tmp_path):
    import dedup

    text = (Path(__file__).resolve().parents[1] / "seeds" / "000_cc67e4122e3a257f.txt").read_text(encoding="utf-8")
    docs = [dedup.Document(f"v{k}", f"{text}\nReporting by staff writer {k}.") for k in range(5)]
    assert [len(c.members) for c in dedup.scan_documents(docs).clusters] == [5]



def test_documents_mostly_of_boilerplate_are_counted():
    counts = ShingleCounts()
    for _ in range(6):
        counts.add(np.arange(10, dtype=np.uint32), docs=1)
    bp = counts.boilerplate(0.5, 5)
    sets = {0: np.arange(10, dtype=np.uint32), 1: np.arange(5, 20, dtype=np.uint32),
            2: np.arange(8, 30, dtype=np.uint32), 3: np.empty(0, np.uint32)}
    # 10 of 10 common, 5 of 15 (a third), 2 of 22, an empty set: one is at least half boilerplate, two at a third.
    assert bp.mostly(sets.__getitem__, range(4)) == 1 and bp.mostly(sets.__getitem__, range(4), share=0.3) == 2


def test_similarity_takes_lists_and_sets_as_collections_of_hashes():
    # A list raised numpy's "only integer scalar arrays" TypeError, a set "object of too small depth".
    assert similarity([4, 3, 2, 1, 1], {5, 4, 3}) == similarity(np.array([1, 2, 3, 4]), np.array([3, 4, 5]))
    assert similarity([], set()) == (1.0, 1.0, 1.0)
