"""Accuracy pinned on real news, cheaply: the sets and scoring of
benchmarks/accuracy.py on small samples, with the default settings."""

import importlib.util
import sys

import pytest

from dedup import ScanConfig

from conftest import CHAINS, REUTERS, ROOT, need


@pytest.fixture(scope="module")
def acc():
    spec = importlib.util.spec_from_file_location("accuracy_benchmark", ROOT / "benchmarks" / "accuracy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reuters(acc):
    return acc.load_reuters(need(REUTERS))


def test_seeds_exact_with_defaults(acc):
    score = acc.run(acc.seeds_truth(ROOT), ScanConfig())
    assert (score.precision, score.recall, score.ari, score.clusters) == (1.0, 1.0, 1.0, 1)


def test_story_chains_precision_is_one_with_defaults(acc):
    need(CHAINS / "article_texts.csv")
    one, _, _ = acc.chains_truth(CHAINS, "coder1")
    two, _, _ = acc.chains_truth(CHAINS, "coder2")
    for truth in (one, acc.agreed_truth(one, two)):
        score = acc.run(truth, ScanConfig())
        assert score.precision == 1.0 and score.predicted >= 15
        # Most labelled pairs that share substantial text are found.
        assert score.subset_recall["J>=0.2"] >= 0.6


def test_site_boilerplate_makes_no_false_clusters(acc, reuters):
    clean, site = acc.boilerplate_truths(reuters, seed=7, stories=40)
    assert len(site.docs) > 40 and site.positives
    off = acc.run(site, ScanConfig(boilerplate_share=1.0))
    assert off.false_clusters > 0  # the hazard is real in this sample
    on, plain = acc.run(site, ScanConfig()), acc.run(clean, ScanConfig())
    assert on.false_clusters == 0 and plain.false_clusters == 0
    assert on.recall == plain.recall


def test_reuters_revisions_found_among_same_topic_stories(acc, reuters):
    truth = acc.revision_truth(reuters, [], seed=7, stories=40, negatives=2)
    assert len(truth.docs) > 120
    first = acc.run(truth, ScanConfig())
    assert first.precision == 1.0 and first.recall >= 0.95
    # Same sets, same scores: generation and scanning are deterministic.
    again = acc.run(acc.revision_truth(reuters, [], seed=7, stories=40, negatives=2), ScanConfig())
    assert again == first
