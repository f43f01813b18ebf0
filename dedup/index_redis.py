"""The Redis backend of the persistent index: the same data and interface
as :class:`dedup.index_store.SQLiteStore`, under a key prefix in a Redis
server (layout in ``docs/index-format.md``).

The redis client is imported when an index is opened in Redis (``pip install 'dedup[redis]'``).
"""

from __future__ import annotations

import random
import shlex
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Optional, Sequence, TypeVar
from urllib.parse import urlsplit

import numpy as np

from .errors import DedupError, IndexFormatError
from .index_store import FORMAT, FORMAT_VERSION, Prepared, Stored, StoreReads, encode_set

_T = TypeVar("_T")
#: Seconds a server may take to answer the first PING.
PING_SECONDS = 5.0
#: Seconds a writer's lock lives unless renewed (a writer renews it as it reads): a writer killed
#: while it holds the lock holds the others up this long at most.
LOCK_SECONDS = 10.0


class RedisWriter(StoreReads):
    """One batch's writes, worked out under the index's writer lock and applied in one MULTI/EXEC.

    The batch's document keys are also WATCHed: should the lock have been
    lost meanwhile and another writer changed one, EXEC applies nothing and
    the batch is worked out again (see ``RedisStore.run_write``).
    """

    def __init__(self, store: "RedisStore", lock: Any) -> None:
        self.store = store
        self.lock = lock
        self.renewed = time.monotonic()
        self.pipe = store.client.pipeline(transaction=True)
        self.ops: list[Callable[[Any], None]] = []

    def renew(self, now: bool = False) -> None:
        """Keep the lock: renew it once a third of its life has passed (``now``: at once).

        Raises LockNotOwnedError if another writer has it (it expired)."""
        if now or time.monotonic() - self.renewed > LOCK_SECONDS / 3:
            self.lock.reacquire()
            self.renewed = time.monotonic()

    def lookup(self, ids: Sequence[str]) -> dict[str, Stored]:
        self.renew()
        if ids:
            self.pipe.watch(*[self.store.doc_key(i) for i in ids])
        return self.store.lookup(ids)

    def postings(self, key_lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, list]:
        self.renew()
        return self.store.postings(key_lists)

    def delete(self, doc_id: str, keys: Sequence[int], buckets: Optional[np.ndarray] = None) -> None:
        s = self.store

        def op(pipe: Any) -> None:
            for k in keys:
                pipe.srem(s.band_key(k), doc_id)
            pipe.delete(s.doc_key(doc_id))
            pipe.srem(s.ids_key, doc_id)
            pipe.decrby(s.entries_key, len(keys))
            for b in ([] if buckets is None else np.asarray(buckets).tolist()):
                pipe.hincrby(s.df_key, b, -1)

        self.ops.append(op)

    def insert(self, item: Prepared) -> None:
        s = self.store
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        mapping = {"content": item.content, "words": item.words, "shingles": len(item.shingles),
                   "source": item.source, "added": now, "shingle_set": encode_set(item.shingles),
                   "evidence": item.evidence, "sketch": item.sketch}

        def op(pipe: Any) -> None:
            pipe.hset(s.doc_key(item.doc.id), mapping=mapping)
            for b in item.buckets.tolist():
                pipe.hincrby(s.df_key, b, 1)
            for k in item.keys:
                pipe.sadd(s.band_key(k), item.doc.id)
            pipe.sadd(s.ids_key, item.doc.id)
            pipe.incrby(s.entries_key, len(item.keys))

        self.ops.append(op)

    def flush(self) -> None:
        if not self.ops:
            return
        # Still ours, for another LOCK_SECONDS: nobody else writes before EXEC.
        self.renew(now=True)
        self.pipe.multi()
        for op in self.ops:
            op(self.pipe)
        self.pipe.execute()


def redact_url(url: str) -> str:
    """A URL with its password shown as ``***`` (for messages and ``index info``)."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user = parts.username or ""
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port is not None else ""
        return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))
    except ValueError:
        # Not parseable: hide everything between the scheme and the last @.
        head, sep, tail = url.rpartition("@")
        return (head.split("//", 1)[0] + "//***@" + tail) if sep else url


def redact_text(text: str, url: str) -> str:
    """``text`` with the password of ``url`` (if any) replaced by ``***``."""
    from urllib.parse import unquote, urlsplit

    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if not password:
        return text
    for secret in {password, unquote(password)}:
        text = text.replace(secret, "***")
    return text


def escape_key_part(name: str) -> bytes:
    """An index name as it goes into Redis keys: ``\\`` and ``:`` escaped.

    Keys are ``dedup:<name>:d:<id>``; with the name escaped, the first bare
    colon after ``dedup:`` ends it, so no index name and document id can
    spell another index's key (``a`` with id ``x:meta`` against index
    ``a:d:x``). Names without either character are unchanged.
    """
    return name.replace("\\", "\\\\").replace(":", "\\:").encode("utf-8", "surrogatepass")


class RedisStore:
    backend = "redis"

    def __init__(self, url: str, name: str, *, create: bool, timeout: float) -> None:
        try:
            import redis
        except ImportError as exc:
            raise DedupError("Redis mode needs the redis package: pip install 'dedup[redis]'") from exc
        self._redis = redis
        self.url = url
        self.shown_url = redact_url(url)
        self.name = str(name)
        self.create = create
        self.timeout = timeout
        prefix = b"dedup:" + escape_key_part(self.name) + b":"
        self.prefix = prefix
        self.meta_key = prefix + b"meta"
        self.ids_key = prefix + b"ids"
        self.entries_key = prefix + b"entries"
        self.df_key = prefix + b"df"
        self.lock_key = prefix + b"writer"
        self.waiting_key = prefix + b"waiting"
        try:
            # A server answers a PING at once: something that takes a connection and stays silent (not
            # Redis, or a stuck server) is named after a few seconds, not after the wait for a writer.
            probe = redis.Redis.from_url(url, socket_timeout=min(timeout, PING_SECONDS))
            try:
                probe.ping()
            finally:
                probe.close()
            self.client = redis.Redis.from_url(url, socket_timeout=max(timeout, 5.0))
        except ValueError as exc:
            raise DedupError(f"{self.shown_url} is not a Redis URL ({redact_text(str(exc), url)}); give one like "
                             "redis://localhost:6379/0") from exc
        except (redis.AuthenticationError, redis.ResponseError) as exc:
            if isinstance(exc, redis.ResponseError) and "auth" not in str(exc).lower():
                raise DedupError(f"Redis at {self.shown_url} answered with an error ({redact_text(str(exc), url)})"
                                 "; check the server and --redis") from exc
            if urlsplit(url).password is None:
                raise DedupError(f"Redis at {self.shown_url} needs a password; give it in the URL, as "
                                 "redis://:PASSWORD@host:6379/0") from exc
            raise DedupError(f"Redis at {self.shown_url} refused the password ({redact_text(str(exc), url)}); "
                             "check it") from exc
        except redis.TimeoutError as exc:
            raise DedupError(f"no answer from {self.shown_url} within {min(timeout, PING_SECONDS):g} s (is a Redis "
                             "server listening there?); check the server or fix --redis") from exc
        except redis.RedisError as exc:
            raise DedupError(f"cannot reach Redis at {self.shown_url} ({redact_text(str(exc), url)}); start the "
                             "server or fix --redis") from exc

    def doc_key(self, doc_id: str) -> bytes:
        return self.prefix + b"d:" + doc_id.encode("utf-8", "surrogatepass")

    def band_key(self, key: int) -> bytes:
        return self.prefix + b"b:" + int(key).to_bytes(8, "little", signed=True)

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except self._redis.RedisError as exc:
            if isinstance(exc, self._redis.ResponseError) and "WRONGTYPE" in str(exc):
                raise IndexFormatError(f"{self.location} is not a dedup index (its keys hold other data); "
                                       "choose another index name") from exc
            raise DedupError(f"Redis error at {self.location} ({redact_text(str(exc), self.url)}); check the "
                             "server") from exc

    def init(self, meta: dict[str, str]) -> dict[str, str]:
        with self._errors():
            kind = self.client.type(self.meta_key)
            if kind not in (b"none", b"hash"):
                raise IndexFormatError(f"{self.location} is not a dedup index (its meta key is a {kind.decode()}); "
                                       "choose another index name")
            if kind == b"none":
                if not self.create:
                    raise DedupError(f"{self.location}: no such index (create it with `dedup index add "
                                     f"{shlex.quote(self.name)} PATH... --redis {shlex.quote(self.shown_url)}`)")
                # Of two processes creating one index, the first EXEC writes
                # the settings; the other's is void and it checks them instead.
                with self.client.pipeline(transaction=True) as pipe:
                    pipe.watch(self.meta_key)
                    if not pipe.exists(self.meta_key):
                        pipe.multi()
                        pipe.hset(self.meta_key, mapping=meta)
                        try:
                            pipe.execute()
                        except self._redis.WatchError:
                            pass
            raw = self.client.hgetall(self.meta_key)
        stored = {k.decode(): v.decode() for k, v in raw.items()}
        if stored.get("format") != FORMAT:
            raise IndexFormatError(f"{self.location} is not a dedup index (no dedup format in its meta key); "
                                   "choose another index name")
        return stored

    def lookup(self, ids: Sequence[str]) -> dict[str, Stored]:
        with self._errors():
            pipe = self.client.pipeline(transaction=False)
            for doc_id in ids:
                pipe.hmget(self.doc_key(doc_id), "content", "shingle_set", "evidence")
            rows = pipe.execute()
        return {doc_id: Stored(c, b, e or b"") for doc_id, (c, b, e) in zip(ids, rows)
                if c is not None and b is not None}

    def word_df(self, buckets: np.ndarray) -> np.ndarray:
        """Documents counted in each word bucket (0 for a bucket never seen)."""
        wanted = np.asarray(buckets, dtype=np.int64).tolist()
        if not wanted:
            return np.empty(0, np.int64)
        with self._errors():
            got = self.client.hmget(self.df_key, wanted)
        return np.fromiter((int(v) if v is not None else 0 for v in got), dtype=np.int64, count=len(wanted))

    def postings(self, key_lists: Sequence[Sequence[int]]) -> tuple[np.ndarray, list[str]]:
        """The ids of the documents sharing a band key with each list of keys.

        Returns ``(owner, ids)``: ``ids[i]`` shares a key of
        ``key_lists[owner[i]]``; each pair once, by owner, then id.
        """
        keys = list(dict.fromkeys(k for ks in key_lists for k in ks))
        if not keys:
            return np.empty(0, np.int64), []
        with self._errors():
            pipe = self.client.pipeline(transaction=False)
            for k in keys:
                pipe.smembers(self.band_key(k))
            members = dict(zip(keys, pipe.execute()))
        per = [sorted({m.decode("utf-8", "surrogatepass") for k in ks for m in members[k]}) for ks in key_lists]
        return (np.repeat(np.arange(len(per), dtype=np.int64), [len(p) for p in per]),
                [i for p in per for i in p])

    def _fields(self, refs: Sequence[str], *names: str) -> tuple[list[str], list[list[Optional[bytes]]]]:
        """The distinct ids of ``refs`` and, for each, the values of the named fields of its document
        (None where a field or the document is missing), in one pipelined round trip."""
        ids = list(dict.fromkeys(refs))
        if not ids:
            return [], []
        with self._errors():
            pipe = self.client.pipeline(transaction=False)
            for doc_id in ids:
                pipe.hmget(self.doc_key(doc_id), *names)
            return ids, pipe.execute()

    def sketches(self, refs: Sequence[str]) -> dict[str, tuple[int, bytes]]:
        """Shingle-set size and sketch of each document found, by id."""
        ids, rows = self._fields(refs, "shingles", "sketch")
        return {doc_id: (int(n), sk) for doc_id, (n, sk) in zip(ids, rows) if n is not None and sk is not None}

    def fetch(self, refs: Sequence[str]) -> dict[str, tuple[str, str, bytes, bytes]]:
        """Id, source, shingle set and evidence of each document found, by id.

        A document removed since its id was read is simply not returned.
        """
        ids, rows = self._fields(refs, "source", "shingle_set", "evidence")
        return {doc_id: (doc_id, s.decode("utf-8", "surrogatepass"), b, e or b"")
                for doc_id, (s, b, e) in zip(ids, rows) if s is not None and b is not None}

    def compact(self) -> tuple[int, int]:
        """Nothing to do: Redis keeps one set per band key, read in one command."""
        return 1, 0

    def vacuum(self) -> tuple[int, int]:
        """Nothing to do: Redis frees memory as keys go."""
        size = self.size()
        return size, size

    def merge_runs(self, fanout: Optional[int] = None,
                   starting: Optional[Callable[[int, int], None]] = None) -> int:
        """Nothing to do: Redis keeps one set per band key, read in one command."""
        return 0

    def upgrade(self, sketch_of: Callable[[list[bytes]], list[bytes]], batch: int = 2000) -> Optional[int]:
        """Bring a format 2 index to format 3: add each document's sketch.

        Documents are sketched batch by batch; the format version changes
        last, so an interrupted upgrade is finished by running it again.
        Returns the number of documents sketched, or None when the index was
        already of format 3.
        """
        with self._errors():
            version = self.client.hget(self.meta_key, "format_version")
            version = version.decode() if version is not None else None
            if version == str(FORMAT_VERSION):
                return None
            if version != "2":
                raise IndexFormatError(f"{self.location} has index format {version!r}; only format 2 can be "
                                       "upgraded (rebuild the index)")
            ids = sorted(m.decode("utf-8", "surrogatepass") for m in self.client.smembers(self.ids_key))
            done = 0
            for start in range(0, len(ids), batch):
                chunk = ids[start : start + batch]
                pipe = self.client.pipeline(transaction=False)
                for doc_id in chunk:
                    pipe.hget(self.doc_key(doc_id), "shingle_set")
                found = [(doc_id, blob) for doc_id, blob in zip(chunk, pipe.execute()) if blob is not None]
                sketches = sketch_of([blob for _, blob in found])
                for (doc_id, _), sk in zip(found, sketches):
                    pipe.hset(self.doc_key(doc_id), "sketch", sk)
                pipe.execute()
                done += len(found)
            self.client.hset(self.meta_key, "format_version", str(FORMAT_VERSION))
        return done

    def run_write(self, work: Callable[[Any], _T]) -> _T:
        """Run ``work(writer)`` holding the index's writer lock and apply its writes at once; again from the
        start should the lock have been lost meanwhile (a batch that took over :data:`LOCK_SECONDS` between
        two reads)."""
        deadline = time.monotonic() + self.timeout
        with self._errors():
            while True:
                lock = self._acquire(deadline)
                writer = RedisWriter(self, lock)
                try:
                    result = work(writer)
                    writer.flush()
                    return result
                except (self._redis.WatchError, self._redis.exceptions.LockNotOwnedError):
                    if time.monotonic() > deadline:
                        raise DedupError(f"{self.location} is busy (other writers kept changing the same documents "
                                         f"for {self.timeout:g} s); try again") from None
                finally:
                    writer.pipe.reset()
                    try:
                        lock.release()
                    except self._redis.exceptions.LockError:
                        pass  # expired, or taken by another writer since

    def _acquire(self, deadline: float) -> Any:
        """The writer lock, taken in turn: a writer that has just let it go waits a moment when another
        is waiting for it, so that two writers take turns batch by batch."""
        lock = self.client.lock(self.lock_key, timeout=LOCK_SECONDS, thread_local=False)
        rng = random.Random()
        token = str(rng.random()).encode()
        waited = False
        while True:
            if not waited and self.client.exists(self.waiting_key):
                time.sleep(0.05)
            if lock.acquire(blocking=False):
                if waited:
                    self.client.delete(self.waiting_key)
                return lock
            if time.monotonic() > deadline:
                raise DedupError(f"{self.location} is busy (another writer held it for {self.timeout:g} s); "
                                 "try again")
            self.client.set(self.waiting_key, token, px=1000)
            waited = True
            time.sleep(rng.uniform(0.002, 0.01))

    @contextmanager
    def read(self) -> Iterator["RedisStore"]:
        yield self

    def count(self) -> int:
        with self._errors():
            return int(self.client.scard(self.ids_key))

    doc_count = count

    def counts(self) -> tuple[int, int]:
        with self._errors():
            pipe = self.client.pipeline(transaction=True)
            pipe.scard(self.ids_key)
            pipe.get(self.entries_key)
            docs, entries = pipe.execute()
        return int(docs), int(entries or 0)

    def size(self) -> int:
        with self._errors():
            return int(self.client.info("memory").get("used_memory", 0))

    @property
    def location(self) -> str:
        return f"{self.shown_url} index {self.name!r}"

    def close(self) -> None:
        self.client.close()
