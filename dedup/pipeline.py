"""The whole scan, read -> normalize -> shingle -> signature -> candidates ->
verify -> cluster, as one library call returning plain dataclasses."""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Callable, Iterable, Iterator, Optional, Sequence

import numpy as np

from .cluster import KEEP_POLICIES, KeepPolicy, choose_keep, groups
from .errors import ConfigError, DedupError, check_range
from .candidates import candidate_pairs, lsh_floor, recall_bands
from .io import Document, ReadOptions, Skipped, Source, read_documents
from .shingle import ShingleConfig, ShingleKind, shingle_batch
from .short import ShortFeatures, ShortRule, short_features, short_pairs
from .signature import MinHasher
from .verify import Pair, Rule, ShingleCounts, similarity, verify

BATCH = 256


@dataclass(frozen=True)
class ScanConfig:
    """Every setting of a scan.

    Args:
        shingle_size: tokens per shingle.
        shingle_kind: ``"word"`` or ``"char"``.
        num_perm: MinHash permutations.
        seed: MinHash seed.
        threshold: minimum Jaccard for a near-duplicate.
        containment: minimum containment of one document in the other.
        keep: which copy of a cluster to keep.
        jobs: worker processes for shingling and signatures (0: all cores).
        bands, rows: LSH banding; None tunes them for the lowest similarity
            the rule accepts.
        boilerplate_share: a shingle found in more than this share of the
            scanned documents (and in at least ``boilerplate_min_docs``)
            is boilerplate and carries no weight in verification; 1.0 turns
            this off.
        boilerplate_min_docs: the fewest documents a boilerplate shingle is in.
        short_words: documents of at most this many words are also compared
            by the short-text rule (word 2-grams with the figures and rare
            words agreeing, see :mod:`dedup.short`); 0 turns it off.
    """

    shingle_size: int = 5
    shingle_kind: ShingleKind = "word"
    num_perm: int = 128
    seed: int = 1
    threshold: float = 0.5
    containment: float = 0.55
    keep: KeepPolicy = "longest"
    jobs: int = 1
    bands: Optional[int] = None
    rows: Optional[int] = None
    boilerplate_share: float = 0.5
    boilerplate_min_docs: int = 5
    short_words: int = 150

    def __post_init__(self) -> None:
        ShortRule(self.short_words)
        check_range("boilerplate_share", self.boilerplate_share, 0.0, 1.0, low_open=True)
        if not isinstance(self.boilerplate_min_docs, int) or self.boilerplate_min_docs < 2:
            raise ConfigError("The 'boilerplate_min_docs' parameter must be an int >= 2. "
                              f"Got {self.boilerplate_min_docs!r} instead.")
        ShingleConfig(self.shingle_size, self.shingle_kind)
        MinHasher(self.num_perm, self.seed)
        Rule(self.threshold, self.containment)
        if self.keep not in KEEP_POLICIES:
            raise ConfigError(f"The 'keep' parameter must be one of {', '.join(KEEP_POLICIES)}. "
                              f"Got {self.keep!r} instead.")
        if isinstance(self.jobs, bool) or not isinstance(self.jobs, int) or self.jobs < 0:
            raise ConfigError(f"The 'jobs' parameter must be an int >= 0. Got {self.jobs!r} instead.")
        if (self.bands is None) != (self.rows is None):
            raise ConfigError("The 'bands' and 'rows' parameters must be given together.")
        if self.bands is not None and (self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.num_perm):
            raise ConfigError(f"bands * rows must be at most num_perm ({self.num_perm}). "
                              f"Got {self.bands} * {self.rows} instead.")

    @property
    def shingles(self) -> ShingleConfig:
        return ShingleConfig(self.shingle_size, self.shingle_kind)

    @property
    def rule(self) -> Rule:
        return Rule(self.threshold, self.containment)

    @property
    def short_rule(self) -> ShortRule:
        return ShortRule(self.short_words)

    @property
    def banding(self) -> tuple[int, int]:
        """(bands, rows) used for candidates."""
        if self.bands is not None and self.rows is not None:
            return self.bands, self.rows
        return recall_bands(round(lsh_floor(self.threshold, self.containment), 6), self.num_perm)

    @property
    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


@dataclass(frozen=True)
class DocInfo:
    """What a scan keeps of each document: no text, just its identity and size."""

    id: str
    path: str
    line: int
    words: int
    shingles: int
    date: Optional[datetime]
    is_file: bool


@dataclass(frozen=True)
class Member:
    """A cluster member and its similarity to the kept copy.

    ``containment`` is the share of this member's shingles found in the kept
    copy (1.0: dropping it loses no text the kept copy lacks).
    """

    id: str
    jaccard: float
    containment: float
    keep: bool


@dataclass(frozen=True)
class Cluster:
    """A group of near-duplicates; ``members[0]`` is the copy to keep."""

    index: int
    keep: str
    members: tuple[Member, ...]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class ScanResult:
    """Everything a scan found.

    Attributes:
        documents: one DocInfo per document read, in input order.
        pairs: verified near-duplicate pairs (document indices).
        clusters: clusters of size >= 2, ordered by their first document.
        skipped: files and records that were not read, with the reason.
        files_read, files_ignored: counts of input files.
        candidates: number of LSH candidate pairs verified.
        bands, rows: the LSH banding used.
        config: the settings.
        seconds: wall time per stage.
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
    seconds: dict[str, float] = field(default_factory=dict)

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


class SetStore:
    """Shingle-hash sets of every document, spooled to an unnamed temporary file.

    Sets are appended as raw uint32 in document order; only the offsets stay
    in memory (8 bytes a document), so memory does not grow with the text.
    ``store[i]`` reads one set back with ``os.pread``, which costs a system
    call for the few documents verification and clustering look at, instead
    of keeping every set in RAM or mapping the whole file (whose touched
    pages would count against the process). The file has no name on POSIX
    systems and disappears when the store is closed or the process ends.

    Args:
        directory: where the temporary file goes (default: the system's).

    Example:
        >>> import numpy as np
        >>> with SetStore() as store:
        ...     store.extend(np.array([1, 5, 9, 2], dtype=np.uint32), np.array([3, 1]))
        ...     store[1].tolist()
        [2]
    """

    def __init__(self, directory: Optional[str] = None) -> None:
        self._file = tempfile.TemporaryFile(prefix="dedup-sets-", dir=directory)
        self._lengths: list[np.ndarray] = []
        self._offsets: Optional[np.ndarray] = None
        self._dirty = False

    def __enter__(self) -> "SetStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete the temporary file."""
        self._file.close()

    def __len__(self) -> int:
        return int(sum(len(x) for x in self._lengths))

    def extend(self, values: np.ndarray, lengths: np.ndarray) -> None:
        """Append the sets of a batch: their concatenated values and their sizes.

        Raises:
            DedupError: the temporary folder is full (or a file size limit is reached).
        """
        try:
            self._file.write(memoryview(np.ascontiguousarray(values, dtype=np.uint32)))
        except OSError as exc:
            raise DedupError(f"could not write the scan's temporary file in {tempfile.gettempdir()} "
                             f"({exc.strerror or exc}); free some space there or point TMPDIR at a folder "
                             "with room") from exc
        self._lengths.append(np.asarray(lengths, dtype=np.int64))
        self._offsets = None
        self._dirty = True

    def __getitem__(self, i: int) -> np.ndarray:
        """The sorted uint32 shingle-hash set of document ``i``."""
        if self._dirty:
            self._file.flush()
            self._dirty = False
        if self._offsets is None:
            lengths = np.concatenate(self._lengths) if self._lengths else np.empty(0, np.int64)
            self._lengths = [lengths]
            self._offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
            np.cumsum(lengths, out=self._offsets[1:])
        lo, hi = int(self._offsets[i]), int(self._offsets[i + 1])
        data = os.pread(self._file.fileno(), 4 * (hi - lo), 4 * lo)
        return np.frombuffer(data, dtype=np.uint32)


# ---------------------------------------------------------------- batches

_worker_state: dict[str, object] = {}


def _init_worker(config: ScanConfig) -> None:
    _worker_state["config"] = config
    if multiprocessing.parent_process() is not None:
        # Ctrl-C reaches the whole process group: the parent stops the pool;
        # a worker dying of it mid-task would print a traceback and can hang
        # Pool.terminate.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_state["hasher"] = MinHasher(config.num_perm, config.seed)


def _hash_batch(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, ShortFeatures]:
    """Shingle sets and signatures of a batch of texts.

    Returns:
        (concatenated sets, set lengths, word counts, signatures, features of
        the short texts, indexed within the batch).
    """
    config: ScanConfig = _worker_state["config"]  # type: ignore[assignment]
    hasher: MinHasher = _worker_state["hasher"]  # type: ignore[assignment]
    values, lengths, words = shingle_batch(texts, config.shingles)
    short = (short_features(texts, words.tolist(), config.short_words) if config.short_words
             else ShortFeatures.empty())
    return values, lengths, words, hasher.signatures_flat(values, lengths), short


def _batches(docs: Iterable[Document], size: int) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for number, doc in enumerate(docs):
        if not isinstance(doc, Document) or not isinstance(doc.text, str) or not isinstance(doc.id, str):
            what = (f"a Document with text {type(doc.text).__name__}" if isinstance(doc, Document)
                    and not isinstance(doc.text, str) else
                    f"a Document with id {type(doc.id).__name__}" if isinstance(doc, Document)
                    else type(doc).__name__)
            raise TypeError(f"Document objects with str id and text expected; item {number} is {what}.")
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _hashed(docs: Iterable[Document], config: ScanConfig) -> Iterator[tuple[list[Document], tuple]]:
    """(batch, hashed batch) in input order, using worker processes when jobs > 1."""
    workers = config.workers
    if workers <= 1:
        _init_worker(config)
        for batch in _batches(docs, BATCH):
            yield batch, _hash_batch([d.text for d in batch])
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    pending: list[tuple[list[Document], object]] = []
    with ctx.Pool(workers, initializer=_init_worker, initargs=(config,)) as pool:
        try:
            for batch in _batches(docs, BATCH):
                pending.append((batch, pool.apply_async(_hash_batch, ([d.text for d in batch],))))
                # Bound the work in flight so memory follows the signatures, not the text.
                while len(pending) > 2 * workers:
                    done, res = pending.pop(0)
                    yield done, res.get()  # type: ignore[attr-defined]
            while pending:
                done, res = pending.pop(0)
                yield done, res.get()  # type: ignore[attr-defined]
        except BaseException:
            # Stopped early (Ctrl-C, a read error): let the few batches in flight come back
            # before the pool is terminated. A worker still writing a large result into the
            # pipe holds the result queue's lock, and Pool.terminate then waits for that lock
            # forever (it hung 2 in 30 interrupted scans with -j 2).
            deadline = time.monotonic() + 10
            for _, res in pending:
                res.wait(max(0.0, deadline - time.monotonic()))  # type: ignore[attr-defined]
            raise


# ---------------------------------------------------------------- scan

def _unique_ids(docs: Iterable[Document]) -> Iterator[Document]:
    """Pass documents through, refusing a repeated id (clusters name documents by id)."""
    seen: set[str] = set()
    for doc in docs:
        doc_id = getattr(doc, "id", None)
        if doc_id in seen:
            raise ConfigError(f"Document ids must be unique; {doc_id!r} appears twice (give each document its "
                              "own id).")
        seen.add(doc_id)  # type: ignore[arg-type]
        yield doc


def _stack(chunks: list[np.ndarray], num_perm: int) -> np.ndarray:
    """Concatenate signature batches, releasing each as it is copied (peak: one copy plus a batch)."""
    out = np.empty((sum(len(c) for c in chunks), num_perm), dtype=np.uint32)
    row = 0
    chunks.reverse()
    while chunks:
        c = chunks.pop()
        out[row : row + len(c)] = c
        row += len(c)
    return out


def scan_documents(docs: Iterable[Document], config: Optional[ScanConfig] = None, *,
                   progress: Optional[Callable[[int], None]] = None,
                   read_options: Optional[ReadOptions] = None) -> ScanResult:
    """Find near-duplicates among documents.

    Args:
        docs: documents with unique ids.
        config: settings (defaults: :class:`ScanConfig`).
        progress: called with the number of documents hashed so far.
        read_options: the options the documents were read with (for counts).

    Returns:
        ScanResult.
    """
    if isinstance(docs, (str, bytes)):
        raise TypeError("Iterable over Document objects expected, string object received.")
    config = config or ScanConfig()
    opts = read_options or ReadOptions()
    t0 = time.perf_counter()
    infos: list[DocInfo] = []
    with SetStore() as store:
        sig_chunks: list[np.ndarray] = []
        df = ShingleCounts() if config.boilerplate_share < 1.0 else None
        shorts: list[ShortFeatures] = []
        for batch, (values, lengths, words, sigs, short) in _hashed(_unique_ids(docs), config):
            if len(short):
                short.index += len(infos)
                shorts.append(short)
            store.extend(values, lengths)
            if df is not None:
                df.add(values, len(batch))
            sig_chunks.append(sigs)
            for doc, n_words, n_sh in zip(batch, words.tolist(), lengths.tolist()):
                infos.append(DocInfo(doc.id, doc.path, doc.line, n_words, n_sh, doc.date, doc.is_file))
            if progress:
                progress(len(infos))
        t1 = time.perf_counter()
        signatures = _stack(sig_chunks, config.num_perm)
        # A document with no words has no shingles: note it and leave it out of matching.
        skipped = list(opts.skipped)
        bands, rows = config.banding
        candidates = candidate_pairs(signatures, bands, rows)
        empty = [i for i, d in enumerate(infos) if d.shingles == 0]
        if empty:
            drop = np.isin(candidates, empty).any(axis=1)
            candidates = candidates[~drop]
            for i in empty:
                skipped.append(Skipped(infos[i].path, "no words to compare (empty after normalization)",
                                       infos[i].line))
        t2 = time.perf_counter()
        get_set = store.__getitem__
        if df is not None:
            get_set = df.boilerplate(config.boilerplate_share, config.boilerplate_min_docs).view(get_set)
        pairs = list(verify(candidates, get_set, config.rule))
        n_candidates = len(candidates)
        if config.short_words:
            # Short documents the 5-gram rule did not pair may still be near-duplicates by the short-text rule.
            found = {(p.left, p.right) for p in pairs}
            for m in short_pairs(ShortFeatures.concat(shorts), config.short_rule,
                                 MinHasher(config.num_perm, config.seed)):
                if (m.left, m.right) in found:
                    continue
                jac, lr, rl = similarity(get_set(m.left), get_set(m.right))
                pairs.append(Pair(m.left, m.right, jac, lr, rl, rule="short"))
            pairs.sort(key=lambda p: (p.left, p.right))
        t3 = time.perf_counter()
        lengths_w = [d.words for d in infos]
        dates = [d.date for d in infos]
        clusters = []
        for number, comp in enumerate(groups(len(infos), pairs)):
            keep = choose_keep(comp, config.keep, lengths_w, dates)
            members = [Member(infos[keep].id, 1.0, 1.0, True)]
            kept_set = get_set(keep)
            others = []
            for i in comp:
                if i == keep:
                    continue
                jac, inside, _ = similarity(get_set(i), kept_set)
                others.append(Member(infos[i].id, jac, inside, False))
            others.sort(key=lambda m: (-m.jaccard, -m.containment, m.id))
            clusters.append(Cluster(number, infos[keep].id, tuple(members + others)))
    t4 = time.perf_counter()
    return ScanResult(
        documents=tuple(infos), pairs=tuple(pairs), clusters=tuple(clusters), skipped=tuple(skipped),
        files_read=opts.files_read, files_ignored=opts.files_ignored, candidates=n_candidates,
        bands=bands, rows=rows, config=config,
        seconds={"read+signature": t1 - t0, "candidates": t2 - t1, "verify": t3 - t2, "cluster": t4 - t3},
    )


def scan(sources: Sequence[Source], config: Optional[ScanConfig] = None, *,
         read_options: Optional[ReadOptions] = None, progress: Optional[Callable[[int], None]] = None,
         on_file: Optional[Callable[[str], None]] = None, stdin: Optional[IO[bytes]] = None,
         **settings: object) -> ScanResult:
    """Scan files, folders or ``-`` (JSON lines on stdin) for near-duplicate articles.

    Args:
        sources: paths of files or folders, or ``"-"``.
        config: a ScanConfig; or give its fields as keyword arguments.
        read_options: encoding, JSON fields and strictness.
        progress: called with the number of documents hashed so far.
        on_file: called with each file path as it is opened.
        stdin: the stream ``-`` reads (default: standard input).

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
    if config is None:
        config = ScanConfig(**settings)  # type: ignore[arg-type]
    elif settings:
        raise TypeError("give either config or keyword settings, not both")
    opts = read_options or ReadOptions()
    docs = read_documents(sources, opts, on_file=on_file, stdin=stdin)
    return scan_documents(docs, config, progress=progress, read_options=opts)
