"""Scale of the persistent index: add N articles, then query 10k against them.

Articles are made of real sentences from Reuters-21578 (``../shared/data``):
article ``i`` is a reproducible random draw of sentences until it has about
``--words`` words. Queries are half edited copies of indexed articles (a
share of their sentences dropped, two foreign sentences added: each should
find its source) and half fresh articles (each should find nothing).

Measured side by side in the same run:

* ``dedup.Index`` on an SQLite file: add time, file size per document,
  query time, recall of the planted copies, matches of the fresh ones;
  the add rate is reported per segment, to show how it changes as the
  index grows;
* ``datasketch.MinHashLSH`` (in memory, the same bands and rows, fed the
  same signatures, so only the LSH is timed) up to ``--peer-max``
  documents: insert and query time, and the size of its pickle, which is
  how it is persisted today. It returns unverified candidates only.
* with ``--redis URL``, ``dedup.Index`` in Redis on the first
  ``--redis-max`` documents.

With ``--swap 0.4``, 40% of each article's words are swapped for words
drawn from the pool's frequencies, as ``corpus.py`` does for the scan
benchmarks: without it, every sentence of the pool recurs in some 250 of a
million articles, so a query's LSH candidates (articles sharing a sentence
or two) grow with the index, which real news does not do.

With ``--curve 10000,30000,...`` it instead adds articles to one SQLite
index up to each size in turn and queries at each: the query time per
document against the index size, with the sketch filter on and off side by
side (same matches required), the candidates per query and how many the
filter dropped, and how the time grows per tenfold of the index.

Example:
    python3 benchmarks/index_scale.py --docs 100000 --queries 10000
    python3 benchmarks/index_scale.py --curve 10000,30000,100000,300000,1000000 --queries 2000 --compact
    python3 benchmarks/index_scale.py --curve 10000,100000,1000000 --queries 2000 --compact --swap 0.4 --jobs 2
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import pickle
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator, Optional

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dedup import Document, Index, ScanConfig  # noqa: E402
from dedup.index_batch import prepare  # noqa: E402
from dedup.shingle import shingle_set  # noqa: E402
from dedup.signature import MinHasher  # noqa: E402

REUTERS = Path(os.environ.get("DEDUP_DATA", ROOT.parent / "shared" / "data")) / "reuters21578" / "reuters21578.jsonl.gz"
_SPLIT = re.compile(r"(?<=[.!?])\s+")


def sentence_pool(path: Path) -> list[str]:
    """Distinct sentences of 6+ words from the Reuters bodies, in file order."""
    seen: dict[str, None] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            body = json.loads(line).get("body") or ""
            for s in _SPLIT.split(" ".join(body.split())):
                if len(s.split()) >= 6:
                    seen.setdefault(s, None)
    return list(seen)


class Articles:
    """Reproducible articles of real sentences: article i is the same in every run.

    With ``swap`` above 0, that share of each article's words is replaced by
    words drawn from the pool's word frequencies (as ``corpus.py`` does for
    the scan benchmarks). Without it, a million articles drawn from about
    100k sentences repeat each sentence in some 250 of them, so every query
    shares whole sentences with thousands of indexed articles and its LSH
    candidates grow with the index; real news does not repeat unrelated
    stories' sentences like that. Edited copies are made from the swapped
    text, so each still has one source.
    """

    def __init__(self, pool: list[str], words: int, seed: int, swap: float = 0.0) -> None:
        self.pool = pool
        self.words = words
        self.seed = seed
        self.swap = swap
        self.vocabulary = [w for s in pool for w in s.split()] if swap > 0 else []

    def sentences(self, i: int) -> list[str]:
        rng = random.Random(self.seed * 1_000_003 + i)
        out, n = [], 0
        while n < self.words:
            s = self.pool[rng.randrange(len(self.pool))]
            if self.swap > 0:
                vocabulary = self.vocabulary
                s = " ".join(vocabulary[rng.randrange(len(vocabulary))] if rng.random() < self.swap else w
                             for w in s.split())
            out.append(s)
            n += len(s.split())
        return out

    def text(self, i: int) -> str:
        return " ".join(self.sentences(i))

    def edited(self, i: int, drop: float) -> str:
        rng = random.Random(-1 - i)
        kept = [s for s in self.sentences(i) if rng.random() >= drop]
        for _ in range(2):
            kept.insert(rng.randrange(len(kept) + 1), self.pool[rng.randrange(len(self.pool))])
        return " ".join(kept)

    def documents(self, start: int, stop: int) -> Iterator[Document]:
        for i in range(start, stop):
            yield Document(f"a{i:07d}", self.text(i))


def queries(arts: Articles, indexed: int, count: int, drop: float) -> list[Document]:
    rng = random.Random(12345)
    planted = [Document(f"edit-a{i:07d}", arts.edited(i, drop)) for i in rng.sample(range(indexed), count // 2)]
    fresh = [Document(f"fresh{i}", arts.text(indexed + 10_000_000 + i)) for i in range(count - count // 2)]
    return planted + fresh


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def score(results: list) -> tuple[int, int, int]:
    """(planted copies that found their source, planted total, fresh articles with any match)."""
    found = total = false = 0
    for r in results:
        if r.id.startswith("edit-"):
            total += 1
            found += any(m.id == r.id[len("edit-"):] for m in r.matches)
        else:
            false += bool(r.matches)
    return found, total, false


def bench_index(arts: Articles, n: int, qdocs: list[Document], where: Path, segments: int, batch: int,
                redis: Optional[str] = None) -> dict:
    name = "redis" if redis else "sqlite"
    loc = f"bench-{os.getpid()}" if redis else str(where / "index.db")
    index = Index(loc, redis=redis, batch_size=batch)
    seg_rows = []
    t_add = 0.0
    bounds = sorted({n * k // segments for k in range(1, segments + 1)})
    start = 0
    cpu0 = time.process_time()
    for stop in bounds:
        t0 = time.perf_counter()
        for _ in index.iter_add(arts.documents(start, stop)):
            pass
        dt = time.perf_counter() - t0
        t_add += dt
        seg_rows.append((start, stop, (stop - start) / dt))
        print(f"  {name}: {stop:,} documents added, {(stop - start) / dt:,.0f} docs/s in the last segment",
              file=sys.stderr, flush=True)
        start = stop
    cpu_add = time.process_time() - cpu0
    t0 = time.perf_counter()
    results = index.query(qdocs)
    t_query = time.perf_counter() - t0
    info = index.info()
    if redis:
        index._store.client.flushdb()  # the benchmark's own database: leave the server as it was
    index.close()
    # SQLite: the file once closed (the write-ahead log is checkpointed into it and removed).
    size = info.size_bytes if redis else os.path.getsize(loc)
    found, total, false = score(results)
    return {"backend": f"dedup.Index ({name})", "docs": n, "add_s": t_add, "add_cpu": cpu_add, "add_rate": n / t_add,
            "bytes_per_doc": size / max(info.documents, 1), "size": size,
            "query_ms": 1000 * t_query / len(qdocs), "found": found, "planted": total, "false": false,
            "segments": seg_rows}


def timed_query(index: Index, qdocs: list[Document]) -> tuple[float, list, object]:
    """(ms per document, results, the index's candidate counts for this query alone)."""
    from dedup.index_batch import QueryStats

    index.query(qdocs)  # once untimed: the pages a query reads are then cached, as in steady use
    index.stats = QueryStats()
    t0 = time.perf_counter()
    results = index.query(qdocs)
    return 1000 * (time.perf_counter() - t0) / len(qdocs), results, index.stats


def bench_curve(arts: Articles, sizes: list[int], nq: int, drop: float, where: Path, batch: int,
                compact: bool = False, jobs: int = 1) -> list[dict]:
    """Grow one SQLite index to each size in turn; query at each (filter on, then off; with ``compact``,
    then compact a copy of the index and query that)."""
    loc = where / "curve.db"
    config = ScanConfig()
    hasher = MinHasher(config.num_perm, config.seed)
    rows = []
    start = 0
    with Index(loc, batch_size=batch) as index, Index(loc, batch_size=batch, prefilter=False) as plain:
        for n in sizes:
            t0 = time.perf_counter()
            for _ in index.iter_add(arts.documents(start, n), jobs=jobs):
                pass
            add_rate = (n - start) / (time.perf_counter() - t0)
            start = n
            qdocs = queries(arts, n, nq, drop)
            t0 = time.perf_counter()
            for k in range(0, len(qdocs), batch):
                prepare(qdocs[k : k + batch], config, hasher, encode=False)
            hash_ms = 1000 * (time.perf_counter() - t0) / len(qdocs)
            on_ms, on, stats = timed_query(index, qdocs)
            off_ms, off, _ = timed_query(plain, qdocs)
            if on != off:
                sys.exit(f"at {n:,} documents the filter changed the matches: a bug")
            runs = len(index._store.runs())
            compact_s = compact_ms = None
            if compact:
                # Compact a copy, so that the index itself keeps growing uncompacted.
                import shutil

                index._store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                copy = where / "compacted.db"
                shutil.copyfile(loc, copy)
                with Index(copy, batch_size=batch) as other:
                    t0 = time.perf_counter()
                    other.compact()
                    compact_s = time.perf_counter() - t0
                    compact_ms, compacted, _ = timed_query(other, qdocs)
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(f"{copy}{suffix}"):
                        os.remove(f"{copy}{suffix}")
                if compacted != on:
                    sys.exit(f"at {n:,} documents compacting changed the matches: a bug")
            found, total, false = score(on)
            rows.append({"docs": n, "add_rate": add_rate, "hash_ms": hash_ms, "on_ms": on_ms, "off_ms": off_ms,
                         "runs": runs, "compact_s": compact_s, "compact_ms": compact_ms,
                         "candidates": stats.candidates / len(qdocs), "filtered": stats.filtered / len(qdocs),
                         "found": found, "planted": total, "false": false, "load": os.getloadavg()[0],
                         "size": os.path.getsize(loc) + (os.path.getsize(f"{loc}-wal")
                                                         if os.path.exists(f"{loc}-wal") else 0)})
            r = rows[-1]
            print(f"  {n:,} documents: add {add_rate:,.0f} docs/s, query {on_ms:.2f} ms/doc (hashing {hash_ms:.2f}; "
                  f"filter off {off_ms:.2f}; {runs} runs), {r['candidates']:.1f} candidates/query, "
                  f"{r['filtered']:.1f} filtered, found {found}/{total}, fresh with a match {false}/{total}, "
                  f"load {r['load']:.1f}" + (f"; compacted in {compact_s:.1f} s, then query {compact_ms:.2f} ms/doc"
                                            if compact else ""), file=sys.stderr, flush=True)
    return rows


def print_curve(rows: list[dict]) -> None:
    import math

    compacted = rows[0]["compact_ms"] is not None
    print("| documents | add (docs/s, this step) | runs | query (ms/doc) | of which hashing (ms/doc) | query, filter "
          "off (ms/doc) | candidates per query | dropped by the filter | edited copies found | fresh with a match | "
          + ("compacting (s) | query after compacting (ms/doc) | " if compacted else "") + "load average |")
    print("|---:" * (13 if compacted else 11) + "|")
    for r in rows:
        print(f"| {r['docs']:,} | {r['add_rate']:,.0f} | {r['runs']} | {r['on_ms']:.2f} | {r['hash_ms']:.2f} | "
              f"{r['off_ms']:.2f} | {r['candidates']:.1f} | {r['filtered']:.1f} | {r['found']:,} / {r['planted']:,} | "
              f"{r['false']:,} / {r['planted']:,} | "
              + (f"{r['compact_s']:.1f} | {r['compact_ms']:.2f} | " if compacted else "") + f"{r['load']:.1f} |")
    print()
    print("Growth per tenfold of the index (log N growth: a constant increase per tenfold; linear growth: "
          "ratio 10):")
    print()
    print("| from | to | query | ms added per tenfold | time ratio per tenfold | excluding hashing: ms added per "
          "tenfold |")
    print("|---:|---:|---|---:|---:|---:|")
    for a, b in zip(rows, rows[1:]):
        decades = math.log10(b["docs"] / a["docs"])
        for label, key in (("as added", "on_ms"), ("compacted", "compact_ms")):
            if a[key] is None:
                continue
            ratio = (b[key] / a[key]) ** (1 / decades)
            net = ((b[key] - b["hash_ms"]) - (a[key] - a["hash_ms"])) / decades
            print(f"| {a['docs']:,} | {b['docs']:,} | {label} | {(b[key] - a[key]) / decades:+.2f} | {ratio:.2f} | "
                  f"{net:+.2f} |")
    last = rows[-1]
    print(f"\nindex file at {last['docs']:,} documents: {last['size'] / 2**20:,.0f} MiB "
          f"({last['size'] / last['docs']:,.0f} bytes a document)")


def bench_datasketch(arts: Articles, n: int, qdocs: list[Document], bands: int, rows: int) -> dict:
    from datasketch import LeanMinHash, MinHashLSH

    hasher = MinHasher(128, 1)
    lsh = MinHashLSH(num_perm=128, params=(bands, rows))
    t_add = cpu_add = 0.0
    step = 2000
    for start in range(0, n, step):
        docs = list(arts.documents(start, min(n, start + step)))
        sigs = hasher.signatures([shingle_set(d.text) for d in docs])
        t0, c0 = time.perf_counter(), time.process_time()
        with lsh.insertion_session() as session:
            for d, sig in zip(docs, sigs):
                session.insert(d.id, LeanMinHash(seed=1, hashvalues=sig, scheme="affine32"))
        t_add += time.perf_counter() - t0
        cpu_add += time.process_time() - c0
    qsigs = hasher.signatures([shingle_set(d.text) for d in qdocs])
    t0 = time.perf_counter()
    cands = [lsh.query(LeanMinHash(seed=1, hashvalues=s, scheme="affine32")) for s in qsigs]
    t_query = time.perf_counter() - t0
    size = len(pickle.dumps(lsh, protocol=pickle.HIGHEST_PROTOCOL))
    found = sum(d.id[len("edit-"):] in c for d, c in zip(qdocs, cands) if d.id.startswith("edit-"))
    total = sum(d.id.startswith("edit-") for d in qdocs)
    false = sum(bool(c) for d, c in zip(qdocs, cands) if not d.id.startswith("edit-"))
    return {"backend": "datasketch MinHashLSH (memory, LSH only)", "docs": n, "add_s": t_add, "add_cpu": cpu_add,
            "add_rate": n / t_add,
            "bytes_per_doc": size / n, "size": size, "query_ms": 1000 * t_query / len(qdocs), "found": found,
            "planted": total, "false": false, "segments": []}


def bench_hashing(arts: Articles, n: int) -> float:
    """Documents per second through the index's hashing alone (shingles, signature, band keys)."""
    config = ScanConfig()
    hasher = MinHasher(config.num_perm, config.seed)
    docs = list(arts.documents(0, n))
    t0 = time.perf_counter()
    for start in range(0, n, 1000):
        prepare(docs[start : start + 1000], config, hasher)
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=100_000, help="articles to index")
    ap.add_argument("--queries", type=int, default=10_000, help="articles to query (half edited copies)")
    ap.add_argument("--words", type=int, default=600, help="words per article")
    ap.add_argument("--drop", type=float, default=0.2, help="share of sentences an edited copy drops")
    ap.add_argument("--segments", type=int, default=5, help="add-rate measurements while the index grows")
    ap.add_argument("--batch-size", type=int, default=1000, help="documents per transaction")
    ap.add_argument("--peer-max", type=int, default=100_000,
                    help="most documents given to datasketch (memory); 0 leaves it out")
    ap.add_argument("--redis", metavar="URL", help="also measure the Redis backend (uses and flushes this db)")
    ap.add_argument("--redis-max", type=int, default=100_000, help="most documents given to Redis")
    ap.add_argument("--dir", type=Path, help="folder for the index file [default: a temporary folder]")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--swap", type=float, default=0.0,
                    help="share of each article's words replaced by words drawn from the pool's frequencies "
                         "(0: whole Reuters sentences, which recur in ever more articles as the index grows)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes for the adds")
    ap.add_argument("--curve", metavar="N,N,...",
                    help="grow one SQLite index to each of these sizes and query at each (instead of the table)")
    ap.add_argument("--compact", action="store_true",
                    help="with --curve: also compact the index at each size and query it again")
    args = ap.parse_args()
    if not REUTERS.exists():
        sys.exit(f"{REUTERS} is not present: this benchmark needs the Reuters-21578 sentences")

    t0 = time.perf_counter()
    pool = sentence_pool(REUTERS)
    arts = Articles(pool, args.words, args.seed, args.swap)
    qdocs = queries(arts, args.docs, args.queries, args.drop)
    sample = [len(arts.text(i).split()) for i in range(200)]
    print(f"{len(pool):,} distinct Reuters sentences; articles of {sum(sample) / len(sample):.0f} words; "
          f"{len(qdocs):,} queries ({len(qdocs) // 2:,} edited copies dropping {args.drop:.0%} of sentences); "
          f"{args.swap:.0%} of words swapped; "
          f"setup {time.perf_counter() - t0:.1f} s", flush=True)

    if args.curve:
        sizes = sorted({int(x) for x in args.curve.split(",")})
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            rows = bench_curve(arts, sizes, args.queries, args.drop, Path(tmp), args.batch_size, args.compact,
                               args.jobs)
        print()
        print_curve(rows)
        print(f"peak RSS {rss_mb():,.0f} MB")
        return

    hashing = bench_hashing(arts, min(args.docs, 5000))
    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        rows.append(bench_index(arts, args.docs, qdocs, Path(tmp), args.segments, args.batch_size))
        print(f"  peak RSS so far {rss_mb():,.0f} MB", file=sys.stderr, flush=True)
    rss_index = rss_mb()
    if args.redis:
        n = min(args.docs, args.redis_max)
        rows.append(bench_index(arts, n, queries(arts, n, args.queries, args.drop), Path("."), 1,
                                args.batch_size, redis=args.redis))
    peer_n = min(args.docs, args.peer_max)
    if peer_n > 0:
        bands, rows_per_band = ScanConfig().banding  # what the index uses by default
        peer_q = qdocs if peer_n == args.docs else queries(arts, peer_n, args.queries, args.drop)
        rows.append(bench_datasketch(arts, peer_n, peer_q, bands, rows_per_band))

    print()
    print("| backend | documents | add (s) | add CPU (s, this process) | add (docs/s) | size per doc (bytes) | "
          "query (ms/doc) | edited copies found | fresh with a match |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['backend']} | {r['docs']:,} | {r['add_s']:,.1f} | {r['add_cpu']:,.1f} | {r['add_rate']:,.0f} | "
              f"{r['bytes_per_doc']:,.0f} | {r['query_ms']:.2f} | {r['found']:,} / {r['planted']:,} | "
              f"{r['false']:,} / {r['planted']:,} |")
    print()
    print("| index size when the segment ended | add rate in the segment (docs/s) |")
    print("|---:|---:|")
    for start, stop, rate in rows[0]["segments"]:
        print(f"| {stop:,} | {rate:,.0f} |")
    print(f"\nhashing alone (shingles, signatures, band keys; no storage): {hashing:,.0f} docs/s")
    print(f"peak RSS while building and querying the SQLite index: {rss_index:,.0f} MB "
          f"(index file {rows[0]['size'] / 2**20:,.0f} MiB)")


if __name__ == "__main__":
    main()
