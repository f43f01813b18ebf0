"""The whole scan, read -> normalize -> shingle -> signature -> candidates ->
verify -> cluster, as one library call returning plain dataclasses."""

from __future__ import annotations

import io
import multiprocessing
import time
from collections import deque
from contextlib import ExitStack, nullcontext
from dataclasses import dataclass, field
from itertools import chain, count
from typing import IO, AbstractSet, Callable, Iterable, Iterator, NamedTuple, Optional, Sequence, TypeVar, Union

import numpy as np

from .cluster import Cluster, Member, adjacency, groups, make_cluster, trusted_clusters  # noqa: F401  (lived here)
from .config import KEEP_POLICIES, KeepPolicy, ScanConfig, scan_config  # noqa: F401  (ScanConfig lived here)
from .errors import ConfigError, InputError
from .candidates import scan_candidate_pairs
from .features import PARTS, DocInfo, HashedBatch, hash_batch  # noqa: F401  (they lived here; still importable)
from .io import (Document, FileBatch, LineBatch, LineReader, ReadOptions, Skipped, Source, from_ring, headline,
                 parse_batch, to_ring)
from .judge import (DocFacts, PairJudge, join_blocks, spooled_judge, verify_block,  # noqa: F401
                    verify_candidates)  # (PairJudge, verify_candidates lived here; still importable)
from .short import ShortFeatures, ShortMatch, ShortMatcher, short_pair_list
from .pages import prepare_pages
from .records import NO_WORDS, given_document, separate_titles
from .records import read_options as checked_options
from .pool import WorkerState, can_fork, drain, process_pool, result_later, worker_ring, workers_for
from .signature import MinHasher
from .spool import PickedSets, Rows, SetStore, set_sums, stack_signatures  # noqa: F401  (lived here)
from .verify import Counts, Pair

BATCH = 256
#: Characters of text a batch of documents holds at most (one longer document is a batch alone): hashing
#: a batch takes about 25 times its text in memory, so 256 articles of 10 MB would take 60 GB.
BATCH_CHARS = 8 << 20
#: Shared memory the lines of the batches in flight go to the workers in (:class:`dedup.pool.Ring`).
RING_BYTES = 8 << 20
#: Input files of at least this many bytes in all (JSON lines only) are read twice by default: the
#: first reading hashes every document for its signature, the second those in candidate pairs only.
REREAD_BYTES = 128 << 20
#: Documents a scan measures the boilerplate share of (ScanResult.mostly_boilerplate).
MOSTLY_SAMPLE = 2000
_B = TypeVar("_B")
_I = TypeVar("_I")


@dataclass(frozen=True)
class ScanResult:
    """Everything a scan found.

    Attributes:
        documents: one DocInfo per document read, in input order.
        pairs: verified near-duplicate pairs (document indices).
        clusters: clusters of size >= 2, ordered by their first document;
            every member is a near-duplicate of the kept copy.
        rejected: pairs the shingle or short-text rule accepted but the
            occasion check did not, by the check that failed first
            (``dates``, ``figures``, ``subject``).
        members_verified: cluster members (kept copies not counted) that
            the whole rule accepts against their kept copy; the others are
            in the cluster through another member (a revision of a
            revision) and compatible with the kept copy.
        skipped: files and records that were not read, with the reason.
        files_read, files_ignored: counts of input files.
        candidates: number of LSH candidate pairs verified.
        bands, rows: the LSH banding used.
        config: the settings.
        seconds: wall time per stage (not compared: equal results may differ in it).
        mostly_boilerplate: of the documents in candidate pairs and in no
            cluster (the first :data:`MOSTLY_SAMPLE`), how many are at least
            half boilerplate, and how many were seen.
    """

    documents: tuple[DocInfo, ...]
    pairs: tuple[Pair, ...]
    clusters: tuple[Cluster, ...]
    skipped: tuple[Skipped, ...]
    files_read: int
    files_ignored: int
    candidates: int
    bands: int
    rows: int
    config: ScanConfig
    seconds: dict[str, float] = field(default_factory=dict, compare=False)
    rejected: dict[str, int] = field(default_factory=dict)
    members_verified: int = 0
    mostly_boilerplate: tuple[int, int] = (0, 0)

    @property
    def keep_ids(self) -> list[str]:
        """Ids to keep: every document outside a cluster and each cluster's kept copy, in input order."""
        drop = set(self.duplicate_ids)
        return [d.id for d in self.documents if d.id not in drop]

    @property
    def duplicate_ids(self) -> list[str]:
        """Ids a user could drop (cluster members other than the kept copy), in input order."""
        drop = {m.id for c in self.clusters for m in c.members if not m.keep}
        return [d.id for d in self.documents if d.id in drop]


# ---------------------------------------------------------------- batches

_worker_state = WorkerState()


def _init_worker(config: ScanConfig, read_options: Optional[ReadOptions] = None,  # noqa: D103
                 part: str = "all", counts: Optional["Counts"] = None,
                 stores: Optional[Sequence[SetStore]] = None) -> None:
    _worker_state["config"] = config
    _worker_state["read"] = read_options
    _worker_state["part"] = part
    _worker_state["counts"] = counts
    _worker_state["stores"] = stores
    _worker_state["judged"] = None
    _worker_state["ids"] = set()
    _worker_state["hasher"] = MinHasher(config.num_perm, config.seed)


def _hash_batch(texts: Sequence[str], titles: Sequence[Optional[str]], part: Optional[str] = None) -> HashedBatch:
    return hash_batch(texts, _worker_state["config"], _worker_state["hasher"], titles,  # type: ignore[arg-type]
                      part or _worker_state["part"])  # type: ignore[arg-type]


def _info(doc: Document, words: int, shingles: int) -> DocInfo:
    return DocInfo(doc.id, doc.path, doc.line, words, shingles, doc.date, doc.is_file, doc.date_is_mtime,
                   headline(doc), doc.site, doc.url, doc.extractor, doc.date_text, doc.updated)


class Repeated(NamedTuple):
    """A document a worker did not hash: an earlier one of its own had its id (so it is refused)."""

    id: str
    path: str
    line: int


#: What workers read: lines of JSON, or plain text files.
_BATCHES = (LineBatch, FileBatch)

#: Ids a worker remembers to skip repeats by (a few MB; past them, repeats are hashed and refused).
SEEN_IDS = 100_000


def _parse_hash(batch: Union[LineBatch, FileBatch], drop: AbstractSet[int] = frozenset(), part: Optional[str] = None,
                parsed: Optional[list] = None, repeats: bool = False) -> tuple[list[object], Optional[HashedBatch]]:
    """A batch read and parsed (unless given ``parsed``, what :func:`dedup.io.parse_batch` made of it)
    and hashed (in a worker): in input order, a note for each line or file that gives no document and a
    DocInfo for each that does (but the documents at the places ``drop`` holds), and their hashed batch
    (None if none). With ``repeats``, a document whose id this worker met before is a :class:`Repeated`."""
    if parsed is None:
        parsed = parse_batch(from_ring(batch, worker_ring()), _worker_state["read"])  # type: ignore[arg-type]
    if drop:
        position = count()
        parsed = [d for d in parsed if not isinstance(d, Document) or next(position) not in drop]
    if repeats:
        seen: set[str] = _worker_state["ids"]  # type: ignore[assignment]
        marked = []
        for d in parsed:
            if isinstance(d, Document):
                if d.id in seen:
                    d = Repeated(d.id, d.path, d.line)
                elif len(seen) < SEEN_IDS:
                    seen.add(d.id)
            marked.append(d)
        parsed = marked
    docs = [d for d in parsed if isinstance(d, Document)]
    if not docs:
        return parsed, None
    hb = _hash_batch([d.text for d in docs], separate_titles(docs), part)
    infos = iter([_info(d, w, n) for d, w, n in zip(docs, hb.words.tolist(), hb.lengths.tolist())])
    return [next(infos) if isinstance(d, Document) else d for d in parsed], hb


def _parse_count(batch: Union[LineBatch, FileBatch], part: Optional[str] = None, repeats: bool = False
                 ) -> tuple[list[object], Optional[HashedBatch], Optional[np.ndarray]]:
    """:func:`_parse_hash` in a worker that counts the shingle and word frequencies itself (into the
    scan's shared :class:`Counts`), so that the sets need not come back for them. Hashing for
    signatures only (the first of two readings), the sets are left out of the batch that comes
    back, and their sums (:func:`dedup.spool.set_sums`, two per document) come instead."""
    parsed, hb = _parse_hash(batch, part=part, repeats=repeats)
    if hb is None:
        return parsed, None, None
    counts: Counts = _worker_state["counts"]  # type: ignore[assignment]
    counts.count(hb, 1)
    if (part or _worker_state["part"]) != "signatures":
        return parsed, hb, None
    empty = np.empty(0, np.uint32)
    return parsed, hb._replace(values=empty, word_values=empty), _sums(hb)


def _sets_of(hb: HashedBatch, take: np.ndarray) -> HashedBatch:
    """The batch with the shingle and word sets of the documents ``take`` marks only (what is counted)."""
    return hb._replace(values=hb.values[np.repeat(take, hb.lengths)],
                       word_values=hb.word_values[np.repeat(take, hb.word_lengths)])


def _sums(hb: HashedBatch) -> np.ndarray:
    """The sums of each document's shingle and word sets, which tell the second reading found the same."""
    return np.stack([set_sums(hb.values, hb.lengths), set_sums(hb.word_values, hb.word_lengths)], axis=1)


class Hashed(NamedTuple):
    """A hashed batch as the scan takes it: its documents, the batch, whether its sets were already
    counted (in the worker that hashed it), and their sums when the sets were left out."""

    infos: list[DocInfo]
    batch: HashedBatch
    counted: bool = False
    sums: Optional[np.ndarray] = None


def document_batches(docs: Iterable[Document], size: int,
                     max_chars: Optional[int] = None) -> Iterator[list[Document]]:
    """Documents in lists of ``size``, or fewer where their text would pass ``max_chars`` characters
    (default :data:`BATCH_CHARS`; a longer document is a list alone); anything but a Document is refused."""
    batch: list[Document] = []
    chars, max_chars = 0, max_chars or BATCH_CHARS
    for number, doc in enumerate(docs):
        if not isinstance(doc, Document) or not isinstance(doc.text, str) or not isinstance(doc.id, str):
            what = (f"a Document with text {type(doc.text).__name__}" if isinstance(doc, Document)
                    and not isinstance(doc.text, str) else
                    f"a Document with id {type(doc.id).__name__}" if isinstance(doc, Document)
                    else type(doc).__name__)
            raise TypeError(f"Document objects with str id and text expected; item {number} is {what}.")
        if batch and chars + len(doc.text) > max_chars:
            yield batch
            batch, chars = [], 0
        batch.append(doc)
        chars += len(doc.text)
        if len(batch) == size:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch


def worker_pool(config: ScanConfig, read_options: Optional[ReadOptions] = None, part: str = "all",
                workers: Optional[int] = None, counts: Optional[Counts] = None,
                stores: Optional[Sequence[SetStore]] = None) -> "multiprocessing.pool.Pool":
    """The scan's worker processes (forked where the system can: they then start small, before the
    scan's process has grown); ``counts``, shared, for :func:`_parse_count`; ``stores``, the spool
    the workers read sets from to verify candidates (:func:`_verify_part`)."""
    return process_pool(workers or config.workers, _init_worker, (config, read_options, part, counts, stores),
                        ring=RING_BYTES)


class _Workers:
    """A scan's worker pool (:func:`worker_pool`), forked when first asked for and kept until
    ``cleanup`` closes: hashing starts it once the input shows two batches, verification uses it
    if it was started."""

    def __init__(self, cleanup: ExitStack, *args: object, **kwargs: object) -> None:
        self._cleanup, self._args, self._kwargs = cleanup, args, kwargs
        self.started: Optional["multiprocessing.pool.Pool"] = None

    def __call__(self) -> "multiprocessing.pool.Pool":
        if self.started is None:
            self.started = self._cleanup.enter_context(worker_pool(*self._args, **self._kwargs))  # type: ignore
        return self.started


def _hashed(docs: Iterable[Document], config: ScanConfig, part: str = "all") -> Iterator[Hashed]:
    """The hashed batches in input order, using worker processes when jobs > 1."""
    for batch, hb in _in_workers(_hash_batch, document_batches(docs, BATCH), config, None, part,
                                 args=lambda batch: ([d.text for d in batch], separate_titles(batch))):
        yield Hashed([_info(d, w, n) for d, w, n in zip(batch, hb.words.tolist(), hb.lengths.tolist())], hb)


def _line_hashed(reader: LineReader, config: ScanConfig, size: Optional[int] = None, part: str = "all",
                 pool: Optional["multiprocessing.pool.Pool"] = None, counts: Optional[Counts] = None,
                 start: Optional[_Workers] = None) -> Iterator[Hashed]:
    """The hashed batches of JSON lines (or text files) in input order, parsed (read) and hashed by
    worker processes (:meth:`dedup.io.LineReader.events`); this process takes the notes, marks and ids
    back in input order, so they are what :func:`dedup.io.read_documents` gives. With
    ``counts`` (shared, and given to the workers too) the workers count the batches' frequencies.
    The workers: ``pool``; else ``start()`` once there are two batches, else a pool of their own."""
    events = reader.events(size or BATCH, blocks=config.workers > 1)
    head: list[object] = []
    n_batches = 0
    for event in events:
        head.append(event)
        n_batches += isinstance(event, _BATCHES)
        if n_batches == 2:
            break
    stream = chain(head, events)
    # Workers for a single batch cost more than they save.
    workers = config.workers if n_batches == 2 or pool is not None else 1
    _init_worker(config, reader.opts, part)  # this process parses again a batch that repeats an id
    count_there = workers > 1 and counts is not None

    def take(event: object, got: Optional[tuple]) -> Iterator[Hashed]:
        if not isinstance(event, _BATCHES):
            reader.apply(event)  # type: ignore[arg-type]
            return
        parsed, hb, sums = got if count_there else (*got, None)  # type: ignore[misc]
        kept = reader.accept(event, parsed)
        if hb is not None and False not in kept and set(map(type, parsed)) == {DocInfo}:
            # The common batch: documents only, all kept, as the worker hashed them.
            if count_there:
                counts.counted(len(parsed))  # type: ignore[union-attr]
            yield Hashed(parsed, hb, count_there, sums)
            return
        items = [d for d in parsed if isinstance(d, (DocInfo, Repeated))]  # the batch's documents
        refused = frozenset(k for k, keep in enumerate(kept) if not keep)
        # The worker left out exactly the documents refused (repeats of its own earlier ids): its batch
        # holds the others. Else the batch is parsed again here and the others hashed again.
        if refused != {k for k, d in enumerate(items) if isinstance(d, Repeated)}:
            docs = [k for k, d in enumerate(items) if isinstance(d, DocInfo)]
            records = parse_batch(event, reader.opts)
            if [d.id for d in records if isinstance(d, Document)] != [d.id for d in items]:
                raise InputError(f"{items[0].path}: changed while it was scanned; scan it again once nothing "
                                 "writes to it", items[0].path)
            if count_there and hb is not None:
                # The worker counted what it hashed: take back what of it was refused, from the sets it
                # sent (read once), else (the first of two readings sends none) hashing them again.
                gone_at = frozenset(docs) & refused
                gone = _sets_of(hb, np.array([k in gone_at for k in docs], dtype=bool)) if len(hb.values) \
                    else _parse_hash(event, set(range(len(items))) - gone_at, parsed=records)[1]
                counts.count(gone, -1)  # type: ignore[union-attr]
            parsed, hb = _parse_hash(event, refused, parsed=records)
            sums = None
        if hb is not None:
            infos = [d for d in parsed if isinstance(d, DocInfo)]
            if count_there:
                counts.counted(len(infos))  # type: ignore[union-attr]
            yield Hashed(infos, hb, count_there, sums)

    if workers <= 1:
        for event in stream:
            yield from take(event, _parse_hash(event) if isinstance(event, _BATCHES) else None)
        return
    task = _parse_count if count_there else _parse_hash
    pending: deque[tuple[object, object]] = deque()
    slots: deque = deque()  # (batch, its slot) of the batches in flight whose lines went through the ring
    in_flight = 0
    if pool is None and start is not None:
        pool = start()
    with nullcontext(pool) if pool is not None else worker_pool(config, reader.opts, part, counts=counts) as pool:
        ring = pool.ring  # type: ignore[attr-defined]

        def next_done() -> Iterator[Hashed]:
            done, res = pending.popleft()
            got = res.get() if res is not None else None  # type: ignore[attr-defined]
            if slots and slots[0][0] is done:
                ring.free(slots.popleft()[1])
            yield from take(done, got)

        try:
            for event in stream:
                if isinstance(event, _BATCHES):
                    sent = to_ring(event, ring) if ring is not None else None
                    if sent is not None:
                        slots.append((event, sent[1]))
                    pending.append((event, pool.apply_async(task, (sent[0] if sent else event,), {"repeats": True})))
                    in_flight += 1
                else:
                    pending.append((event, None))
                # Bound the lines in flight so memory follows the signatures, not the text.
                while in_flight > 2 * workers:
                    in_flight -= pending[0][1] is not None
                    yield from next_done()
            while pending:
                yield from next_done()
        except BaseException:
            drain(pending)
            raise


def _in_workers(func: Callable[..., _B], items: Iterator[_I], config: ScanConfig,
                read_options: Optional[ReadOptions], part: Optional[str],
                pool: Optional["multiprocessing.pool.Pool"] = None,
                args: Callable[[_I], tuple] = lambda item: (item,)) -> Iterator[tuple[_I, _B]]:
    """``(item, func(*args(item), part=part))`` of each item (``func(*args(item))`` when ``part`` is
    None), in order, in worker processes when jobs > 1 (in ``pool`` when one is given), one process
    otherwise. At most ``2 x jobs`` items are in flight, so memory follows the results, not the input."""
    items, workers = workers_for(items, config.workers)
    keywords = {} if part is None else {"part": part}
    if workers <= 1 and pool is None:
        _init_worker(config, read_options, part or "all")
        for item in items:
            yield item, func(*args(item), **keywords)
        return
    pending: deque[tuple[_I, object]] = deque()
    with nullcontext(pool) if pool is not None else worker_pool(config, read_options, part, workers) as pool:
        try:
            for item in items:
                pending.append((item, pool.apply_async(func, args(item), keywords)))
                while len(pending) > 2 * workers:
                    done, res = pending.popleft()
                    yield done, res.get()  # type: ignore[attr-defined]
            while pending:
                done, res = pending.popleft()
                yield done, res.get()  # type: ignore[attr-defined]
        except BaseException:
            drain(pending)
            raise


Rehash = Callable[[Sequence[DocInfo], np.ndarray], Iterator[tuple[list[DocInfo], HashedBatch]]]


def _rehasher(reader: LineReader, config: ScanConfig, pool: Optional["multiprocessing.pool.Pool"] = None) -> Rehash:
    """What reads and hashes again the documents a scan's verification needs (by index, sorted), in
    ``pool`` when one is given (the first reading's, started while this process was small)."""

    def rehash(infos: Sequence[DocInfo], needed: np.ndarray) -> Iterator[tuple[list[DocInfo], HashedBatch]]:
        lines: dict[str, set[int]] = {}
        for i in needed.tolist():
            lines.setdefault(infos[i].path, set()).add(infos[i].line)
        for _, (parsed, hb) in _in_workers(_parse_hash, reader.reread(lines, BATCH), config,  # type: ignore[arg-type]
                                           reader.opts, "sets", pool):
            if hb is not None:
                yield [d for d in parsed if isinstance(d, DocInfo)], hb

    return rehash


def _fill(stores: Sequence[SetStore], rehashed: Iterable[tuple[list[DocInfo], HashedBatch]],
          infos: Sequence[DocInfo], needed: np.ndarray, sums: np.ndarray,
          progress: Optional[Callable[[int], None]] = None) -> None:
    """Append the sets of the documents read again to the stores, checking that each is the document
    the first reading hashed (the file did not change in between): the same id, place, counts and
    sums of shingle and word sets (``sums``: two per document, :func:`dedup.spool.set_sums`)."""
    k = 0

    def changed(info: DocInfo) -> InputError:
        return InputError(f"{info.path}: changed while it was scanned (line {info.line} is not what it was); "
                          "scan it again once nothing writes to it")

    for batch_infos, hb in rehashed:
        if k + len(batch_infos) > len(needed):
            raise changed(batch_infos[len(needed) - k])
        wanted = needed[k : k + len(batch_infos)]
        same_sums = (_sums(hb) == sums[wanted]).all(axis=1).tolist()
        for got, index, same in zip(batch_infos, wanted.tolist(), same_sums):
            want = infos[index]
            if not same or (got.id, got.path, got.line, got.words, got.shingles) != (
                    want.id, want.path, want.line, want.words, want.shingles):
                raise changed(want)
        k += len(batch_infos)
        for store, (values, lengths) in zip(stores, _set_columns(hb)):
            store.extend(values, lengths)
        if progress:
            progress(k)
    if k != len(needed):
        raise changed(infos[int(needed[k])])


#: The kinds of set a scan spools for verification, in the order of its stores.
_SET_KINDS = ("shingles", "words", "figures", "first lines", "titles")


def _set_columns(hb: HashedBatch) -> list[tuple[np.ndarray, np.ndarray]]:
    """A hashed batch's sets in the order of a scan's stores: shingles, words, figures, first lines, titles."""
    return [(hb.values, hb.lengths), (hb.word_values, hb.word_lengths),
            (hb.occasion.figures, hb.occasion.figure_lengths), (hb.leads, hb.lead_lengths),
            (hb.titles, hb.title_lengths)]


# ---------------------------------------------------------------- scan

def _unique_ids(docs: Iterable[Document]) -> Iterator[Document]:
    """Pass documents through, refusing a repeated id (clusters name documents by id)."""
    seen: set[str] = set()
    for doc in docs:
        doc_id = getattr(doc, "id", None)
        if doc_id in seen:
            raise InputError(f"Document ids must be unique; {doc_id!r} appears twice (give each document its "
                             "own id).")
        seen.add(doc_id)  # type: ignore[arg-type]
        yield doc


# ---------------------------------------------------------------- verification in the workers

#: Candidate pairs a worker verifies at a time.
VERIFY_BLOCK = 2048


def _verify_part(candidates: np.ndarray, docs: np.ndarray, spans: np.ndarray, facts: list[DocFacts],
                 corrections: np.ndarray, n_docs: int) -> tuple[list[Pair], dict[str, int], set[tuple[int, int]]]:
    """A block of candidate pairs through the whole rule, in a worker that shares the scan's spool and
    frequency counts (:func:`dedup.judge.verify_block`). ``docs``: the documents the block names;
    ``spans[k, s]``: where document ``docs[k]``'s set ``s`` lies in the spool (shingles, words,
    figures, first line, title); ``n_docs``: the documents counted."""
    config: ScanConfig = _worker_state["config"]  # type: ignore[assignment]
    counts: Counts = _worker_state["counts"]  # type: ignore[assignment]
    stores: Sequence[SetStore] = _worker_state["stores"]  # type: ignore[assignment]
    judged = _worker_state["judged"]
    if judged is None or judged[0] != n_docs:
        # The collection's boilerplate and word weights, once per scan.
        boiler = (counts.shingles.boilerplate(config.boilerplate_share, config.boilerplate_min_docs, n_docs)
                  if counts.shingles is not None else None)
        judged = _worker_state["judged"] = (n_docs, boiler, counts.words.weights(n_docs))
    _, boiler, weights = judged
    return verify_block(candidates, spooled_judge(config, docs, spans, facts, corrections, stores, boiler, weights))


def _verified_in_workers(candidates: np.ndarray, judge: PairJudge, short_matches: Iterable[ShortMatch],
                         pool: "multiprocessing.pool.Pool", stores: Sequence[SetStore],
                         rows_of: Callable[[np.ndarray], np.ndarray], n_docs: int) -> tuple[list[Pair], dict[str, int]]:
    """:func:`dedup.judge.verify_candidates`, the candidates verified a block at a time by the workers
    (which read the sets from the spool themselves), the short-text matches here: the same pairs and
    rejection counts."""
    infos, corrections = judge.infos, judge.corrections

    def blocks() -> Iterator[tuple]:
        for start in range(0, len(candidates), VERIFY_BLOCK):
            block = candidates[start : start + VERIFY_BLOCK]
            docs = np.unique(block)
            rows = rows_of(docs)
            spans = np.stack([store.spans(rows) for store in stores], axis=1)
            facts = [DocFacts(infos[i].words, infos[i].date, infos[i].date_is_mtime) for i in docs.tolist()]
            yield block, docs, spans, facts, corrections[docs], n_docs

    verified = _in_workers(_verify_part, blocks(), judge.config, None, None, pool, args=lambda task: task)
    return join_blocks((result for _, result in verified), judge, short_matches)


def scan_documents(docs: Iterable[Document], config: Optional[ScanConfig] = None, *,
                   progress: Optional[Callable[[int], None]] = None,
                   read_options: Optional[ReadOptions] = None) -> ScanResult:
    """Find near-duplicates among documents.

    Args:
        docs: documents with unique ids; web pages read with
            ``ReadOptions(defer_html=True)`` are extracted in the workers and
            their sites' templates removed (:mod:`dedup.pages`).
        config: settings (defaults: :class:`ScanConfig`).
        progress: called with the number of documents hashed so far.
        read_options: the options the documents were read with (for counts).

    Returns:
        ScanResult.

    Raises:
        InputError: two documents share an id.
        TypeError: not a Document, or a date that is not a datetime (one
            without a zone is taken as UTC).
    """
    if isinstance(docs, (str, bytes)):
        raise TypeError("Iterable over Document objects expected, string object received.")
    config = scan_config(config)
    opts = checked_options(read_options)
    t0 = time.perf_counter()
    return _scan_hashed(_documents_hashed(map(given_document, docs), config, opts), config, opts, progress, t0)


def _documents_hashed(docs: Iterable[Document], config: ScanConfig, opts: ReadOptions,
                      part: str = "all") -> Iterator[tuple[list[DocInfo], HashedBatch]]:
    return _hashed(_unique_ids(prepare_pages(docs, config.workers, opts.skipped, strict=opts.strict)), config, part)


def _scan_hashed(hashed: Iterable[Hashed], config: ScanConfig, opts: ReadOptions,
                 progress: Optional[Callable[[int], None]], t0: float, rehash: Optional[Rehash] = None,
                 counts: Optional[Counts] = None, stores: Optional[Sequence[SetStore]] = None,
                 workers: Optional[_Workers] = None) -> ScanResult:
    """The scan from hashed batches on. With ``rehash``, the sets are not kept as the documents are
    hashed: those of the documents in candidate pairs come from ``rehash`` afterwards. ``counts``:
    the frequency counts the batches' workers share, if they count them; ``stores``: the spool, one
    store per kind of set (made here if not given); ``workers``: forked with both, they verify the
    candidates if they were started."""
    infos: list[DocInfo] = []
    with ExitStack() as cleanup:
        if stores is None:
            stores = tuple(cleanup.enter_context(SetStore()) for _ in _SET_KINDS)
        sig_rows = Rows(config.num_perm)
        counts = counts or Counts.make(config)
        shorts: list[ShortFeatures] = []
        corrections: list[np.ndarray] = []
        sums: list[np.ndarray] = []  # reading twice: what tells that the second reading found the same sets
        for batch_infos, hb, counted, batch_sums in hashed:
            short = hb.short
            if len(short):
                short.index += len(infos)
                shorts.append(short)
            if rehash is None:
                for kept, (values, lengths) in zip(stores, _set_columns(hb)):
                    kept.extend(values, lengths)
            else:
                sums.append(_sums(hb) if batch_sums is None else batch_sums)
            corrections.append(hb.occasion.corrections)
            if not counted:
                counts.add(hb, len(batch_infos))
            sig_rows.append(hb.signatures)
            infos.extend(batch_infos)
            if progress:
                progress(len(infos))
        t1 = time.perf_counter()
        signatures = sig_rows.array()
        skipped = list(opts.skipped)
        bands, rows = config.banding
        all_short = ShortFeatures.concat(shorts) if config.short_words else None
        pool = workers.started if workers is not None else None
        # A worker finds the short-text rule's pairs while this process bands the signatures.
        short_task = pool.apply_async(short_pair_list, (all_short, config.short_rule, config.num_perm, config.seed)) \
            if pool is not None and all_short is not None and len(all_short) > 1 else None
        try:
            candidates = scan_candidate_pairs(signatures, bands, rows, config.max_bucket, threads=config.workers)
            del signatures, sig_rows
            # A document with no words has no shingles: note it and leave it out of matching.
            empty = [i for i, d in enumerate(infos) if d.shingles == 0]
            if empty:
                drop = np.isin(candidates, empty).any(axis=1)
                candidates = candidates[~drop]
                for i in empty:
                    skipped.append(Skipped(infos[i].path or infos[i].id, NO_WORDS, infos[i].line))
            short_matcher = ShortMatcher(all_short, config.short_rule) if all_short is not None else None
            short_matches: Iterable[ShortMatch]
            if short_task is not None:
                # Read once, the sets are verified while the worker finishes: its matches are joined last.
                short_matches = result_later(short_task) if rehash is None else short_task.get()
            elif short_matcher is not None:
                short_matches = list(short_matcher.pairs(config.short_rule.hasher(config.num_perm, config.seed)))
            else:
                short_matches = []
        except BaseException:
            drain([(None, short_task)])
            raise
        t2 = time.perf_counter()
        getters = [kept.__getitem__ for kept in stores]
        if rehash is not None:
            # Only the documents verification compares are read and hashed again, in input order.
            needed = np.unique(np.concatenate([candidates.ravel(), np.array(
                [(m.left, m.right) for m in short_matches], dtype=np.int64).ravel()]))
            if len(needed):
                _fill(stores, rehash(infos, needed), infos, needed, np.concatenate(sums), progress)
            getters = [PickedSets(kept, needed).__getitem__ for kept in stores]
        t_reread = time.perf_counter()
        get_set, boiler = getters[0], None
        if counts.shingles is not None:
            boiler = counts.shingles.boilerplate(config.boilerplate_share, config.boilerplate_min_docs)
            get_set = boiler.view(get_set)
        judge = PairJudge(config, infos, get_set, *getters[1:],
                          np.concatenate(corrections) if corrections else np.empty(0, bool),
                          counts.words.weights(), short_matcher)
        n_candidates = len(candidates)
        try:
            if pool is not None and len(candidates) > VERIFY_BLOCK:
                rows_of = (lambda docs: docs) if rehash is None else (lambda docs: np.searchsorted(needed, docs))
                pairs, rejected = _verified_in_workers(candidates, judge, short_matches, pool, stores, rows_of,
                                                       counts.words.docs)
            else:
                pairs, rejected = verify_candidates(candidates, judge, short_matches)
        except BaseException:
            drain([(None, short_task)])
            raise
        t3 = time.perf_counter()
        adjacent = adjacency(pairs)
        found_clusters = trusted_clusters(groups(len(infos), pairs), adjacent, judge)
        clusters = []
        verified = 0
        for number, group in enumerate(found_clusters):
            keep = group[0]
            verified += sum(1 for i in group[1:] if i in adjacent.get(keep, ()) or judge.judge(keep, i)[0] is not None)
            clusters.append(make_cluster(number, group, judge))
        looked = np.setdiff1d(candidates, [i for g in found_clusters for i in g])[:MOSTLY_SAMPLE].tolist() \
            if boiler is not None and boiler.size else []
        mostly = (boiler.mostly(getters[0], looked), len(looked)) if looked else (0, 0)
    t4 = time.perf_counter()
    return ScanResult(
        documents=tuple(infos), pairs=tuple(pairs), clusters=tuple(clusters), skipped=tuple(skipped),
        files_read=opts.files_read, files_ignored=opts.files_ignored, candidates=n_candidates,
        bands=bands, rows=rows, config=config,
        seconds={"read+signature": t1 - t0, "candidates": t2 - t1, **({"reread": t_reread - t2} if rehash else {}),
                 "verify": t3 - t_reread, "cluster": t4 - t3},
        rejected=rejected, members_verified=verified, mostly_boilerplate=mostly,
    )


def scan(sources: Sequence[Source], config: Optional[ScanConfig] = None, *,
         read_options: Optional[ReadOptions] = None, progress: Optional[Callable[[int], None]] = None,
         on_file: Optional[Callable[[str], None]] = None, stdin: Optional[IO[bytes]] = None,
         reread: Optional[bool] = None, **settings: object) -> ScanResult:
    """Scan files, folders or ``-`` (JSON lines on stdin) for near-duplicate articles.

    Args:
        sources: paths of files or folders, or ``"-"``.
        config: a ScanConfig; or give its fields as keyword arguments.
        read_options: encoding, JSON fields and strictness; after the scan
            its ``skipped``, ``files_read`` and ``files_ignored`` are this
            scan's (set anew at its start).
        progress: called with the number of documents hashed so far; when
            the files are read twice, again from the start for the documents
            read the second time (``read_options.rereading`` is then True).
        on_file: called with each file path as it is opened.
        stdin: the stream ``-`` reads (default: standard input).
        reread: read JSON lines files twice, so that the temporary file
            holds the sets of the documents in candidate pairs only (see
            :data:`REREAD_BYTES`); None (default): when they hold at least
            that many bytes. Standard input and other kinds of file are
            read once. The result is the same either way.

    Returns:
        ScanResult.

    Raises:
        InputError: a path does not exist, or (strict) a file is unreadable.
        ConfigError: a setting is out of range.

    Example:
        >>> result = scan(["seeds/"])
        >>> [(c.keep, [m.id for m in c.members]) for c in result.clusters]
        [('001_fbcee2db9c98bcf0.txt', ['001_fbcee2db9c98bcf0.txt', '000_cc67e4122e3a257f.txt'])]
    """
    config = scan_config(config, **settings)
    if reread is not None and not isinstance(reread, bool):
        raise TypeError(f"reread must be True, False or None; got {reread!r}")
    if isinstance(stdin, io.TextIOBase):
        raise TypeError("stdin must be a binary stream (sys.stdin.buffer, open(path, 'rb'), io.BytesIO); "
                        "got a text stream")
    opts = checked_options(read_options)
    # The notes and counts are this scan's, also when the options are used again; web pages are extracted
    # by the scan's workers (the caller's setting is put back).
    opts.skipped, opts.files_read, opts.files_ignored, opts.bytes_done, opts.rereading = [], 0, 0, 0, False
    deferred, opts.defer_html = opts.defer_html, True
    try:
        reader = LineReader(sources, opts, on_file=on_file, stdin=stdin)
        twice = reader.rereadable and (reader.input_bytes() >= REREAD_BYTES if reread is None else reread)
        part = "signatures" if twice else "all"
        t0 = time.perf_counter()
        if config.workers > 1 and (reader.jsonl_only or reader.text_only):
            # JSON lines are parsed (text files read) where they are hashed, and counted there if workers are
            # forked: this process reads lines. Forked workers share the counts and the spool, and find the
            # short-text pairs and verify the candidates too; both readings of a scan that reads twice share
            # them: forked now, they do not carry the memory this process has later.
            counts = Counts.make(config, shared=True) if can_fork() else None
            with ExitStack() as cleanup:
                stores = tuple(cleanup.enter_context(SetStore()) for _ in _SET_KINDS)
                workers = _Workers(cleanup, config, reader.opts, part, counts=counts, stores=stores if counts else None)
                pool = workers() if twice else None
                return _scan_hashed(_line_hashed(reader, config, part=part, pool=pool, counts=counts, start=workers),
                                    config, opts, progress, t0, _rehasher(reader, config, pool) if twice else None,
                                    counts, stores, workers if counts is not None else None)
        rehash = _rehasher(reader, config) if twice else None
        return _scan_hashed(_documents_hashed(reader.documents(), config, opts, part), config, opts, progress, t0,
                            rehash)
    finally:
        opts.defer_html = deferred
