"""The persistent index: near-duplicate lookups against an archive that grows.

A pipeline that sees new articles every hour asks "have we already seen this
story?" without rescanning its archive. :class:`Index` keeps, for every
indexed document, its content hash, its shingle set (compressed: what
verification needs) and its LSH band keys (in an indexed table or Redis
sets), so that adding or querying a document costs a few indexed lookups,
never a scan of the archive, and the archive never has to fit in memory.

Two backends share one logic and give the same results:

* an SQLite file (the default): one file, no server, WAL journal, every
  batch of documents one transaction; the format is documented in
  ``docs/index-format.md`` and holds no pickle;
* Redis (``redis=URL``), to share one index between workers or machines.

Documents are read, shingled and signed by the same stages as
:func:`dedup.scan` (:mod:`dedup.shingle`, :class:`dedup.MinHasher`,
:mod:`dedup.candidates`, :mod:`dedup.verify`).
"""

from __future__ import annotations

import dataclasses
import os
import struct
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Literal, Optional, Sequence, TypeVar, Union

import numpy as np

from . import __version__
from .decode import storable
from .errors import ConfigError, DedupError, IndexFormatError
from .io import Document
from .occasion import Evidence, OccasionResult, WordWeights, decode_evidence
from .index_batch import (FETCH_ROWS, FILTER_PAIRS, QueryStats, as_documents, index_keys, may_match, prepare,
                          prepared_batches, sketches)
from .config import OCCASION_FIELDS, ScanConfig, scan_config
from .signature import SCHEME, MinHasher
from .verify import similarity
from .index_redis import RedisStore, redact_url
from .index_store import (FEATURES, FORMAT, FORMAT_VERSION, WORD_MASK, Location, Prepared, SQLiteStore, Stored,
                          decode_set)

# How token hashes become shingle hashes (dedup.shingle): BLAKE2b-64 per
# token, polynomial fold, MurmurHash3 64-bit finalizer, low 32 bits.
SHINGLE_HASH = "blake2b64-fold-fmix64-u32"
BATCH = 1000

# Settings the index records and checks when opened, in the order reported.
SETTINGS = ("shingle_size", "shingle_kind", "num_perm", "seed", "threshold", "containment", "bands", "rows")

AddStatus = Literal["added", "unchanged", "replaced", "conflict", "duplicate", "empty"]
QueryStatus = Literal["new", "unchanged", "revision", "empty"]
_T = TypeVar("_T")


# ---------------------------------------------------------------- results

@dataclass(frozen=True)
class Match:
    """An indexed document that is a near-duplicate of a queried one.

    Attributes:
        id: the indexed document's id.
        source: where it was read from when it was added (``path`` or ``path:line``).
        jaccard: Jaccard similarity of the two shingle sets.
        query_in_match: share of the queried document's shingles found in the match.
        match_in_query: share of the match's shingles found in the queried document.
        days, figures, subject, correction: the values of the occasion
            check the pair passed (see :class:`dedup.Pair`); None when the
            check is off.
    """

    id: str
    source: str
    jaccard: float
    query_in_match: float
    match_in_query: float
    days: Optional[float] = None
    figures: Optional[float] = None
    subject: Optional[float] = None
    correction: Optional[bool] = None

    @property
    def containment(self) -> float:
        """The larger of the two containments."""
        return max(self.query_in_match, self.match_in_query)


@dataclass(frozen=True)
class AddOutcome:
    """What adding one document did.

    Attributes:
        id: the document's id.
        status: ``added`` (new id), ``unchanged`` (same id, same text: nothing
            written), ``replaced`` (same id, new text, which replaced the
            old), ``conflict`` (same id, new text, with
            ``replace=False``: nothing written), ``duplicate`` (not added:
            near-duplicate of ``matches``, only with ``skip_duplicates``) or
            ``empty`` (no words to compare: not added).
        matches: for ``duplicate``, the indexed near-duplicates.
        path, line: where the document was read from.
    """

    id: str
    status: AddStatus
    matches: tuple[Match, ...] = ()
    path: str = ""
    line: int = 0


@dataclass(frozen=True)
class QueryResult:
    """One queried document and its near-duplicates already in the index.

    Attributes:
        id: the queried document's id.
        status: how its id stands in the index: ``new``, ``unchanged`` (the
            same text is indexed under this id), ``revision`` (other text
            is indexed under this id) or ``empty`` (no words to compare).
        matches: indexed near-duplicates under other ids, most similar first.
        path, line: where the document was read from.
    """

    id: str
    status: QueryStatus
    matches: tuple[Match, ...] = ()
    path: str = ""
    line: int = 0


@dataclass(frozen=True)
class IndexInfo:
    """Settings, counts and size of an index.

    Attributes:
        location: the file path, or the Redis URL and index name.
        backend: ``sqlite`` or ``redis``.
        format_version: version of the stored format.
        settings: the recorded settings (shingles, MinHash, rule, banding).
        documents: number of indexed documents.
        band_entries: number of stored (band key, document) entries.
        size_bytes: bytes on disk (SQLite: file plus write-ahead log) or
            used by the Redis server.
        created: when the index was created (ISO 8601, UTC).
        created_by: the dedup version that created it.
    """

    location: str
    backend: str
    format_version: int
    settings: dict[str, Any]
    documents: int
    band_entries: int
    size_bytes: int
    created: str
    created_by: str


# ---------------------------------------------------------------- Index

def _meta_for(config: ScanConfig) -> dict[str, str]:
    bands, rows = config.banding
    return {
        "format": FORMAT, "format_version": str(FORMAT_VERSION), "features": FEATURES, "hash_scheme": SCHEME,
        "shingle_hash": SHINGLE_HASH,
        "shingle_size": str(config.shingle_size), "shingle_kind": config.shingle_kind,
        "num_perm": str(config.num_perm), "seed": str(config.seed), "threshold": repr(float(config.threshold)),
        "containment": repr(float(config.containment)), "bands": str(bands), "rows": str(rows),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "created_by": __version__,
    }


def _config_from_meta(meta: dict[str, str], where: str) -> ScanConfig:
    try:
        kind: Any = meta["shingle_kind"]  # checked by ScanConfig
        return ScanConfig(shingle_size=int(meta["shingle_size"]), shingle_kind=kind,
                          num_perm=int(meta["num_perm"]), seed=int(meta["seed"]),
                          threshold=float(meta["threshold"]), containment=float(meta["containment"]),
                          bands=int(meta["bands"]), rows=int(meta["rows"]))
    except (KeyError, ValueError, ConfigError) as exc:
        raise IndexFormatError(f"{where} has damaged settings ({exc}); rebuild the index") from exc


def _check_meta(meta: dict[str, str], where: str, upgrade: str = "") -> ScanConfig:
    if meta.get("format") != FORMAT:
        raise IndexFormatError(f"{where} is not a dedup index (no dedup format in its meta table); "
                               "give another path")
    try:
        version = int(meta.get("format_version", ""))
    except ValueError:
        version = -1
    if version != FORMAT_VERSION:
        if version > FORMAT_VERSION:
            raise IndexFormatError(f"{where} has index format {version}, newer than this dedup reads "
                                   f"({FORMAT_VERSION}); upgrade dedup")
        if version == 2 and upgrade:
            raise IndexFormatError(f"{where} has index format 2; this dedup reads format {FORMAT_VERSION} "
                                   f"(upgrade it in place with `{upgrade}`)")
        raise IndexFormatError(f"{where} has index format {meta.get('format_version')!r}; this dedup reads "
                               f"format {FORMAT_VERSION} (rebuild the index)")
    for key, ours in (("hash_scheme", SCHEME), ("shingle_hash", SHINGLE_HASH)):
        if meta.get(key) != ours:
            raise IndexFormatError(f"{where} was built with {key}={meta.get(key)}, not {ours} "
                                   "(rebuild the index with this dedup)")
    return _config_from_meta(meta, where)


def _upgrade_command(location: Location, redis: Optional[str]) -> str:
    import shlex

    where = shlex.quote(os.fspath(location))
    return f"dedup index upgrade {where}" + (f" --redis {shlex.quote(redact_url(redis))}" if redis else "")


def _decoded(blob: bytes, where: str) -> np.ndarray:
    """A stored shingle set, decoded; damage is an error naming the index ``where``."""
    try:
        return decode_set(blob)
    except IndexFormatError as exc:
        raise IndexFormatError(f"{where}: {exc}", where) from exc


def upgrade(location: Location, *, redis: Optional[str] = None, timeout: float = 60.0) -> Optional[int]:
    """Upgrade an index of format 2 to the current format, in place.

    Format 3 adds each document's sketch (:func:`sketches`), computed from
    the shingle set the index already holds, so nothing has to be read
    again. An SQLite file is upgraded in one transaction: interrupted, it
    is left exactly as it was. In Redis the documents are sketched batch by
    batch and the format version is written last; running the upgrade
    again finishes an interrupted one.

    Args:
        location: the SQLite file, or with ``redis`` the index name.
        redis: the Redis URL of an index kept there.
        timeout: seconds to wait for another writer.

    Returns:
        The number of documents sketched, or None when the index already
        has the current format.

    Raises:
        IndexFormatError: not a dedup index, or of a format other than 2 and 3.
        DedupError: the index does not exist or cannot be reached.
    """
    store: Union[SQLiteStore, RedisStore]
    store = (RedisStore(redis, str(location), create=False, timeout=timeout) if redis is not None
             else SQLiteStore(location, create=False, timeout=timeout))
    try:
        meta = store.init({})
        if meta.get("format") != FORMAT:
            raise IndexFormatError(f"{store.location} is not a dedup index (no dedup format in its meta table); "
                                   "give another path")
        if meta.get("format_version") == "2":
            _check_meta(dict(meta, format_version=str(FORMAT_VERSION)), store.location)
        config = _config_from_meta(meta, store.location)
        hasher = MinHasher(config.num_perm, config.seed)

        def sketch_of(blobs: list[bytes]) -> list[bytes]:
            sets = [_decoded(b, store.location) for b in blobs]
            return [r.tobytes() for r in sketches(hasher.signatures(sets))]

        return store.upgrade(sketch_of)
    finally:
        store.close()


class Index:
    """A persistent, incremental near-duplicate index.

    Opens the index at ``location`` (an SQLite file, or with ``redis`` an
    index name inside that Redis server), creating it when missing and
    ``create`` is true. A new index records the settings of ``config`` (or
    of the keyword ``settings``, or the defaults of :class:`ScanConfig`);
    an existing one keeps its own, and any setting given explicitly must
    equal the recorded one. Threads may share one Index (in SQLite their
    transactions take turns); processes each open their own.

    Args:
        location: path of the SQLite file, or the index name in Redis.
        config: settings for a new index; when opening, all of them are checked.
        redis: a Redis URL (``redis://host:port/db``): keep the index there.
        create: create the index when it does not exist.
        batch_size: documents per transaction when adding (fewer where their text passes
            :data:`dedup.pipeline.BATCH_CHARS` characters).
        timeout: seconds to wait for another writer before giving up.
        prefilter: drop candidates whose sketch rules a match out before
            fetching their sets (:func:`may_match`); False verifies every
            candidate (for comparison: the matches are the same).
        **settings: the index's settings (:data:`SETTINGS`: ``threshold=0.6``...), used for a
            new index, checked against an existing one; other ScanConfig fields
            go in ``config`` (the occasion check's apply as given: ``self.config``).

    Raises:
        IndexFormatError: the file is corrupt, foreign, of another format
            version, or was built with other settings (the message names
            the setting).
        DedupError: the index does not exist (and create is false), or
            cannot be reached.

    Example:
        >>> from dedup import Index, read_documents
        >>> with Index("archive.db") as index:                  # doctest: +SKIP
        ...     index.add(read_documents(["news/2026-11-21/"]))
        ...     for result in index.query(read_documents(["incoming/"])):
        ...         print(result.id, [(m.id, round(m.jaccard, 2)) for m in result.matches])
    """

    def __init__(self, location: Location, config: Optional[ScanConfig] = None, *, redis: Optional[str] = None,
                 create: bool = True, batch_size: int = BATCH, timeout: float = 60.0, prefilter: bool = True,
                 **settings: Any) -> None:
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            raise TypeError(f"unknown index setting {unknown[0]!r} (known: {', '.join(SETTINGS)})")
        wanted = scan_config(config, **settings)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ConfigError(f"The 'batch_size' parameter must be an int >= 1. Got {batch_size!r} instead.")
        if redis is not None and not isinstance(redis, str):
            raise TypeError(f"The 'redis' parameter must be a URL string such as 'redis://localhost:6379/0'. "
                            f"Got {redis!r} instead.")
        if not isinstance(location, (str, os.PathLike)):
            raise TypeError(f"The 'location' parameter must be a path (or with redis, an index name). "
                            f"Got {location!r} instead.")
        self.batch_size = batch_size
        self._store: Union[SQLiteStore, RedisStore]
        if redis is not None:
            self._store = RedisStore(redis, str(location), create=create, timeout=timeout)
        else:
            self._store = SQLiteStore(location, create=create, timeout=timeout)
        try:
            meta = self._store.init(_meta_for(wanted))
            self.config = _check_meta(meta, self._store.location, _upgrade_command(location, redis))
            given = {f: getattr(wanted, f) for f in SETTINGS} if config is not None else dict(settings)
            if config is not None and config.bands is None:
                given["bands"], given["rows"] = config.banding
            self._check_settings(given)
        except BaseException:
            self._store.close()
            raise
        self.meta = meta
        self.hasher = MinHasher(self.config.num_perm, self.config.seed)
        self.rule = self.config.rule
        # The occasion check decides at query time from stored evidence: its settings are the caller's.
        self.config = dataclasses.replace(self.config, **{f: getattr(wanted, f) for f in OCCASION_FIELDS})
        self.occasion = wanted.occasion_rule
        self.bands, self.rows = self.config.banding
        self.prefilter = prefilter
        self.stats = QueryStats()

    @classmethod
    def open(cls, location: Location, config: Optional[ScanConfig] = None, **kwargs: Any) -> "Index":
        """Open an existing index (DedupError if there is none)."""
        return cls(location, config, create=False, **kwargs)

    @classmethod
    def create(cls, location: Location, config: Optional[ScanConfig] = None, **kwargs: Any) -> "Index":
        """Create a new index (DedupError if the file already exists and is not empty)."""
        if kwargs.get("redis") is None:
            p = Path(location)
            if p.exists() and p.stat().st_size:
                raise DedupError(f"{p} already exists (open it with Index.open or choose another name)", str(p))
        return cls(location, config, create=True, **kwargs)

    def _check_settings(self, given: dict[str, Any]) -> None:
        for name in SETTINGS:
            if given.get(name) is None:
                continue
            ours = getattr(self.config, name)
            same = float(ours) == float(given[name]) if name in ("threshold", "containment") else ours == given[name]
            if not same:
                raise IndexFormatError(f"{self._store.location} was built with {name}={ours}, not {given[name]} "
                                       f"(leave {name} out to use the index's own settings, or use another index)")

    # ------------------------------------------------------------ context

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection. The index is safe on disk after every batch anyway."""
        self._store.close()

    @property
    def location(self) -> str:
        return self._store.location

    # ------------------------------------------------------------ hashing

    def _prepare(self, batch: Sequence[Document]) -> list[Optional[Prepared]]:
        return prepare(batch, self.config, self.hasher)

    def _buckets_of(self, evidence: bytes) -> np.ndarray:
        words = self._evidence(evidence).words
        return np.unique(words.astype(np.int64) & WORD_MASK)

    def _keys_of(self, blob: bytes) -> list[int]:
        sig = self.hasher.signatures([_decoded(blob, self._store.location)])
        return index_keys(sig, self.bands, self.rows)[0].tolist()

    def _weights(self, source: Any, pending: Optional["_Pending"] = None, docs: Optional[int] = None) -> WordWeights:
        """Word weights from the index's word counts, as ``source`` (a reader or writer) sees them, plus
        the documents written earlier in the batch (``pending``): a document is weighed against every one
        added before it, as it would be in a batch of its own. ``docs``: the store's count, if known."""
        docs = source.doc_count() if docs is None else docs
        if pending is None:
            return WordWeights(lambda words: source.word_df(np.asarray(words, np.int64) & WORD_MASK), docs)
        # Read as the document is checked, before the batch goes on (no copy per document).
        change = pending.df

        def frequency(words: np.ndarray) -> np.ndarray:
            buckets = np.asarray(words, np.int64) & WORD_MASK
            counts = source.word_df(buckets)
            if change:
                counts = counts + np.fromiter((change.get(b, 0) for b in buckets.tolist()), np.int64, len(buckets))
            return counts

        return WordWeights(frequency, docs + pending.docs)

    def _evidence(self, blob: bytes) -> Evidence:
        where = self._store.location
        try:
            return decode_evidence(blob, lambda b: _decoded(b, where))
        except (ValueError, struct.error) as exc:
            raise IndexFormatError(f"{where}: damaged occasion record in the index ({exc}); rebuild the index",
                                   where) from exc

    def _filtered(self, source: Any, items: Sequence[Prepared]) -> tuple[np.ndarray, list[Any]]:
        """The candidates worth verifying, as ``(owner, refs)``: ``refs[i]`` for ``items[owner[i]]``, by owner.

        The band keys of all the items are looked up at once; a candidate
        whose sketch rules a match out (:func:`may_match`) is dropped before
        its set is fetched. One without a sketch is always kept.
        """
        owner, flat = source.postings([item.keys for item in items])
        keep = np.ones(len(flat), dtype=bool)
        self.stats.candidates += len(flat)
        if self.prefilter and flat:
            known = source.sketches(sorted(set(flat)))
            if known:
                row = {r: k for k, r in enumerate(known)}
                at = np.fromiter((row.get(r, -1) for r in flat), dtype=np.int64, count=len(flat))
                checked = np.flatnonzero(at >= 0)
                stored = np.frombuffer(b"".join(sk for _, sk in known.values()), np.uint8).reshape(len(known), -1)
                sizes = np.fromiter((n for n, _ in known.values()), dtype=np.int64, count=len(known))
                mine = np.frombuffer(b"".join(item.sketch for item in items), np.uint8).reshape(len(items), -1)
                my_sizes = np.array([len(item.shingles) for item in items], dtype=np.int64)
                for lo in range(0, len(checked), FILTER_PAIRS):  # a slice of the pairs at a time
                    part = checked[lo : lo + FILTER_PAIRS]
                    q, there = owner[part], at[part]
                    keep[part] = may_match(mine[q], my_sizes[q], stored[there], sizes[there], self.rule)
                self.stats.filtered += int(len(flat) - np.count_nonzero(keep))
        self.stats.verified += int(np.count_nonzero(keep))
        return owner[keep], [r for r, k in zip(flat, keep.tolist()) if k]

    def _fetched(self, source: Any, items: Sequence[Prepared], owner: np.ndarray,
                 refs: list[Any]) -> Iterator[dict[str, tuple[str, bytes, bytes]]]:
        """For each item in turn, its candidates' id -> (source, shingle set, evidence).

        Rows are fetched for a group of consecutive items at a time (in
        ``doc`` order), at most about :data:`FETCH_ROWS` of them, so that
        memory stays bounded however many candidates a batch has.
        """
        bounds = np.concatenate([[0], np.cumsum(np.bincount(owner, minlength=len(items)))]).tolist()
        start = 0
        while start < len(items):
            stop = start + 1
            while stop < len(items) and bounds[stop + 1] - bounds[start] <= FETCH_ROWS:
                stop += 1
            fetched = source.fetch(sorted(set(refs[bounds[start] : bounds[stop]])))
            for i in range(start, stop):
                found: dict[str, tuple[str, bytes, bytes]] = {}
                for r in refs[bounds[i] : bounds[i + 1]]:
                    if r in fetched:
                        doc_id, src, blob, evidence = fetched[r]
                        found[doc_id] = (src, blob, evidence)
                yield found
            start = stop

    def _candidates(self, source: Any, items: Sequence[Prepared]) -> Iterator[dict[str, tuple[str, bytes, bytes]]]:
        """For each item in turn, the indexed documents worth verifying (see :meth:`_filtered`)."""
        return self._fetched(source, items, *self._filtered(source, items))

    def _matches(self, source: Any, item: Prepared, pending: Optional["_Pending"] = None,
                 weights: Optional[WordWeights] = None,
                 found: Optional[dict[str, tuple[str, bytes, bytes]]] = None) -> tuple[Match, ...]:
        if found is None:
            (found,) = list(self._candidates(source, [item]))
        found = dict(found)
        if pending is not None:
            for doc_id in pending.removed:
                found.pop(doc_id, None)
        found.pop(item.doc.id, None)
        if weights is None and self.occasion is not None:
            weights = self._weights(source)
        out: list[Optional[Match]] = []
        # Indexed copies of one text (the same set and evidence) are verified once.
        verified: dict[tuple[bytes, bytes], Optional[Match]] = {}
        for doc_id, (src, blob, evidence) in found.items():
            key = (blob, evidence)
            if key in verified:
                first = verified[key]
                out.append(None if first is None else dataclasses.replace(first, id=doc_id, source=src))
                continue
            stored = _decoded(blob, self._store.location)
            verified[key] = match = self._verify(item, doc_id, src, stored, evidence, weights, 1)
            out.append(match)
        if pending is not None:
            for doc_id in pending.near(item.keys):
                if doc_id != item.doc.id:
                    other = pending.added[doc_id]
                    # Counted in the weights as written earlier in the batch (see _weights).
                    out.append(self._verify(item, doc_id, other.source, other.shingles,
                                            other.ev if other.ev is not None else other.evidence, weights, 1))
        kept = [m for m in out if m is not None]
        kept.sort(key=lambda m: (-m.jaccard, -m.containment, m.id))
        return tuple(kept)

    def _verify(self, item: Prepared, doc_id: str, source: str, other: np.ndarray, evidence: Union[bytes, Evidence],
                weights: Optional[WordWeights], counted: int) -> Optional[Match]:
        jac, q_in_m, m_in_q = similarity(item.shingles, other)
        if not self.rule.accepts(jac, q_in_m, m_in_q):
            return None
        got: Optional[OccasionResult] = None
        if self.occasion is not None and weights is not None:
            got = self.occasion.check(item.ev if item.ev is not None else self._evidence(item.evidence),
                                      evidence if isinstance(evidence, Evidence) else self._evidence(evidence), jac,
                                      max(q_in_m, m_in_q), weights, counted)
            if not got.passed:
                return None
        return Match(doc_id, source, jac, q_in_m, m_in_q, *(() if got is None else (got.days, got.figures, got.subject, got.correction)))

    # ------------------------------------------------------------ add

    def iter_add(self, documents: Iterable[Union[Document, tuple[str, str]]], *, skip_duplicates: bool = False,
                 progress: Optional[Callable[[int], None]] = None, replace: bool = True,
                 jobs: int = 1, on_merge: Optional[Callable[[int, int], None]] = None) -> Iterator[AddOutcome]:
        """Add documents batch by batch, yielding each outcome once its batch is committed.

        Nothing happens until the iterator is consumed; :meth:`add` consumes it.
        See :meth:`add` for the arguments; ``on_merge(level, runs)`` is called before runs of band
        entries are merged (a pause that grows with the index: see :meth:`compact`).
        """
        done = 0
        for batch, prepared in prepared_batches(as_documents(documents), self.config, self.batch_size, jobs):
            outcomes = self._store.run_write(lambda writer: self._add_batch(writer, batch, prepared, skip_duplicates,
                                                                                replace))
            # The batch is committed: its outcomes go out before anything can be interrupted, then
            # ``progress`` is called (the command flushes its output there).
            yield from outcomes
            done += len(batch)
            if progress:
                progress(done)
            # Runs of band entries that now fill a level are merged.
            self._store.merge_runs(starting=on_merge)

    def _add_batch(self, writer: Any, batch: Sequence[Document], prepared: Sequence[Optional[Prepared]],
                   skip_duplicates: bool, replace: bool = True) -> list[AddOutcome]:
        """Work out one batch against the index as the writer reads it; queue its writes."""
        outcomes: list[AddOutcome] = []
        stored = writer.lookup(list(dict.fromkeys(p.doc.id for p in prepared if p is not None)))
        pending = _Pending(counting=skip_duplicates and self.occasion is not None)
        indexed: Optional[int] = None  # documents in the store before the batch
        for doc, item in zip(batch, prepared):
            if item is None:
                outcomes.append(AddOutcome(doc.id, "empty", (), doc.path, doc.line))
                continue
            old_content = pending.content(doc.id, stored)
            if old_content == item.content:
                outcomes.append(AddOutcome(doc.id, "unchanged", (), doc.path, doc.line))
                continue
            if old_content is not None and not replace:
                outcomes.append(AddOutcome(doc.id, "conflict", (), doc.path, doc.line))
                continue
            if old_content is not None:
                if doc.id in pending.added:
                    pending.drop(doc.id)
                else:
                    pending.remove(doc.id, self._buckets_of(stored[doc.id].evidence))
                pending.add(item)
                outcomes.append(AddOutcome(doc.id, "replaced", (), doc.path, doc.line))
                continue
            if skip_duplicates:
                weights = None
                if self.occasion is not None:
                    indexed = writer.doc_count() if indexed is None else indexed
                    weights = self._weights(writer, pending, indexed)
                matches = self._matches(writer, item, pending, weights)
                if matches:
                    outcomes.append(AddOutcome(doc.id, "duplicate", matches, doc.path, doc.line))
                    continue
            pending.add(item)
            outcomes.append(AddOutcome(doc.id, "added", (), doc.path, doc.line))
        # Writes go out once per batch, each id's final version only.
        for doc_id in sorted(pending.removed):
            old = stored[doc_id]
            writer.delete(doc_id, self._keys_of(old.blob), self._buckets_of(old.evidence))
        for item in pending.added.values():
            writer.insert(item)
        return outcomes

    def add(self, documents: Iterable[Union[Document, tuple[str, str]]], *, skip_duplicates: bool = False,
            progress: Optional[Callable[[int], None]] = None, replace: bool = True,
            jobs: int = 1) -> list[AddOutcome]:
        """Add documents; each batch of ``batch_size`` is one transaction.

        A document whose id is indexed with the same text is left as it is
        (``unchanged``); with other text, the new revision replaces the old
        (``replaced``), or with ``replace=False`` stays as it is
        (``conflict``). With ``skip_duplicates``, a new document that is a
        near-duplicate of an indexed one (or of one added earlier in the
        same call) is not added (``duplicate``, with its matches). Each
        document is checked against all those added before it, as if added
        alone: the outcomes do not depend on ``batch_size``.

        Args:
            documents: :class:`Document` objects or ``(id, text)`` pairs.
            skip_duplicates: add only documents with no near-duplicate indexed.
            progress: called with the number of documents processed so far.
            replace: let a new text replace the indexed one of the same id.
            jobs: worker processes that hash the documents (0: all cores);
                the outcomes and the index are the same for any number.

        Returns:
            One AddOutcome per document, in input order.
        """
        return list(self.iter_add(documents, skip_duplicates=skip_duplicates, progress=progress, replace=replace,
                                  jobs=jobs))

    # ------------------------------------------------------------ query

    def iter_query(self, documents: Iterable[Union[Document, tuple[str, str]]], *,
                   progress: Optional[Callable[[int], None]] = None, jobs: int = 1) -> Iterator[QueryResult]:
        """Query documents lazily, one batch (one consistent snapshot) at a time. See :meth:`query`."""
        done = 0
        for batch, prepared in prepared_batches(as_documents(documents), self.config, self.batch_size, jobs,
                                                encode=False):
            results = []
            # The results go out once the read is over: the caller may use the index meanwhile.
            with self._store.read() as reader:
                stored = reader.lookup(list(dict.fromkeys(p.doc.id for p in prepared if p is not None)))
                weights: Optional[WordWeights] = None
                live = [item for item in prepared if item is not None]
                found = self._candidates(reader, live) if live else iter([])
                for doc, item in zip(batch, prepared):
                    if item is None:
                        results.append(QueryResult(doc.id, "empty", (), doc.path, doc.line))
                        continue
                    old = stored.get(doc.id)
                    status: QueryStatus = ("new" if old is None else
                                           "unchanged" if old.content == item.content else "revision")
                    if weights is None and self.occasion is not None:
                        weights = self._weights(reader)
                    results.append(QueryResult(doc.id, status, self._matches(reader, item, weights=weights,
                                                                             found=next(found)), doc.path, doc.line))
            done += len(batch)
            if progress:
                progress(done)
            yield from results

    def query(self, documents: Iterable[Union[Document, tuple[str, str]]], *,
              progress: Optional[Callable[[int], None]] = None, jobs: int = 1) -> list[QueryResult]:
        """Find each document's near-duplicates already in the index. Nothing is written.

        Candidates come from the band keys; each is verified on the stored
        shingle sets with the index's rule. A document is not its own match.

        Args:
            documents: :class:`Document` objects or ``(id, text)`` pairs.
            progress: called with the number of documents processed so far.
            jobs: worker processes that hash the documents (0: all cores).

        Returns:
            One QueryResult per document, in input order.

        Example:
            >>> index = Index("archive.db")                  # doctest: +SKIP
            >>> [r.matches[0].id for r in index.query([("new", text)]) if r.matches]   # doctest: +SKIP
            ['kaiser-strike.txt']
        """
        return list(self.iter_query(documents, progress=progress, jobs=jobs))

    # ------------------------------------------------------------ remove, info

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id (one transaction).

        Args:
            ids: ids to remove.

        Returns:
            The ids that were indexed and are now removed, in the order given
            (ids not in the index are left out).
        """
        if isinstance(ids, (str, bytes)):
            raise TypeError("Iterable over ids expected, string object received.")
        wanted = list(dict.fromkeys(storable(str(i)) for i in ids))

        def work(writer: Any) -> list[str]:
            stored = writer.lookup(wanted)
            for doc_id in wanted:
                if doc_id in stored:
                    old = stored[doc_id]
                    writer.delete(doc_id, self._keys_of(old.blob), self._buckets_of(old.evidence))
            return [i for i in wanted if i in stored]

        return self._store.run_write(work)

    def compact(self) -> tuple[int, int]:
        """Merge the index's runs of band entries into one, so that a query seeks each band key once.

        Adding keeps its rate whatever the size of the index by writing each
        65,536 documents' band entries as a run of their own, and merges
        runs four at a time as they accumulate (level by level, so an index
        has O(log N) runs); a query seeks each of its keys once per run.
        Compacting rewrites all entries as one
        run in key order (one transaction; readers go on meanwhile), after
        which queries cost the same at any size until new segments
        accumulate. Its cost grows with the index, like a database's
        VACUUM, so run it when the archive has grown, not after every add.
        Redis keeps one set per key: nothing to do.

        Returns:
            (runs before, band entries rewritten).
        """
        return self._store.compact()

    def vacuum(self) -> tuple[int, int]:
        """Give the file's free pages back to the file system (SQLite's VACUUM: the file is rewritten,
        which needs free disk space of about its size; other processes wait meanwhile). Compacting
        leaves the pages of the old runs free for later adds to reuse; this returns them at once.
        Redis: nothing to do. Returns (bytes before, bytes after)."""
        return self._store.vacuum()

    def __contains__(self, doc_id: object) -> bool:
        # 5 as add((5, text)) and remove([5]) take it
        ok = isinstance(doc_id, (str, int)) and not isinstance(doc_id, bool)
        return ok and bool(self._store.lookup([storable(str(doc_id))]))

    def __len__(self) -> int:
        return self._store.count()

    def info(self) -> IndexInfo:
        """Settings, counts and size of the index."""
        docs, bands = self._store.counts()
        c = self.config
        settings = {"shingle_size": c.shingle_size, "shingle_kind": c.shingle_kind, "num_perm": c.num_perm,
                    "seed": c.seed, "hash_scheme": SCHEME, "shingle_hash": SHINGLE_HASH, "threshold": c.threshold,
                    "containment": c.containment, "bands": self.bands, "rows": self.rows}
        return IndexInfo(self.location, self._store.backend, int(self.meta["format_version"]), settings, docs, bands,
                         self._store.size(), self.meta.get("created", ""), self.meta.get("created_by", ""))


@dataclass
class _Pending:
    """Documents written earlier in the current batch, not yet visible in the store."""

    added: dict[str, Prepared] = field(default_factory=dict)
    removed: set[str] = field(default_factory=set)
    by_key: dict[int, set[str]] = field(default_factory=dict)
    # Their change to the word counts: documents, and documents per word bucket (kept only when
    # ``counting``: the occasion check of --skip-duplicates weighs words by them).
    counting: bool = False
    docs: int = 0
    df: dict[int, int] = field(default_factory=dict)

    def _count(self, buckets: np.ndarray, sign: int) -> None:
        if not self.counting:
            return
        self.docs += sign
        for b in np.asarray(buckets, np.int64).tolist():
            self.df[b] = self.df.get(b, 0) + sign

    def content(self, doc_id: str, stored: dict[str, Stored]) -> Optional[bytes]:
        if doc_id in self.added:
            return self.added[doc_id].content
        if doc_id in self.removed:
            return None
        old = stored.get(doc_id)
        return old.content if old is not None else None

    def add(self, item: Prepared) -> None:
        self.added[item.doc.id] = item
        self._count(item.buckets, 1)
        for k in item.keys:
            self.by_key.setdefault(k, set()).add(item.doc.id)

    def drop(self, doc_id: str) -> None:
        item = self.added.pop(doc_id)
        self._count(item.buckets, -1)
        for k in item.keys:
            self.by_key[k].discard(doc_id)

    def remove(self, doc_id: str, buckets: np.ndarray) -> None:
        """An indexed document the batch replaces (``buckets``: its word buckets)."""
        self.removed.add(doc_id)
        self._count(buckets, -1)

    def near(self, keys: Sequence[int]) -> list[str]:
        return sorted({d for k in keys for d in self.by_key.get(k, ())})
