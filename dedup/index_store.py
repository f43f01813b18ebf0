"""Storage of the persistent index: the byte layouts, and the SQLite backend
(the Redis backend, :mod:`dedup.index_redis`, offers the same interface).

Both keep, per document, its content hash, its shingle set (compressed by
:func:`encode_set`) and its LSH band keys, and offer the same small
interface to :class:`dedup.index.Index`, which holds the logic. The SQLite
layout is documented in ``docs/index-format.md``.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sqlite3
import stat
import threading
import time
import urllib.parse
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence, TypeVar, Union

import numpy as np

from .errors import DedupError, IndexFormatError
from .io import Document

FORMAT = "dedup-index"
#: (list, key, document) triples a postings lookup makes at a time (see SQLiteStore.postings).
PAIRS_AT_ONCE = 1 << 22
FORMAT_VERSION = 3
#: What the stored evidence holds, within a format (an index without it was built before "2"), and what
#: each version changed: what an index built before a version stores otherwise than a query now reads it.
FEATURE_CHANGES = (("2", "its articles' lottery draws (4-7-1) are stored digit by digit and their records' titles "
                         "not at all"),
                   ("3", "its articles' spelled-out numbers (four) are stored as words, not as the figures (4) a query "
                         "now reads, and draws with en dashes digit by digit"))
FEATURES = FEATURE_CHANGES[-1][0]
# SQLite header field "application id": the bytes "DDUP".
APPLICATION_ID = 0x44445550
# Band entries are grouped in runs (the ``seg`` column). An add writes to
# the segment run of its documents (doc >> SEGMENT_BITS), so it only
# touches the newest segment's part of the B-tree, which stays small enough
# to be cached, instead of dirtying pages all over a tree that grows with
# the index. A query seeks each key once per run, so runs are merged as
# they accumulate (size-tiered, as log-structured stores do): once
# MERGE_FANOUT complete runs of one level exist, they become one run of the
# next level (merge_runs(), after each add), so an index grown by adds alone
# has O(MERGE_FANOUT x log N) runs, not one per segment, and each entry is
# rewritten once per level. compact() merges all runs into one. A query
# looks a whole batch's keys up at once, in key order, so that each run's
# pages are read about once per batch instead of once per document.
SEGMENT_BITS = 16
MERGE_FANOUT = 4
# A merged run's number is -(level << _LEVEL_SHIFT) - serial, serial >= 1;
# segment runs are the non-negative numbers (level 0); compact() writes at
# _TOP_LEVEL, which tiering never reaches. (Indexes compacted before tiering
# have runs -1, -2, ...: level 1 to it.)
_LEVEL_SHIFT = 40
_TOP_LEVEL = 1 << 20
# Run numbers, one seek each: the distinct values of bands.seg (skip scan).
_RUNS = ("WITH RECURSIVE r(s) AS (SELECT min(seg) FROM bands UNION ALL "
         "SELECT (SELECT min(seg) FROM bands WHERE seg > r.s) FROM r WHERE r.s IS NOT NULL) "
         "SELECT s FROM r WHERE s IS NOT NULL")
# Parameters per SQL statement: under SQLite's historical limit of 999.
_CHUNK = 900
# Slices of the key space that compact() copies one at a time.
_COMPACT_PARTS = 64
_SQLITE_MAGIC = b"SQLite format 3\x00"

Location = Union[str, os.PathLike]
_T = TypeVar("_T")

# ---------------------------------------------------------------- encoding

def encode_set(values: np.ndarray) -> bytes:
    """Compress a sorted set of distinct uint32 shingle hashes.

    Layout: the gaps between consecutive values (the first value is its
    own gap) as little-endian uint32, split into four byte planes (all
    lowest bytes, then all second bytes, ...), zlib-compressed. Gaps are
    small, so their high planes are mostly zero and compress well.
    """
    gaps = np.diff(np.asarray(values, dtype=np.uint32), prepend=np.uint32(0)).astype("<u4")
    return zlib.compress(gaps.view(np.uint8).reshape(-1, 4).T.tobytes(), 6)


def decode_set(blob: bytes) -> np.ndarray:
    """Inverse of :func:`encode_set`.

    Raises:
        IndexFormatError: the blob is not an encoded set.
    """
    try:
        raw = zlib.decompress(blob)
    except (zlib.error, TypeError) as exc:
        raise IndexFormatError(f"damaged shingle set in the index ({exc}); rebuild the index") from exc
    if len(raw) % 4:
        raise IndexFormatError("damaged shingle set in the index (length not a multiple of 4); rebuild the index")
    planes = np.frombuffer(raw, dtype=np.uint8).reshape(4, -1)
    gaps = np.ascontiguousarray(planes.T).view("<u4").ravel()
    return np.cumsum(gaps, dtype=np.uint32)


def content_hash(text: str) -> bytes:
    """16-byte BLAKE2b digest of a document's text (UTF-8): what "same text" means."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


#: Buckets of the word document-frequency counts (``word hash & WORD_MASK``).
WORD_MASK = (1 << 22) - 1


@dataclass
class Prepared:
    doc: Document
    content: bytes
    shingles: np.ndarray
    keys: list[int]
    words: int
    evidence: bytes = b""
    buckets: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    sketch: bytes = b""
    ev: Any = None  # the evidence as a dedup.occasion.Evidence (what a query compares)

    @property
    def source(self) -> str:
        return f"{self.doc.path}:{self.doc.line}" if self.doc.line else self.doc.path


@dataclass
class Stored:
    content: bytes
    blob: bytes
    evidence: bytes = b""


# ---------------------------------------------------------------- errors

def _sqlite_error(path: str, exc: sqlite3.Error) -> DedupError:
    msg = str(exc)
    if isinstance(exc, sqlite3.ProgrammingError) and "closed" in msg:
        return DedupError(f"{path}: this Index was closed; open the index again to use it", path)
    if "locked" in msg or "busy" in msg:
        return DedupError(f"{path} is busy (another process held it too long: {msg}); try again", path)
    if isinstance(exc, sqlite3.OperationalError) and ("unable to open" in msg or "readonly" in msg
                                                      or "disk" in msg or "I/O" in msg):
        return DedupError(f"cannot use {path} as an index ({msg}); check the path and permissions", path)
    return IndexFormatError(f"{path} is damaged or not a dedup index ({msg}); restore it or give another file", path)


def _read_only(path: str, timeout: float, shown: str) -> sqlite3.Connection:
    """A connection that only reads ``path`` (the file itself, not a link to it; ``shown``: as messages name it).

    With no log (``-wal``) beside the index, no process has it open to write and every commit is in the
    file: it is read as a file that does not change, and nothing is made beside it (SQLite would otherwise
    make the log and its shared-memory file, ``-shm``, and could not remove them). With a log, a writer is
    at work or stopped before folding it in: the index is read through the log, for which SQLite needs the
    ``-shm`` file, and makes it if it can.
    """
    uri = "file:" + urllib.parse.quote(path) + "?mode=ro"
    if not os.path.exists(path + "-wal"):
        uri += "&immutable=1"
    elif not os.path.exists(path + "-shm") and not os.access(os.path.dirname(path), os.W_OK | os.X_OK):
        raise DedupError(f"{shown} has a log ({os.path.basename(path)}-wal) that SQLite reads only with a "
                         f"{os.path.basename(path)}-shm file, which it cannot make in that folder here; have "
                         "someone who can write there open the index once (dedup index info) to fold the log in",
                         shown)
    return sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None, check_same_thread=False)


@contextmanager
def _guard(path: str) -> Iterator[None]:
    """Turn sqlite3 errors into one-line DedupErrors naming the file."""
    try:
        yield
    except sqlite3.Error as exc:
        raise _sqlite_error(path, exc) from exc
    except UnicodeDecodeError as exc:  # text SQLite read from a damaged page (the schema's, say)
        raise IndexFormatError(f"{path} is damaged or not a dedup index (unreadable text: {exc.reason}); restore it "
                               "or give another file", path) from exc


# ---------------------------------------------------------------- word counts

def _df_delta(changes: Sequence[tuple[np.ndarray, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Net change of the word counts per bucket: one row per bucket, none that nets to zero."""
    buckets = np.concatenate([b for b, _ in changes])
    signs = np.concatenate([np.full(len(b), sign, np.int64) for b, sign in changes])
    order = np.argsort(buckets, kind="stable")
    buckets, signs = buckets[order], signs[order]
    unique, start = np.unique(buckets, return_index=True)
    sums = np.add.reduceat(signs, start) if len(signs) else signs
    keep = sums != 0
    return unique[keep], sums[keep]


# ---------------------------------------------------------------- SQLite

_SCHEMA = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE docs (
    doc         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    content     BLOB NOT NULL,
    words       INTEGER NOT NULL,
    shingles    INTEGER NOT NULL,
    source      TEXT NOT NULL,
    added       TEXT NOT NULL,
    shingle_set BLOB NOT NULL,
    evidence    BLOB NOT NULL
);
CREATE TABLE word_df (
    bucket INTEGER PRIMARY KEY,
    n      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE bands (
    seg INTEGER NOT NULL,
    key INTEGER NOT NULL,
    doc INTEGER NOT NULL,
    PRIMARY KEY (seg, key, doc)
) WITHOUT ROWID;
CREATE TABLE sketches (
    doc      INTEGER PRIMARY KEY,
    shingles INTEGER NOT NULL,
    sketch   BLOB NOT NULL
);
"""

# What format 3 adds to a format 2 file (see upgrade()).
_SKETCH_TABLE = _SCHEMA[_SCHEMA.index("CREATE TABLE sketches"):].rstrip().rstrip(";")


def run_level(run: int) -> int:
    """The level of a run of band entries: 0 for a segment's run, else what its number encodes."""
    return 0 if run >= 0 else max(1, -run >> _LEVEL_SHIFT)


def merge_plan(runs: Sequence[int], segment: int, fanout: int) -> tuple[int, list[int]]:
    """Which runs to merge next: ``(level, runs)`` for the lowest level with ``fanout`` complete runs
    (all of them), else ``(0, [])``. Segment runs numbered ``segment`` or above are not complete yet.

    Example:
        >>> merge_plan([0, 1, 2, 3, 4], 4, 4)
        (0, [0, 1, 2, 3])
        >>> merge_plan([-(1 << 40) - 1, 4, 5], 6, 4)
        (0, [])
    """
    by_level: dict[int, list[int]] = {}
    for run in runs:
        if run < segment:
            by_level.setdefault(run_level(run), []).append(run)
    for level in sorted(by_level):
        if len(by_level[level]) >= max(fanout, 2) and level < _TOP_LEVEL:
            return level, sorted(by_level[level])
    return 0, []


def _chunks(values: Sequence[_T], size: int = _CHUNK) -> Iterator[Sequence[_T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class StoreReads:
    """What a writer reads during a write: the store's own reads, passed through
    (a backend's writer overrides those it must watch)."""

    store: Any

    def lookup(self, ids: Sequence[str]) -> dict[str, Stored]:
        return self.store.lookup(ids)

    def postings(self, key_lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, list]:
        return self.store.postings(key_lists)

    def sketches(self, refs: Sequence[Any]) -> dict[Any, tuple[int, bytes]]:
        return self.store.sketches(refs)

    def fetch(self, refs: Sequence[Any]) -> dict[Any, tuple[str, str, bytes, bytes]]:
        return self.store.fetch(refs)

    def word_df(self, buckets: np.ndarray) -> np.ndarray:
        return self.store.word_df(buckets)

    def doc_count(self) -> int:
        return self.store.doc_count()


class SQLiteWriter(StoreReads):
    """Reads inside a write transaction; buffers writes until the commit."""

    def __init__(self, store: "SQLiteStore") -> None:
        self.store = store
        self.deletes: list[tuple[str, list[int]]] = []
        self.inserts: list[Prepared] = []
        self.df_changes: list[tuple[np.ndarray, int]] = []

    def delete(self, doc_id: str, keys: Sequence[int], buckets: Optional[np.ndarray] = None) -> None:
        self.deletes.append((doc_id, list(keys)))
        if buckets is not None and len(buckets):
            self.df_changes.append((np.asarray(buckets, np.int64), -1))

    def insert(self, item: Prepared) -> None:
        self.inserts.append(item)

    def flush(self) -> None:
        conn = self.store.conn
        runs = ",".join(str(r) for r in self.store.runs()) if self.deletes else ""
        for doc_id, keys in self.deletes:
            row = conn.execute("SELECT doc FROM docs WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                continue
            # The document's entries are in its segment's run, or in a compacted one.
            conn.executemany(f"DELETE FROM bands WHERE seg IN ({runs}) AND key = ? AND doc = ?",
                             [(k, row[0]) for k in keys])
            conn.execute("DELETE FROM docs WHERE doc = ?", (row[0],))
            conn.execute("DELETE FROM sketches WHERE doc = ?", (row[0],))
        changes = self.df_changes + [(item.buckets, 1) for item in self.inserts]
        if changes:
            buckets, counts = _df_delta(changes)
            conn.executemany("INSERT INTO word_df VALUES (?, ?) ON CONFLICT(bucket) DO UPDATE SET n = n + excluded.n",
                             zip(buckets.tolist(), counts.tolist()))
        if not self.inserts:
            return
        (top,) = conn.execute("SELECT coalesce(max(doc), 0) FROM docs").fetchone()
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        doc_rows, band_rows, sketch_rows = [], [], []
        for number, item in enumerate(self.inserts, top + 1):
            doc_rows.append((number, item.doc.id, item.content, item.words, len(item.shingles), item.source, now,
                             encode_set(item.shingles), item.evidence))
            sketch_rows.append((number, len(item.shingles), item.sketch))
            seg = number >> SEGMENT_BITS
            band_rows.extend((seg, k, number) for k in item.keys)
        conn.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", doc_rows)
        conn.executemany("INSERT INTO sketches VALUES (?, ?, ?)", sketch_rows)
        # In key order, consecutive inserts land on the same or the next
        # B-tree page instead of a random one each.
        band_rows.sort()
        # Two bands of one document can share a key only by a 64-bit collision.
        conn.executemany("INSERT OR IGNORE INTO bands VALUES (?, ?, ?)", band_rows)


class SQLiteStore:
    backend = "sqlite"

    def __init__(self, path: Location, *, create: bool, timeout: float) -> None:
        self.path = str(path)
        p = Path(path)
        if p.is_dir():
            raise DedupError(f"{p} is a folder, not an index file (give a file name such as archive.db)", self.path)
        if p.is_symlink() and not p.exists():
            # SQLite would create the file the link names, wherever that is.
            raise DedupError(f"{p} is a symbolic link to a missing file ({os.readlink(p)}); remove the link or "
                             "give the index file's own path", self.path)
        if p.exists() and not stat.S_ISREG(p.stat().st_mode):
            # A device or FIFO: SQLite would fail on it with "disk I/O error" and leave a journal beside it.
            raise DedupError(f"{p} is a device or pipe, not an index file (give a file name such as archive.db)",
                             self.path)
        if len(os.fsencode(p.name)) > 255 - len("-journal"):
            # SQLite keeps NAME-wal, NAME-shm and NAME-journal beside the file.
            raise DedupError(f"{str(p)[:240]}...: the name is too long for an index (at most 247 bytes, for the "
                             "files SQLite keeps beside it); choose a shorter name", self.path)
        if create and p.exists() and not p.stat().st_mode & 0o222:
            raise DedupError(f"{p} is read-only; make it writable (chmod u+w) to add to it", self.path)
        # Through a symbolic link, SQLite keeps its files beside the file the link points to.
        real = Path(os.path.realpath(p))
        folder = real.parent
        if create and folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            # SQLite writes its log (NAME-wal) and shared memory (NAME-shm) beside the file.
            raise DedupError(f"cannot add to {p}: its folder {folder} is not writable here (SQLite keeps its log "
                             "beside the index); make the folder writable or move the index", self.path)
        # An index this process cannot write (a read-only file, folder or file system) is opened to be read.
        self.readonly = not create and p.exists() and not (os.access(real, os.W_OK)
                                                           and os.access(folder, os.W_OK | os.X_OK))
        if not p.exists():
            if not create:
                raise DedupError(f"{p}: no such index (create it with `dedup index add {shlex.quote(str(p))} "
                                 "PATH...`)", self.path)
            if not p.parent.is_dir():
                raise DedupError(f"cannot create {p}: folder {p.parent} does not exist", self.path)
        elif not p.stat().st_size and not create:
            raise IndexFormatError(f"{p} is an empty file, not a dedup index (create one with "
                                   f"`dedup index add {p} PATH...`)", self.path)
        elif p.stat().st_size:
            try:
                with open(p, "rb") as fh:
                    head = fh.read(100)  # the database header
            except OSError as exc:
                raise DedupError(f"cannot read {p} ({exc.strerror}); check the path and permissions",
                                 self.path) from exc
            if head[: len(_SQLITE_MAGIC)] != _SQLITE_MAGIC:
                raise IndexFormatError(f"{p} is not a dedup index (not an SQLite file); give another path", self.path)
            # Another program's database is refused before anything (the journal mode, say) is changed in it.
            app = int.from_bytes(head[68:72], "big") if len(head) >= 72 else 0
            if app not in (0, APPLICATION_ID):
                raise IndexFormatError(f"{self.path} is not a dedup index (an SQLite database of another "
                                       "program); give another path", self.path)
        self.timeout = timeout
        self.create = create
        # One connection, shared by the threads that use one Index: their transactions take turns.
        self._lock = threading.RLock()
        with _guard(self.path):
            self.conn = (_read_only(str(real), timeout, self.path) if self.readonly else
                         sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False))
        try:
            self._setup()
        except BaseException:
            self.conn.close()
            raise

    def _setup(self) -> None:
        conn = self.conn
        deadline = time.monotonic() + self.timeout
        with _guard(self.path):
            (app,) = conn.execute("PRAGMA application_id").fetchone()
            if app == 0 and conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None:
                # Tables, and not ours: left exactly as they are.
                raise IndexFormatError(f"{self.path} is not a dedup index (an SQLite database of another "
                                       "program); give another path", self.path)
            if self.readonly:
                conn.execute("PRAGMA cache_size = -65536")
                return
            # For a new file only (SQLite ignores it once the file has pages):
            # a 2-3 KB shingle set per row fills 16 KB pages well, where two
            # of them overflow a 4 KB page and waste most of it.
            conn.execute("PRAGMA page_size = 16384")
            while True:
                # Two processes creating one file can meet here; the busy
                # handler does not cover a journal mode change, so retry.
                try:
                    conn.execute("PRAGMA journal_mode = WAL").fetchone()
                    break
                except sqlite3.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            # NORMAL is durable across a killed process in WAL mode; only a
            # power cut may lose the last commits (never corrupting the file).
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -65536")
            # After a checkpoint, truncate the log instead of keeping it at the
            # size of the largest transaction.
            conn.execute("PRAGMA journal_size_limit = 67108864")

    def init(self, meta: dict[str, str]) -> dict[str, str]:
        """Create the schema if the file is empty; return the stored meta."""
        with (self._reading() if self.readonly else self._immediate()) as conn:
            (app,) = conn.execute("PRAGMA application_id").fetchone()
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
            if app == 0 and not tables and not self.create:
                raise IndexFormatError(f"{self.path} is an empty database, not a dedup index (create one with "
                                       f"`dedup index add {self.path} PATH...`)", self.path)
            if app == 0 and not tables:
                # executescript would commit first: run the statements one by one.
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
                conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
            elif app != APPLICATION_ID or "meta" not in tables:
                raise IndexFormatError(f"{self.path} is not a dedup index (an SQLite database of another "
                                       "program); give another path", self.path)
            stored = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        return stored

    def lookup(self, ids: Sequence[str]) -> dict[str, Stored]:
        out: dict[str, Stored] = {}
        ids = list(ids)
        with self._lock, _guard(self.path):
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for doc_id, content, blob, evidence in self.conn.execute(
                        f"SELECT id, content, shingle_set, evidence FROM docs WHERE id IN ({marks})", chunk):
                    out[doc_id] = Stored(content, blob, evidence)
        return out

    def word_df(self, buckets: np.ndarray) -> np.ndarray:
        """Documents counted in each word bucket (0 for a bucket never seen)."""
        wanted = np.asarray(buckets, dtype=np.int64)
        found: dict[int, int] = {}
        keys = sorted(set(wanted.tolist()))
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.conn.execute(f"SELECT bucket, n FROM word_df WHERE bucket IN ({marks})", chunk))
        return np.fromiter((found.get(b, 0) for b in wanted.tolist()), dtype=np.int64, count=len(wanted))

    def postings(self, key_lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, list[int]]:
        """The documents (``docs.doc``) sharing a band key with each list of keys.

        Returns ``(owner, docs)``: ``docs[i]`` shares a key of
        ``key_lists[owner[i]]``; each pair once, by owner, then document.
        All the lists' keys are looked up together, in key order, so that a
        batch of queries reads each run's pages about once.
        """
        runs = self.runs()
        lengths = np.fromiter((len(k) for k in key_lists), dtype=np.int64, count=len(key_lists))
        if not runs or not lengths.sum():
            return np.empty(0, np.int64), []
        keys = np.fromiter((k for ks in key_lists for k in ks), dtype=np.int64, count=int(lengths.sum()))
        owners = np.repeat(np.arange(len(key_lists), dtype=np.int64), lengths)
        unique, where = np.unique(keys, return_inverse=True)
        segs = ",".join(str(r) for r in runs)
        found: list[tuple[int, int]] = []
        for chunk in _chunks(unique.tolist()):
            # One primary-key seek per (run, key), in key order within each run.
            found.extend(self.conn.execute(
                f"SELECT key, doc FROM bands WHERE seg IN ({segs}) AND key IN ({_marks(len(chunk))})", chunk))
        if not found:
            return np.empty(0, np.int64), []
        rows = np.array(found, dtype=np.int64)
        # Rows by key: the documents of unique key u are rows[start[u]:start[u] + count[u]].
        rows = rows[np.argsort(np.searchsorted(unique, rows[:, 0]), kind="stable")]
        count = np.bincount(np.searchsorted(unique, rows[:, 0]), minlength=len(unique))
        start = np.concatenate([[0], np.cumsum(count)[:-1]])
        # The documents found, numbered densely in doc order.
        docs, rank = np.unique(rows[:, 1], return_inverse=True)
        rank = rank.reshape(-1)
        # Every (list, key) pair yields the documents of its key: n of them. Lists sharing keys with
        # thousands of indexed copies of one text make that lists x keys x copies, so the pairs are
        # made for a group of lists at a time, at most PAIRS_AT_ONCE of them (or one list).
        n = count[where]
        ends = np.cumsum(lengths)  # the entries of list i: ends[i] - lengths[i] .. ends[i]
        reached = np.cumsum(np.concatenate([[0], n]))
        per_list = reached[ends] - reached[ends - lengths]
        owner_parts: list[np.ndarray] = []
        doc_parts: list[np.ndarray] = []
        a = 0
        while a < len(key_lists):
            b, held = a + 1, int(per_list[a])
            while b < len(key_lists) and held + int(per_list[b]) <= PAIRS_AT_ONCE:
                held += int(per_list[b])
                b += 1
            e0, e1 = int(ends[a] - lengths[a]), int(ends[b - 1])
            nn = n[e0:e1]
            total = int(nn.sum())
            if total:
                local = np.repeat(owners[e0:e1] - a, nn)
                offsets = np.arange(total) - np.repeat(np.cumsum(nn) - nn, nn)
                code = local * len(docs) + rank[np.repeat(start[where[e0:e1]], nn) + offsets]
                if (b - a) * len(docs) <= 4 * total:  # dense: mark, rather than sort
                    marks = np.zeros((b - a) * len(docs), dtype=bool)
                    marks[code] = True
                    code = np.flatnonzero(marks)
                else:
                    code = np.unique(code)
                owner_parts.append(code // len(docs) + a)
                doc_parts.append(docs[code % len(docs)])
            a = b
        if not owner_parts:
            return np.empty(0, np.int64), []
        return np.concatenate(owner_parts), np.concatenate(doc_parts).tolist()

    def runs(self) -> list[int]:
        """The runs of band entries (distinct values of ``bands.seg``), ascending."""
        return [r for (r,) in self.conn.execute(_RUNS)]

    def compact(self) -> tuple[int, int]:
        """Merge every run of band entries into one, in one transaction.

        The entries are rewritten in key order under a new run number, and
        the old runs deleted: a query then seeks each key once (plus once
        per run that adds make later). Adds are unaffected: they start a new
        segment run. Returns (runs before, entries rewritten).
        """
        with self._immediate() as conn:
            runs = self.runs()
            moved = 0
            if len(runs) > 1:
                moved = self._merge(conn, runs, _TOP_LEVEL, runs)
        return len(runs), moved

    def vacuum(self) -> tuple[int, int]:
        """VACUUM the file (see :meth:`dedup.index.Index.vacuum`); (bytes before, bytes after)."""
        self._check_writable()
        before = self.size()
        with self._lock, _guard(self.path):
            self.conn.execute("VACUUM")
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return before, self.size()

    def merge_runs(self, fanout: Optional[int] = None,
                   starting: Optional[Callable[[int, int], None]] = None) -> int:
        """Merge complete runs of one level into one of the next while ``fanout`` (default
        :data:`MERGE_FANOUT`) of a level exist, lowest level first, each merge one transaction;
        ``starting(level, runs)`` is called before each.

        A segment's run is complete once the documents numbered after it
        start the next segment. Returns the band entries rewritten.
        """
        fanout = MERGE_FANOUT if fanout is None else fanout
        moved = 0
        while True:
            with self._immediate() as conn:
                (top,) = conn.execute("SELECT coalesce(max(doc), 0) FROM docs").fetchone()
                present = self.runs()
                level, runs = merge_plan(present, (top + 1) >> SEGMENT_BITS, fanout)
                if not runs:
                    return moved
                if starting is not None:
                    starting(level, len(runs))
                moved += self._merge(conn, runs, level + 1, present)

    def _merge(self, conn: sqlite3.Connection, runs: Sequence[int], level: int, present: Sequence[int]) -> int:
        """Rewrite ``runs`` as one new run of ``level``, numbered apart from the runs ``present``, in key
        order; the entries moved."""
        # (Runs -1, -2, ... of files compacted before merging by level count as level 1 but are numbered
        # above all others: they are left out of the serials.)
        serials = [-r - (level << _LEVEL_SHIFT) for r in present if r < 0 and run_level(r) == level]
        new = -(level << _LEVEL_SHIFT) - (max([s for s in serials if s > 0], default=0) + 1)
        old = ",".join(str(r) for r in runs)
        moved = 0
        # A slice of the key space at a time: SQLite copies what an INSERT
        # reads from its own table first, so this bounds the memory to a
        # slice (keys are uniform hashes).
        for part in range(_COMPACT_PARTS):
            low = -(1 << 63) + part * ((1 << 64) // _COMPACT_PARTS)
            above = "" if part == _COMPACT_PARTS - 1 else f" AND key < {low + (1 << 64) // _COMPACT_PARTS}"
            moved += conn.execute(f"INSERT INTO bands SELECT ?, key, doc FROM bands WHERE seg IN ({old}) "
                                  f"AND key >= {low}{above} ORDER BY key, doc", (new,)).rowcount
        conn.execute(f"DELETE FROM bands WHERE seg IN ({old})")
        return moved

    def sketches(self, refs: Sequence[int]) -> dict[int, tuple[int, bytes]]:
        """Shingle-set size and sketch of each document (``docs.doc``) found."""
        found: dict[int, tuple[int, bytes]] = {}
        for chunk in _chunks(sorted(set(refs))):
            for doc, n, sketch in self.conn.execute(
                    f"SELECT doc, shingles, sketch FROM sketches WHERE doc IN ({_marks(len(chunk))})", chunk):
                found[doc] = (n, sketch)
        return found

    def fetch(self, refs: Sequence[int]) -> dict[int, tuple[str, str, bytes, bytes]]:
        """Id, source, shingle set and evidence of each document (``docs.doc``) found."""
        found: dict[int, tuple[str, str, bytes, bytes]] = {}
        for chunk in _chunks(sorted(set(refs))):
            for doc, doc_id, source, blob, evidence in self.conn.execute(
                    f"SELECT doc, id, source, shingle_set, evidence FROM docs WHERE doc IN ({_marks(len(chunk))})",
                    chunk):
                found[doc] = (doc_id, source, blob, evidence)
        return found

    def upgrade(self, sketch_of: Callable[[list[bytes]], list[bytes]], batch: int = 2000) -> Optional[int]:
        """Bring a format 2 file to format 3 in one transaction: add the sketches table.

        ``sketch_of`` makes the sketches of a list of encoded shingle sets.
        Returns the number of documents sketched, or None when the file was
        already of format 3. A failure leaves the file as it was.
        """
        with self._immediate() as conn:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            version = meta.get("format_version")
            if version == str(FORMAT_VERSION):
                return None
            if version != "2":
                raise IndexFormatError(f"{self.path} has index format {version!r}; only format 2 can be "
                                       "upgraded (rebuild the index)", self.path)
            conn.execute(_SKETCH_TABLE)
            done, last = 0, -1
            while True:
                rows = conn.execute("SELECT doc, shingles, shingle_set FROM docs WHERE doc > ? ORDER BY doc "
                                    "LIMIT ?", (last, batch)).fetchall()
                if not rows:
                    break
                sketches = sketch_of([blob for _, _, blob in rows])
                conn.executemany("INSERT INTO sketches VALUES (?, ?, ?)",
                                 [(doc, n, sk) for (doc, n, _), sk in zip(rows, sketches)])
                done += len(rows)
                last = rows[-1][0]
            conn.execute("UPDATE meta SET value = ? WHERE key = 'format_version'", (str(FORMAT_VERSION),))
            conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
        return done

    def _check_writable(self) -> None:
        if self.readonly:
            raise DedupError(f"{self.path} can only be read here (the file or its folder is not writable); make both "
                             "writable to change the index", self.path)

    @contextmanager
    def _immediate(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, committed at the end and rolled back on any error.

        IMMEDIATE takes the write lock up front (waiting up to the busy
        timeout), so two writers queue instead of failing to upgrade; sqlite3
        errors become one-line errors naming the file.
        """
        conn = self.conn
        self._check_writable()
        with self._lock, _guard(self.path):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                try:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                except sqlite3.ProgrammingError:
                    pass  # the connection was closed, which rolled the transaction back
                raise

    @contextmanager
    def write(self) -> Iterator[SQLiteWriter]:
        with self._immediate():
            writer = SQLiteWriter(self)
            yield writer
            writer.flush()

    def run_write(self, work: Callable[[Any], _T]) -> _T:
        """Run ``work(writer)`` in one write transaction and commit its writes."""
        with self.write() as writer:
            return work(writer)

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        conn = self.conn
        with self._lock, _guard(self.path):
            # One read transaction: every lookup sees the same snapshot.
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator["SQLiteStore"]:
        with self._reading():
            yield self

    def count(self) -> int:
        with self.read():
            return self.doc_count()

    def doc_count(self) -> int:
        """Documents in the index, inside whatever transaction is open."""
        return int(self.conn.execute("SELECT count(*) FROM docs").fetchone()[0])

    def counts(self) -> tuple[int, int]:
        with self.read():
            (docs,) = self.conn.execute("SELECT count(*) FROM docs").fetchone()
            (bands,) = self.conn.execute("SELECT count(*) FROM bands").fetchone()
        return docs, bands

    def size(self) -> int:
        return sum(os.path.getsize(self.path + s) for s in ("", "-wal") if os.path.exists(self.path + s))

    @property
    def location(self) -> str:
        return self.path

    def close(self) -> None:
        with self._lock:
            self.conn.close()
