"""Per-batch work of the persistent index, plain functions on arrays: the
documents of a batch prepared for storage (shingle sets, band keys,
sketches, evidence), in worker processes when asked, and the sketch filter
that drops a query's candidates that cannot meet the rule before their
sets are fetched (:class:`dedup.index.Index` calls them).
"""

from __future__ import annotations

import math
import os
from collections import deque
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Iterable, Iterator, Optional, Sequence, Union

import numpy as np

from .candidates import band_keys
from .config import ScanConfig
from .decode import storable
from .errors import ConfigError
from .index_store import WORD_MASK, Prepared, content_hash, encode_set
from .io import Document
from .occasion import Evidence, encode_evidence
from .records import given_document, separate_titles
from .pipeline import document_batches, hash_batch
from .pool import workers_for
from .pool import WorkerState, process_pool
from .signature import MinHasher
from .verify import Rule

_FOLD = np.uint64(0x9E3779B97F4A7C15)

def index_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Signed 64-bit index keys, one per band of each signature: shape (n, bands).

    A key folds the band number into :func:`dedup.candidates.band_keys`, so
    equal values in different bands give different keys.
    """
    out = np.empty((len(signatures), bands), dtype=np.uint64)
    for band in range(bands):
        key = band_keys(signatures, band, rows)
        key *= _FOLD
        key += np.uint64(band + 1)
        out[:, band] = key
    return out.view(np.int64)


#: A candidate is verified unless its sketch makes a match less likely than this (see :func:`may_match`).
FILTER_EPSILON = 1e-9
#: Candidates' stored rows (sets and evidence) a query holds in memory at once, about.
FETCH_ROWS = 4096
#: Candidate pairs whose sketches are compared at once (3 arrays of num_perm bytes each).
FILTER_PAIRS = 1 << 16


def sketches(signatures: np.ndarray) -> np.ndarray:
    """The sketch of each signature: the low 8 bits of every MinHash value, shape (n, num_perm), uint8.

    Two documents' sketches agree at a position whenever their MinHash
    values do, and otherwise by chance (1 in 256), so the share of equal
    positions is an estimate of their Jaccard similarity that can only err
    upwards (b-bit MinHash: Li and König, "b-Bit Minwise Hashing", WWW 2010).
    """
    return (np.asarray(signatures) & 0xFF).astype(np.uint8)


@lru_cache(maxsize=16)
def agreement_floor(num_perm: int, epsilon: float) -> np.ndarray:
    """For m = 0..num_perm: the largest p with P(Binomial(num_perm, p) <= m) >= epsilon.

    Computed by bisection on the exact binomial distribution function
    (log space), so that ``p <= floor[m]`` is the test "m agreeing
    positions are at least epsilon likely for a pair whose positions agree
    with probability p".
    """
    k = np.arange(num_perm + 1)
    log_choose = np.array([math.lgamma(num_perm + 1) - math.lgamma(i + 1) - math.lgamma(num_perm - i + 1) for i in k])
    below = k[None, :] <= k[:, None]  # row m: positions 0..m

    def log_cdf(p: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            terms = (log_choose[None, :] + k[None, :] * np.log(p)[:, None]
                     + (num_perm - k)[None, :] * np.log1p(-p)[:, None])
        terms = np.where(below, terms, -np.inf)
        top = terms.max(axis=1)
        return top + np.log(np.exp(terms - top[:, None]).sum(axis=1))

    lo, hi = np.zeros(num_perm + 1), np.ones(num_perm + 1)
    target = math.log(epsilon)
    for _ in range(60):  # the distribution function falls as p grows
        mid = (lo + hi) / 2
        ok = log_cdf(np.clip(mid, 1e-300, 1 - 1e-16)) >= target
        lo, hi = np.where(ok, mid, lo), np.where(ok, hi, mid)
    lo[num_perm] = 1.0  # every position agreeing is possible at any p
    return lo


def lowest_jaccard(sizes_a: np.ndarray, sizes_b: np.ndarray, rule: Rule) -> np.ndarray:
    """The lowest Jaccard similarity at which ``rule`` can accept two sets of these sizes.

    Jaccard ``J`` of sets of sizes ``a`` and ``b`` means an intersection of
    ``J (a + b) / (1 + J)``; the larger containment is that over
    ``min(a, b)``. So the rule (Jaccard >= t, or containment >= c) accepts
    no pair below ``min(t, c m / (a + b - c m))``, ``m = min(a, b)``.
    """
    a, b = np.asarray(sizes_a, np.float64), np.asarray(sizes_b, np.float64)
    m = np.minimum(a, b)
    c = rule.containment
    by_containment = c * m / np.maximum(a + b - c * m, 1e-300)
    return np.minimum(rule.threshold, by_containment)


def may_match(query_sketches: np.ndarray, query_sizes: np.ndarray, sketches_: np.ndarray, sizes: np.ndarray,
              rule: Rule, epsilon: float = FILTER_EPSILON) -> np.ndarray:
    """Which pairs may meet the rule, judged from their sketches and set sizes alone.

    Row ``i`` pairs ``query_sketches[i]`` (a set of ``query_sizes[i]``
    shingles) with ``sketches_[i]`` (``sizes[i]`` shingles). For a pair the
    rule accepts, the Jaccard similarity is at least ``J0`` =
    :func:`lowest_jaccard` of the sizes, and each sketch position agrees
    with probability at least ``J0``, so the number of agreeing positions
    is at least Binomial(num_perm, J0). A pair is dropped only when so few
    positions agree that this has probability below ``epsilon`` (1e-9: over
    six standard deviations); every other pair goes on to exact
    verification, so the filter never accepts a pair, it only spares the
    fetch and comparison of sets that cannot match.

    Returns:
        A boolean array, True where the pair must be verified.
    """
    q = np.asarray(query_sketches, np.uint8)
    s = np.asarray(sketches_, np.uint8)
    if not len(s):
        return np.zeros(0, dtype=bool)
    agree = np.count_nonzero(q == s, axis=1)
    floor = agreement_floor(s.shape[1], float(epsilon))
    # A hair of slack for the floating-point Jaccard the rule compares.
    return lowest_jaccard(query_sizes, sizes, rule) * (1 - 1e-9) <= floor[agree]


def as_documents(documents: Iterable[Union[Document, tuple[str, str]]]) -> Iterator[Document]:
    """Documents as the index takes them: ``(id, text)`` pairs made Documents, ids and paths made storable
    (:func:`dedup.decode.storable`), dates checked and those without a zone taken as UTC, as a scan takes
    them (:func:`dedup.records.given_document`)."""
    if isinstance(documents, (str, bytes)):
        raise TypeError("Iterable over Document objects or (id, text) pairs expected, string object received.")
    for doc in documents:
        if isinstance(doc, Document):
            doc = given_document(doc)
            if isinstance(doc.id, str) and isinstance(doc.path, str) and (storable(doc.id) != doc.id
                                                                          or storable(doc.path) != doc.path):
                doc = replace(doc, id=storable(doc.id), path=storable(doc.path))
            yield doc
        elif isinstance(doc, tuple) and len(doc) == 2 and isinstance(doc[1], str):
            yield Document(storable(str(doc[0])), doc[1])
        else:
            raise TypeError(f"Document or (id, text) pair expected, {type(doc).__name__} received.")


@dataclass
class QueryStats:
    """Counts of the candidate work of an index since it was opened.

    Attributes:
        candidates: indexed documents that shared a band key with a query.
        filtered: of those, dropped by their sketch (:func:`may_match`) without fetching their sets.
        verified: compared exactly on their shingle sets.
    """

    candidates: int = 0
    filtered: int = 0
    verified: int = 0


def _split(values: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    return np.split(values, np.cumsum(lengths)[:-1]) if len(lengths) else []


def prepare(batch: Sequence[Document], config: ScanConfig, hasher: MinHasher,
            encode: bool = True) -> list[Optional[Prepared]]:
    """Content hashes, shingle sets, index keys, sketches and occasion evidence of a batch
    (None for a document with no words).

    This is all the hashing an add or a query does before touching the store;
    it runs the scan's own batch kernel (:func:`dedup.pipeline.hash_batch`).
    ``encode=False`` (a query, which stores nothing) leaves out the stored
    form of the evidence and the word buckets.
    """
    if not batch:
        return []
    hb = hash_batch([d.text for d in batch], replace(config, short_words=0), hasher,
                    separate_titles(batch))
    keys = index_keys(hb.signatures, *config.banding).tolist()
    sketch_rows = sketches(hb.signatures)
    sets = _split(hb.values, hb.lengths)
    word_sets = _split(hb.word_values, hb.word_lengths)
    figure_sets = _split(hb.occasion.figures, hb.occasion.figure_lengths)
    lead_sets = _split(hb.leads, hb.lead_lengths)
    title_sets = _split(hb.titles, hb.title_lengths)
    out: list[Optional[Prepared]] = []
    for k, doc in enumerate(batch):
        if not len(sets[k]):
            out.append(None)
            continue
        ev = Evidence(word_sets[k], figure_sets[k], lead_sets[k], None if doc.date_is_mtime else doc.date,
                      bool(hb.occasion.corrections[k]), int(hb.words[k]), title_sets[k])
        if encode:
            buckets = np.unique(word_sets[k].astype(np.int64) & WORD_MASK)
            out.append(Prepared(doc, content_hash(doc.text), sets[k], keys[k], int(hb.words[k]),
                                 encode_evidence(ev, encode_set), buckets, sketch_rows[k].tobytes(), ev))
        else:
            out.append(Prepared(doc, content_hash(doc.text), sets[k], keys[k], int(hb.words[k]),
                                 sketch=sketch_rows[k].tobytes(), ev=ev))
    return out


_worker_state = WorkerState()


def _init_worker(config: ScanConfig) -> None:
    _worker_state["config"] = config
    _worker_state["hasher"] = MinHasher(config.num_perm, config.seed)


def _prepare_in_worker(batch: list[Document], encode: bool) -> list[Optional[Prepared]]:
    return prepare(batch, _worker_state["config"], _worker_state["hasher"], encode)


def prepared_batches(documents: Iterable[Document], config: ScanConfig, batch_size: int,
                     jobs: int = 1, encode: bool = True) -> Iterator[tuple[list[Document], list[Optional[Prepared]]]]:
    """(batch, :func:`prepare` of it) in input order, hashed by ``jobs`` worker
    processes (0: all cores) while the caller works on earlier batches.

    Input that fits in one batch is hashed in this process.
    """
    if not isinstance(jobs, int) or jobs < 0:
        raise ConfigError(f"The 'jobs' parameter must be an int >= 0. Got {jobs!r} instead.")
    batches, workers = workers_for(document_batches(documents, batch_size), jobs or os.cpu_count() or 1)
    if workers <= 1:
        hasher = MinHasher(config.num_perm, config.seed)
        for batch in batches:
            yield batch, prepare(batch, config, hasher, encode)
        return
    with process_pool(workers, _init_worker, (config,)) as pool:
        pending: deque[tuple[list[Document], Any]] = deque()
        for batch in batches:
            pending.append((batch, pool.apply_async(_prepare_in_worker, (batch, encode))))
            while len(pending) > 2 * workers:  # bounded work in flight
                done, res = pending.popleft()
                yield done, res.get()
        while pending:
            done, res = pending.popleft()
            yield done, res.get()


