"""The verify stage's whole rule on candidate pairs, for any engine: exact similarity of the shingle
sets (:mod:`dedup.verify`) or the short-text rule, then the occasion check. Plain functions of
candidate arrays and a :class:`PairJudge`, so the local scan can verify all its candidates at
once, or a block at a time in worker processes, and Spark a block per task: the same pairs and
the same counts of rejections either way."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, NamedTuple, Optional, Sequence

import numpy as np

from .config import ScanConfig
from .features import DocInfo
from .occasion import Evidence, OccasionResult, WordWeights
from .short import ShortMatch, ShortMatcher
from .verify import Boilerplate, Pair, similarity, verify

if TYPE_CHECKING:
    from .spool import SetStore


class PairJudge:
    """The whole near-duplicate rule on any two documents of a scan.

    Holds what verification needs (shingle sets, word sets, figure sets,
    dates, correction marks, word weights, the short-text rule) and decides
    a pair the way the scan does: the shingle rule or the short-text rule,
    then the occasion check.
    """

    def __init__(self, config: ScanConfig, infos: Sequence[DocInfo], get_set: Callable[[int], np.ndarray],
                 get_words: Callable[[int], np.ndarray], get_figures: Callable[[int], np.ndarray],
                 get_lead: Callable[[int], np.ndarray], get_title: Callable[[int], np.ndarray],
                 corrections: np.ndarray, weights: WordWeights, short: Optional[ShortMatcher]) -> None:
        self.config = config
        self.rule = config.rule
        self.occasion = config.occasion_rule
        self.infos = infos
        self.get_set = get_set
        self.get_words = get_words
        self.get_figures = get_figures
        self.get_lead = get_lead
        self.get_title = get_title
        self.corrections = corrections
        self.weights = weights
        self.short = short

    def evidence(self, i: int) -> Evidence:
        info = self.infos[i]
        return Evidence(self.get_words(i), self.get_figures(i), self.get_lead(i),
                        None if info.date_is_mtime else info.date,
                        bool(self.corrections[i]), info.words, self.get_title(i))

    def check(self, i: int, j: int, jaccard: float, containment: float) -> Optional[OccasionResult]:
        """The occasion check of a pair (None when the check is off)."""
        if self.occasion is None:
            return None
        return self.occasion.check(self.evidence(i), self.evidence(j), jaccard, containment, self.weights)

    def judge(self, i: int, j: int) -> tuple[Optional[Pair], Optional[str]]:
        """(the pair if the rule accepts it, else None; the check that failed, if any)."""
        lo, hi = min(i, j), max(i, j)
        jac, lr, rl = similarity(self.get_set(lo), self.get_set(hi))
        if self.rule.accepts(jac, lr, rl):
            rule = "shingles"
        elif self.short is not None and self.short.match(lo, hi) is not None:
            rule = "short"
        else:
            return None, "similarity"
        return self.finish(Pair(lo, hi, jac, lr, rl, rule=rule))

    def compatible(self, i: int, j: int) -> bool:
        """Whether nothing says that documents i and j, joined through other cluster members, report
        another occasion or subject: their dates and subjects agree."""
        if self.occasion is None:
            return True
        lo, hi = min(i, j), max(i, j)
        jac, lr, rl = similarity(self.get_set(lo), self.get_set(hi))
        got = self.check(lo, hi, jac, max(lr, rl))
        # Figures are compared where two texts tell the same thing; a member joined through another
        # version may share little text with the kept copy, and their figures then come from different
        # paragraphs. Dates and subject say another occasion whatever the overlap.
        return got is None or not (set(got.failed) - {"figures"})

    def finish(self, pair: Pair) -> tuple[Optional[Pair], Optional[str]]:
        """Apply the occasion check to a pair the shingle or short-text rule accepted."""
        got = self.check(pair.left, pair.right, pair.jaccard, pair.containment)
        if got is None:
            return pair, None
        if not got.passed:
            return None, got.failed[0]
        return replace(pair, days=got.days, figures=got.figures, subject=got.subject,
                       correction=got.correction), None


def verify_candidates(candidates: np.ndarray, judge: PairJudge,
                      short_matches: Iterable[ShortMatch] = ()) -> tuple[list[Pair], dict[str, int]]:
    """The whole rule on candidate pairs: the pairs it accepts and, by check, the ones it rejects.

    A plain function of arrays and a :class:`PairJudge` (no I/O, no global
    state): the local scan calls it once on all candidates, another engine
    on each block of candidates with a judge over the documents of that
    block; both give the same pairs.

    Args:
        candidates: (m, 2) document index pairs ``i < j`` from the shingle
            LSH, each once.
        judge: the rule over the documents the candidates name.
        short_matches: pairs the short-text rule accepted
            (:meth:`dedup.short.ShortMatcher.pairs`); those the shingle rule
            accepted already are not counted twice.

    Returns:
        (accepted pairs sorted by (left, right), rejected counts by the
        occasion check that failed first).
    """
    return join_blocks([verify_block(candidates, judge)], judge, short_matches)


def join_blocks(blocks: Iterable[tuple[list[Pair], dict[str, int], set[tuple[int, int]]]], judge: PairJudge,
                short_matches: Iterable[ShortMatch] = ()) -> tuple[list[Pair], dict[str, int]]:
    """What :func:`verify_candidates` gives, from its candidates verified a block at a time
    (:func:`verify_block` results, in candidate order) and the short-text matches, judged here."""
    kept: list[Pair] = []
    rejected: list[dict[str, int]] = []
    found: set[tuple[int, int]] = set()
    for part, part_rejected, part_found in blocks:
        kept += part
        rejected.append(part_rejected)
        found |= part_found
    more, more_rejected = finish_pairs(short_pairs(short_matches, judge, found), judge)
    pairs = kept + more
    pairs.sort(key=lambda p: (p.left, p.right))
    return pairs, merge_rejected(rejected + [more_rejected])


class DocFacts(NamedTuple):
    """What a :class:`PairJudge` reads of a document's record (:class:`dedup.features.DocInfo`)."""

    words: int
    date: Optional[datetime]
    date_is_mtime: bool


def spooled_judge(config: ScanConfig, docs: np.ndarray, spans: np.ndarray, facts: Sequence[DocFacts],
                  corrections: np.ndarray, stores: Sequence["SetStore"], boilerplate: Optional[Boilerplate],
                  weights: WordWeights) -> PairJudge:
    """A judge over the documents ``docs`` only, their sets read from a scan's spool: ``stores``, one
    per kind of set (shingles, words, figures, first lines, titles), and ``spans[k, s]``, where
    document ``docs[k]``'s set ``s`` lies (:meth:`dedup.spool.SetStore.spans`). What a worker process
    that shares the spool verifies a block of candidates with (no short-text matcher)."""
    row = dict(zip(docs.tolist(), range(len(docs))))
    where = spans.tolist()

    def getter(s: int) -> Callable[[int], np.ndarray]:
        read = stores[s].read
        return lambda i: read(*where[row[i]][s])

    get_set = getter(0) if boilerplate is None else boilerplate.view(getter(0))
    return PairJudge(config, dict(zip(docs.tolist(), facts)), get_set,  # type: ignore[arg-type]
                     *(getter(s) for s in range(1, 5)), dict(zip(docs.tolist(), corrections.tolist())),
                     weights, None)


def finish_pairs(accepted: Iterable[Pair], judge: PairJudge) -> tuple[list[Pair], dict[str, int]]:
    """The occasion check on pairs the shingle or short-text rule accepted, in their order: the pairs
    it keeps and, by check, how many it rejected (in the order each check first rejected one)."""
    pairs: list[Pair] = []
    rejected: dict[str, int] = {}
    for p in accepted:
        kept, failed = judge.finish(p)
        if kept is not None:
            pairs.append(kept)
        elif failed is not None:
            rejected[failed] = rejected.get(failed, 0) + 1
    return pairs, rejected


def verify_block(candidates: np.ndarray, judge: PairJudge) -> tuple[list[Pair], dict[str, int], set[tuple[int, int]]]:
    """A block of shingle candidates through the whole rule: the pairs kept, the rejections by check,
    and the pairs the shingle rule accepted before the occasion check (which short-text matches
    must not count again: :func:`short_pairs`)."""
    accepted = list(verify(candidates, judge.get_set, judge.rule))
    kept, rejected = finish_pairs(accepted, judge)
    return kept, rejected, {(p.left, p.right) for p in accepted}


def short_pairs(short_matches: Iterable[ShortMatch], judge: PairJudge,
                found: Optional[set[tuple[int, int]]] = None) -> list[Pair]:
    """Short-text matches as pairs (with their shingle similarities), but those in ``found``, which the
    shingle rule accepted already."""
    out = []
    for m in short_matches:
        # Short documents the 5-gram rule did not pair may still be near-duplicates by the short-text rule.
        if found is not None and (m.left, m.right) in found:
            continue
        jac, lr, rl = similarity(judge.get_set(m.left), judge.get_set(m.right))
        out.append(Pair(m.left, m.right, jac, lr, rl, rule="short"))
    return out


def merge_rejected(parts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """Rejection counts of consecutive blocks added up, each check in the order it first appears."""
    out: dict[str, int] = {}
    for part in parts:
        for check, n in part.items():
            out[check] = out.get(check, 0) + n
    return out
