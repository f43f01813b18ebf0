"""Throughput and memory of dedup's MinHash-LSH against its peers, side by side.

Every row of a table is measured in the same run on the same documents, each
method in its own child process so that its peak RSS is its own.

    python3 benchmarks/speed.py end-to-end --repeat 3
    python3 benchmarks/speed.py stages --roots /path/to/before .
    python3 benchmarks/speed.py signatures --corpus reuters
    python3 benchmarks/speed.py signatures --corpus generated --n 20000
    python3 benchmarks/speed.py candidates --corpus generated --n 20000
    python3 benchmarks/speed.py scan --n 1000000 --jobs 2 --compare-jobs 1 --compare-n 100000
    python3 benchmarks/speed.py scaling --sizes 10000,30000,100000,300000,1000000 --plot benchmarks/scaling.png

Rates per core are documents per CPU second of the measuring process
(user + system, threads included), so a method that uses several threads is
not credited for them, and other load on the machine inflates them less than
it inflates wall time.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402

from corpus import REUTERS, Source, write as write_corpus  # noqa: E402

NUM_PERM, SEED, SIZE, BATCH = 128, 1, 5, 256
SIGNATURE_METHODS = ("dedup", "datasketch-naive", "datasketch-best", "rensa", "rensa-bulk", "floor")
LABELS = {
    "dedup": "dedup (shingle_batch + signatures_flat)",
    "datasketch-naive": "datasketch MinHash.update() per shingle",
    "datasketch-best": "datasketch MinHash.generator, xxh32",
    "rensa": "rensa RMinHash.update()",
    "rensa-bulk": "rensa digest_matrix_from_token_sets",
    "floor": "floor: tokenize + join 5-grams",
}
SINGLE_THREAD = {"RAYON_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
                 "MKL_NUM_THREADS": "1"}


# ---------------------------------------------------------------- helpers

def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def status_kb(pid: int | str = "self", field: str = "VmHWM") -> int:
    """A memory field of /proc/PID/status in KiB (0 when the process is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(root: int) -> list[int]:
    """The process and all its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def open_bytes_in(pid: int, folder: str) -> int:
    """Bytes of the files under ``folder`` that process ``pid`` holds open (deleted ones included:
    a scan's spool files have no name)."""
    total = 0
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return 0
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(folder + "/"):
                total += os.stat(f"/proc/{pid}/fd/{fd}").st_size
        except OSError:
            pass
    return total


def run_measured(cmd: Sequence[str], env: dict[str, str] | None = None, stdout: Any = None,
                 spool: str | None = None) -> dict[str, float]:
    """Run a command; wall time and peak memory of its whole process tree.

    ``peak_rss_mb`` is the sum over every process of its own peak (VmHWM),
    an upper bound of the tree's simultaneous peak (pages a forked worker
    shares with its parent are counted twice); ``peak_sum_rss_mb`` is the
    largest sum of current RSS seen while sampling every 0.1 s. With
    ``spool`` (a folder the command's TMPDIR points to), ``spool_mb`` is the
    largest size seen of the temporary files it holds open there. ``load``
    is the 1-minute load average before and after the run.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=stdout)
    # The wall time ends when the process does, not at the next sample: a thread waits for it.
    ended: list[float] = []
    done = threading.Event()

    def wait() -> None:
        proc.wait()
        ended.append(time.perf_counter())
        done.set()

    threading.Thread(target=wait, daemon=True).start()
    hwm: dict[int, int] = {}
    peak_sum = 0
    spooled = 0
    while not done.is_set():
        total = 0
        for pid in descendants(proc.pid):
            hwm[pid] = max(hwm.get(pid, 0), status_kb(pid, "VmHWM"))
            total += status_kb(pid, "VmRSS")
        peak_sum = max(peak_sum, total)
        if spool:
            spooled = max(spooled, open_bytes_in(proc.pid, spool))
        done.wait(0.1)
    wall = ended[0] - t0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"error: {' '.join(cmd)} exited with {proc.returncode}")
    return {"wall_s": wall, "peak_rss_mb": sum(hwm.values()) / 1024, "peak_sum_rss_mb": peak_sum / 1024,
            "cpu_s": children.ru_utime + children.ru_stime - before.ru_utime - before.ru_stime,
            "spool_mb": spooled / 1e6, "load": (load0, os.getloadavg()[0])}  # type: ignore[dict-item]


def reuters_texts(path: Path = REUTERS) -> list[str]:
    if not path.exists():
        raise SystemExit(f"error: {path} not found (the shared Reuters-21578 data; pass --reuters PATH)")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [b for b in (json.loads(line).get("body") or "" for line in f) if b.strip()]


def load_texts(path: Path, limit: int | None = None) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in islice(f, limit)]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) + " |")


# ---------------------------------------------------------------- signature methods (child side)

def _shingle_strings(text: str) -> list[str]:
    from dedup.normalize import words

    w = words(text)
    if len(w) < SIZE:
        return [" ".join(w)] if w else []
    return [" ".join(w[i : i + SIZE]) for i in range(len(w) - SIZE + 1)]


def _sig_dedup(texts: list[str]) -> int:
    from dedup.shingle import ShingleConfig, shingle_batch
    from dedup.signature import MinHasher

    hasher, config, check = MinHasher(NUM_PERM, SEED), ShingleConfig(SIZE), 0
    for lo in range(0, len(texts), BATCH):
        values, lengths, _ = shingle_batch(texts[lo : lo + BATCH], config)
        check ^= int(hasher.signatures_flat(values, lengths)[:, 0].sum())
    return check


def _sig_datasketch_naive(texts: list[str]) -> int:
    from datasketch import MinHash

    check = 0
    for text in texts:
        m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")
        for s in _shingle_strings(text):
            m.update(s.encode("utf-8"))
        check ^= int(m.digest()[0])
    return check


def _sig_datasketch_best(texts: list[str]) -> int:
    import xxhash
    from datasketch import MinHash

    data = ([s.encode("utf-8") for s in _shingle_strings(t)] for t in texts)
    check = 0
    for m in MinHash.generator(data, num_perm=NUM_PERM, seed=SEED, scheme="affine32",
                               hashfunc=xxhash.xxh32_intdigest):
        check ^= int(m.hashvalues[0])
    return check


def _sig_rensa(texts: list[str]) -> int:
    from rensa import RMinHash

    check = 0
    for text in texts:
        m = RMinHash(num_perm=NUM_PERM, seed=SEED)
        m.update(_shingle_strings(text))
        check ^= int(m.digest()[0])
    return check


def _sig_rensa_bulk(texts: list[str]) -> int:
    from rensa import RMinHash

    check = 0
    for lo in range(0, len(texts), BATCH):
        sets = [_shingle_strings(t) for t in texts[lo : lo + BATCH]]
        check += RMinHash.digest_matrix_from_token_sets(sets, NUM_PERM, SEED).len()
    return check


def _sig_floor(texts: list[str]) -> int:
    return sum(len(_shingle_strings(t)) for t in texts)


SIG_FUNCS: dict[str, Callable[[list[str]], int]] = {
    "dedup": _sig_dedup, "datasketch-naive": _sig_datasketch_naive, "datasketch-best": _sig_datasketch_best,
    "rensa": _sig_rensa, "rensa-bulk": _sig_rensa_bulk, "floor": _sig_floor,
}


def child_signatures(method: str, docs: Path, limit: int | None) -> None:
    texts = load_texts(docs, limit)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    SIG_FUNCS[method](texts[: min(len(texts), 50)])  # imports and first-use work outside the clock
    gc.collect()
    base = status_kb("self", "VmRSS")
    c0, t0 = cpu_seconds(), time.perf_counter()
    SIG_FUNCS[method](texts)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    print(json.dumps({"docs": len(texts), "bytes": nbytes, "wall_s": wall, "cpu_s": cpu,
                      "peak_rss_mb": status_kb("self", "VmHWM") / 1024, "base_rss_mb": base / 1024}))


# ---------------------------------------------------------------- candidates (child side)

def child_candidates(method: str, sigs_path: Path, bands: int, rows: int) -> None:
    sigs = np.load(sigs_path)
    gc.collect()
    base = status_kb("self", "VmRSS")
    c0, t0 = cpu_seconds(), time.perf_counter()
    if method == "dedup":
        from dedup.candidates import candidate_pairs

        pairs = len(candidate_pairs(sigs, bands, rows))
    else:
        from datasketch import MinHash, MinHashLSH

        lsh = MinHashLSH(num_perm=sigs.shape[1], params=(bands, rows))
        sketches = [MinHash(num_perm=sigs.shape[1], hashvalues=r, scheme="affine32") for r in sigs.astype(np.uint64)]
        found = set()
        for i, m in enumerate(sketches):
            lsh.insert(i, m)
        for i, m in enumerate(sketches):
            found.update((min(i, j), max(i, j)) for j in lsh.query(m) if j != i)
        pairs = len(found)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    print(json.dumps({"docs": len(sigs), "pairs": pairs, "wall_s": wall, "cpu_s": cpu,
                      "peak_rss_mb": status_kb("self", "VmHWM") / 1024, "base_rss_mb": base / 1024}))


# ---------------------------------------------------------------- end to end (child side)

E2E_METHODS = ("rensa", "datasketch", "dedup")
E2E_LABELS = {"rensa": "rensa: RMinHash + RMinHashLSH + union-find",
              "datasketch": "datasketch: MinHash.generator + MinHashLSH + union-find",
              "dedup": "dedup scan (defaults, --jobs 0: all cores)", "dedup-j1": "dedup scan --jobs 1"}
E2E_BANDS = 32  # 32 bands x 4 rows of 128 permutations: a pair at Jaccard 0.5 is a candidate with p = 0.87


def _e2e_texts(path: Path) -> Iterator[str]:
    """The texts the scan reads from Reuters records: text, else title and body joined."""
    with gzip.open(path, "rb") as f:
        for line in f:
            rec = json.loads(line)
            text = rec.get("text") or "\n\n".join(v.strip() for v in (rec.get("title"), rec.get("body"))
                                                  if isinstance(v, str) and v.strip())
            if text.strip():
                yield text


def _e2e_shingles(text: str) -> list[str]:
    w = text.lower().split()
    return [" ".join(w[i : i + SIZE]) for i in range(max(1, len(w) - SIZE + 1))]


def _clusters(n: int, pairs: Iterable[tuple[int, int]]) -> int:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    sizes: dict[int, int] = {}
    for i in range(n):
        r = find(i)
        sizes[r] = sizes.get(r, 0) + 1
    return sum(1 for v in sizes.values() if v > 1)


def child_pipeline(method: str, path: Path) -> None:
    """A whole near-duplicate pipeline of a peer library, as its users write it:
    read the file, word 5-grams, MinHash 128, LSH, union-find."""
    if method == "rensa":
        from rensa import RMinHash, RMinHashLSH

        lsh = RMinHashLSH(threshold=0.5, num_perm=NUM_PERM, num_bands=E2E_BANDS)
        sketches = []
        for i, text in enumerate(_e2e_texts(path)):
            m = RMinHash(num_perm=NUM_PERM, seed=SEED)
            m.update(_e2e_shingles(text))
            lsh.insert(i, m)
            sketches.append(m)
        pairs = {(min(i, j), max(i, j)) for i, m in enumerate(sketches) for j in lsh.query(m) if j != i}
    else:
        import xxhash
        from datasketch import MinHash, MinHashLSH

        lsh = MinHashLSH(num_perm=NUM_PERM, params=(E2E_BANDS, NUM_PERM // E2E_BANDS))
        data = ([s.encode("utf-8") for s in _e2e_shingles(t)] for t in _e2e_texts(path))
        sketches = []
        for i, m in enumerate(MinHash.generator(data, num_perm=NUM_PERM, seed=SEED, scheme="affine32",
                                                hashfunc=xxhash.xxh32_intdigest)):
            lsh.insert(i, m)
            sketches.append(m)
        pairs = {(min(i, j), max(i, j)) for i, m in enumerate(sketches) for j in lsh.query(m) if j != i}
    print(json.dumps({"docs": len(sketches), "candidates": len(pairs), "clusters": _clusters(len(sketches), pairs)}))


# ---------------------------------------------------------------- stages (child side)

def child_stages(path: Path, root: Path) -> None:
    """CPU seconds of each stage of one in-process scan (--jobs 1): the scan's
    own stage clock, read as process CPU time instead of wall time."""
    import types

    for name in [m for m in sys.modules if m == "dedup" or m.startswith("dedup.")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    c0 = cpu_seconds()
    import dedup.pipeline as pipeline

    c1 = cpu_seconds()
    pipeline.time = types.SimpleNamespace(perf_counter=time.process_time)  # type: ignore[attr-defined]
    result = pipeline.scan([str(path)], pipeline.ScanConfig(jobs=1))
    c2 = cpu_seconds()
    print(json.dumps({"import": c1 - c0, **result.seconds, "total": c2 - c0, "docs": len(result.documents),
                      "pairs": len(result.pairs), "source": str(Path(pipeline.__file__).parents[1])}))


# ---------------------------------------------------------------- parent side

def child(args: Sequence[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True,
                         env={**os.environ, **SINGLE_THREAD, **(env or {})})
    if out.returncode:
        raise SystemExit(f"error: child {' '.join(args)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def corpus_file(args: argparse.Namespace, tmp: Path) -> tuple[Path, str]:
    """A .jsonl.gz of the benchmark documents and a one-line description."""
    path = tmp / "docs.jsonl.gz"
    if args.corpus == "reuters":
        texts = reuters_texts(args.reuters)[: args.n] if args.n else reuters_texts(args.reuters)
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
            for t in texts:
                f.write(json.dumps({"text": t}) + "\n")
        words = sum(len(t.split()) for t in texts)
        return path, f"Reuters-21578 bodies: {len(texts):,} documents, {words / len(texts):.0f} words each on average"
    n = args.n or 20_000
    write_corpus([(n, path)], args.seed, Source(args.reuters))
    return path, f"generated from Reuters sentences: {n:,} documents of about 600 words (seed {args.seed})"


def cmd_signatures(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as tmp:
        docs, what = corpus_file(args, Path(tmp))
        results = {}
        for method in args.methods:
            limit = args.naive_limit if method == "datasketch-naive" else None
            results[method] = child(["_signatures", method, str(docs), str(limit or 0)])
            print(f"  measured {method}", file=sys.stderr)
    base = results["dedup"]["docs"] / results["dedup"]["cpu_s"] if "dedup" in results else None
    rows = []
    for method, r in results.items():
        rate = r["docs"] / r["cpu_s"]
        rows.append([LABELS[method] + (f" (first {r['docs']:,} docs)" if method == "datasketch-naive" else ""),
                     f"{rate:,.0f}", f"{r['bytes'] / r['cpu_s'] / 1e6:.2f}", f"{r['peak_rss_mb']:.0f}",
                     f"{r['peak_rss_mb'] - r['base_rss_mb']:.0f}", f"{rate / base:.3f}x" if base else "-"])
    print(f"\nSignature stage, {NUM_PERM} permutations, word {SIZE}-grams: {what}")
    print_table(["method", "docs/s per core", "MB/s per core", "peak RSS MB", "RSS growth MB", "vs dedup"], rows)
    if base and "rensa" in results:
        best_rensa = max(results[m]["docs"] / results[m]["cpu_s"] for m in ("rensa", "rensa-bulk") if m in results)
        naive = results.get("datasketch-naive")
        print(f"\ndedup / best rensa = {base / best_rensa:.2f}x"
              + (f"; dedup / datasketch naive = {base / (naive['docs'] / naive['cpu_s']):.0f}x" if naive else ""))


def cmd_candidates(args: argparse.Namespace) -> None:
    from dedup.pipeline import ScanConfig
    from dedup.shingle import ShingleConfig, shingle_batch
    from dedup.signature import MinHasher

    bands, rows = (args.bands, args.rows) if args.bands else ScanConfig().banding
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as tmp:
        docs, what = corpus_file(args, Path(tmp))
        texts = load_texts(docs)
        hasher = MinHasher(NUM_PERM, SEED)
        sigs = np.concatenate([hasher.signatures_flat(*shingle_batch(texts[lo : lo + BATCH], ShingleConfig(SIZE))[:2])
                               for lo in range(0, len(texts), BATCH)])
        del texts
        np.save(Path(tmp) / "sigs.npy", sigs)
        results = {m: child(["_candidates", m, str(Path(tmp) / "sigs.npy"), str(bands), str(rows)])
                   for m in ("dedup", "datasketch")}
    if results["dedup"]["pairs"] != results["datasketch"]["pairs"]:
        raise SystemExit(f"error: candidate counts differ: {results}")
    base = results["dedup"]["wall_s"]
    table = []
    for method, r in results.items():
        n = r["docs"]
        table.append([{"dedup": "dedup candidate_pairs (numpy banding)",
                       "datasketch": "datasketch MinHashLSH insert + query"}[method],
                      f"{r['wall_s']:.2f}", f"{r['wall_s'] / n * 1e6:.1f}",
                      f"{(r['peak_rss_mb'] - r['base_rss_mb']) * 1024 / n:.2f}", f"{r['pairs']:,}",
                      f"{r['wall_s'] / base:.1f}x"])
    print(f"\nCandidate generation, {bands} bands x {rows} rows over {NUM_PERM}-value signatures: {what}")
    print_table(["method", "seconds", "us per doc", "KB per doc", "candidate pairs", "time vs dedup"], table)


def cmd_end_to_end(args: argparse.Namespace) -> None:
    """Whole processes on one file: each peer's pipeline and `dedup scan`, interleaved, medians."""
    if not args.reuters.exists():
        raise SystemExit(f"error: {args.reuters} not found (the shared Reuters-21578 data; pass --reuters PATH)")
    methods = [m for m in args.methods if m in E2E_METHODS or m == "dedup-j1"]
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as tmp:
        out = Path(tmp) / "out.jsonl"
        for _ in range(args.repeat):
            for method in methods:
                if method.startswith("dedup"):
                    cmd = [sys.executable, "-m", "dedup", "scan", str(args.reuters), "--format", "jsonl", "--quiet",
                           "-o", str(out), "--jobs", "1" if method == "dedup-j1" else "0"]
                    r = run_measured(cmd)
                    r["clusters"] = sum(1 for _ in out.open())
                else:
                    listing = Path(tmp) / "child.json"
                    with listing.open("w") as f:
                        r = run_measured([sys.executable, str(Path(__file__).resolve()), "_pipeline", method,
                                          str(args.reuters)], stdout=f)
                    r.update(json.loads(listing.read_text().strip().splitlines()[-1]))
                runs[method].append(r)
                load.append(os.getloadavg()[0])
                print(f"  {method}: {r['wall_s']:.2f} s wall, {r['cpu_s']:.2f} s CPU", file=sys.stderr)

    def med(method: str, key: str) -> float:
        return float(np.median([r[key] for r in runs[method]]))

    base_wall, base_cpu = med("rensa", "wall_s") if "rensa" in runs else 0, med("rensa", "cpu_s") if "rensa" in runs else 0
    rows = []
    for method in methods:
        rows.append([E2E_LABELS[method], f"{med(method, 'wall_s'):.2f}", f"{med(method, 'cpu_s'):.2f}",
                     f"{med(method, 'peak_rss_mb'):.0f}", f"{runs[method][-1].get('clusters', 0):,}",
                     f"{med(method, 'wall_s') / base_wall:.2f}x" if base_wall else "-",
                     f"{med(method, 'cpu_s') / base_cpu:.2f}x" if base_cpu else "-"])
    print(f"{args.reuters.name}, whole processes (start, imports, read, hash, LSH, clusters), median of "
          f"{args.repeat} interleaved runs; {os.cpu_count()} cores, load average {min(load):.1f}-{max(load):.1f}\n")
    print_table(["pipeline", "wall s", "CPU s", "peak RSS MB", "clusters", "wall vs rensa", "CPU vs rensa"], rows)
    print("\nThe peers stop at LSH candidates (no verification, no short-text or occasion check), so their "
          "clusters are not dedup's.")


def cmd_stages(args: argparse.Namespace) -> None:
    """CPU seconds per stage on Reuters, for each checkout given, interleaved, medians."""
    roots = [Path(r).resolve() for r in (args.roots or [str(ROOT)])]
    runs: dict[Path, list[dict[str, Any]]] = {r: [] for r in roots}
    load = [os.getloadavg()[0]]
    for _ in range(args.repeat):
        for root in roots:
            out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "_stages", str(args.reuters),
                                  str(root)], capture_output=True, text=True, cwd=root, env={**os.environ, **SINGLE_THREAD})
            if out.returncode:
                raise SystemExit(f"error: stages of {root} failed:\n{out.stderr}")
            runs[root].append(json.loads(out.stdout.strip().splitlines()[-1]))
            load.append(os.getloadavg()[0])
    keys = ["import", "read+signature", "candidates", "verify", "cluster", "total"]
    print(f"CPU seconds per stage, {args.reuters.name}, one process, --jobs 1, median of {args.repeat} "
          f"interleaved runs; load average {min(load):.1f}-{max(load):.1f}\n")
    rows = [[k] + [f"{float(np.median([r[k] for r in runs[root]])):.2f}" for root in roots] for k in keys]
    rows.append(["pairs"] + [f"{runs[root][-1]['pairs']:,}" for root in roots])
    print_table(["stage"] + [str(root) for root in roots], rows)


def scan_once(path: Path, jobs: int, out: Path) -> dict[str, float]:
    cmd = [sys.executable, "-m", "dedup", "scan", str(path), "--jobs", str(jobs), "--format", "jsonl",
           "--quiet", "-o", str(out)]
    spool = out.parent / "spool"
    spool.mkdir(exist_ok=True)
    r = run_measured(cmd, env={"TMPDIR": str(spool)}, spool=str(spool))
    r["sha256"] = hashlib.sha256(out.read_bytes()).hexdigest()  # type: ignore[assignment]
    r["clusters"] = sum(1 for _ in out.open())
    return r


def corpora(sizes: Sequence[int], args: argparse.Namespace, tmp: Path) -> dict[int, Path]:
    """Generated corpora of the given sizes: in --corpus-dir when given (made once, kept), else in tmp."""
    folder = Path(args.corpus_dir) if args.corpus_dir else tmp
    folder.mkdir(parents=True, exist_ok=True)
    files = {n: folder / f"news-{n}-seed{args.seed}.jsonl.gz" for n in sizes}
    todo = [(n, p) for n, p in files.items() if not p.exists()]
    if todo:
        t0 = time.perf_counter()
        partial = [(n, p.with_suffix(".part")) for n, p in todo]
        write_corpus(partial, args.seed, Source(args.reuters))
        for (n, part), (_, final) in zip(partial, todo):
            part.rename(final)
        print(f"generated {', '.join(f'{n:,}' for n, _ in todo)} articles in {time.perf_counter() - t0:.0f} s",
              file=sys.stderr)
    return files


def cmd_corpus(args: argparse.Namespace) -> None:
    files = corpora(sorted(int(s) for s in args.sizes.split(",")), args, Path(args.corpus_dir))
    for n, path in sorted(files.items()):
        print(f"{n:>9,}  {path}")


def cmd_scan(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="dedup-bench-", dir=args.tmp) as tmp:
        t = Path(tmp)
        sizes = sorted({args.n} | ({args.compare_n} if args.compare_jobs else set()))
        files = corpora(sizes, args, t)
        rows = []
        for k in range(args.repeat):  # interleaved, so that a change in the machine's load hits both alike
            main = scan_once(files[args.n], args.jobs, t / f"main-{k}.jsonl")
            rows.append((args.n, args.jobs, main))
            if args.compare_jobs:
                other_n = args.compare_n
                if other_n != args.n:
                    rows.append((other_n, args.jobs, scan_once(files[other_n], args.jobs, t / f"mine-{k}.jsonl")))
                rows.append((other_n, args.compare_jobs, scan_once(files[other_n], args.compare_jobs,
                                                                   t / f"other-{k}.jsonl")))
    print("\nWhole `dedup scan` of generated articles (about 600 words), output --format jsonl")
    print(f"{os.cpu_count()} cores; load: the 1-minute load average before and after each run")
    print_table(["articles", "jobs", "wall s", "CPU s", "load", "peak RSS MB (sum of process peaks)",
                 "peak sampled sum MB", "spool MB", "clusters", "output sha256"],
                [[f"{n:,}", str(j), f"{r['wall_s']:.1f}", f"{r['cpu_s']:.1f}",
                  "{:.1f}-{:.1f}".format(*r["load"]), f"{r['peak_rss_mb']:,.0f}",  # type: ignore[str-format]
                  f"{r['peak_sum_rss_mb']:,.0f}", f"{r['spool_mb']:,.0f}", f"{r['clusters']:,}",
                  str(r["sha256"])[:16]] for n, j, r in rows])
    if args.compare_jobs:
        mine = [r for n, j, r in rows if n == args.compare_n and j == args.jobs]
        other = [r for n, j, r in rows if n == args.compare_n and j == args.compare_jobs]
        same = len({r["sha256"] for r in mine + other}) == 1
        ratios = [o["wall_s"] / m["wall_s"] for m, o in zip(mine, other)]
        print(f"\nwall time --jobs {args.compare_jobs} / --jobs {args.jobs} on {args.compare_n:,} articles, run by run: "
              + ", ".join(f"{x:.2f}" for x in ratios))
        print(f"clusters with --jobs {args.jobs} and --jobs {args.compare_jobs} on {args.compare_n:,} articles: "
              + ("identical" if same else "DIFFERENT"))
        if not same:
            raise SystemExit(1)


def cmd_scaling(args: argparse.Namespace) -> None:
    sizes = sorted(int(s) for s in args.sizes.split(","))
    results: list[dict[str, Any]] = []
    if args.from_json:
        saved = json.loads(Path(args.from_json).read_text())
        results, args.jobs = saved["results"], saved["jobs"]
        args.compare_jobs = next((r["compare"]["jobs"] for r in results if "compare" in r), 0)
        report_scaling(results, args)
        return
    with tempfile.TemporaryDirectory(prefix="dedup-bench-", dir=args.tmp) as tmp:
        t = Path(tmp)
        files = corpora(sizes, args, t)
        for n, path in sorted(files.items()):
            r = scan_once(path, args.jobs, t / f"out-{n}.jsonl")
            r["n"] = n
            if args.compare_jobs and n <= args.compare_max:
                other = scan_once(path, args.compare_jobs, t / f"other-{n}.jsonl")
                r["compare"] = {"jobs": args.compare_jobs, "wall_s": other["wall_s"], "cpu_s": other["cpu_s"],
                                "load": other["load"], "peak_rss_mb": other["peak_rss_mb"],
                                "identical": other["sha256"] == r["sha256"]}
            results.append(r)
            print(f"  {n:,}: {r['wall_s']:.1f} s, {r['peak_rss_mb']:,.0f} MB", file=sys.stderr, flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"jobs": args.jobs, "results": results}, indent=1) + "\n")
    report_scaling(results, args)


def report_scaling(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    """Print the scaling table and fits, and draw the plot."""
    ns = np.array([r["n"] for r in results], dtype=float)
    secs = np.array([r["wall_s"] for r in results])
    mem = np.array([r["peak_rss_mb"] for r in results])
    k_time = float(np.polyfit(np.log(ns), np.log(secs), 1)[0])
    k_mem = float(np.polyfit(np.log(ns), np.log(mem), 1)[0])
    big = ns >= 100_000
    print(f"\nScaling of `dedup scan --jobs {args.jobs}` on generated articles (about 600 words)")
    def extra(r: dict[str, Any]) -> list[str]:  # measured since the load and the spool were recorded
        return ["{:.1f}-{:.1f}".format(*r["load"]) if "load" in r else "-",
                f"{r['spool_mb']:,.0f}" if "spool_mb" in r else "-"]

    print_table(["articles", "wall s", "CPU s", "articles/s", "load", "spool MB", "peak RSS MB (sum of process peaks)",
                 "clusters"],
                [[f"{r['n']:,}", f"{r['wall_s']:.1f}", f"{r['cpu_s']:.1f}" if "cpu_s" in r else "-",
                  f"{r['n'] / r['wall_s']:,.0f}", *extra(r), f"{r['peak_rss_mb']:,.0f}", f"{r['clusters']:,}"]
                 for r in results])
    print(f"\nlog-log fit over all sizes: time ~ N^{k_time:.2f}, peak RSS ~ N^{k_mem:.2f}")
    if big.sum() >= 2:
        k_big = float(np.polyfit(np.log(ns[big]), np.log(secs[big]), 1)[0])
        print(f"log-log fit over N >= 100,000: time ~ N^{k_big:.2f}")
    if len(ns) >= 2:
        slope = (mem[-1] - mem[0]) / (ns[-1] - ns[0]) * 1024
        print(f"memory: {mem[0]:,.0f} MB at {ns[0]:,.0f} articles, then {slope:.2f} KB per further article")
    compared = [r for r in results if "compare" in r]
    if compared:
        print(f"\nSame clusters with --jobs {args.compare_jobs}:")
        print_table(["articles", f"--jobs {args.compare_jobs} wall s", "CPU s", "load", "peak RSS MB",
                     "output identical"],
                    [[f"{r['n']:,}", f"{r['compare']['wall_s']:.1f}",
                      f"{r['compare']['cpu_s']:.1f}" if "cpu_s" in r["compare"] else "-",
                      "{:.1f}-{:.1f}".format(*r["compare"]["load"]) if "load" in r["compare"] else "-",
                      f"{r['compare']['peak_rss_mb']:,.0f}", "yes" if r["compare"]["identical"] else "NO"]
                     for r in compared])
        if not all(r["compare"]["identical"] for r in compared):
            raise SystemExit(1)
    if args.plot:
        plot(results, k_time, k_mem, args.jobs, Path(args.plot))


def plot(results: list[dict[str, Any]], k_time: float, k_mem: float, jobs: int, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ns = [r["n"] for r in results]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.loglog(ns, [r["wall_s"] for r in results], "o-", label=f"measured (slope {k_time:.2f})")
    ax1.loglog(ns, [results[-1]["wall_s"] * n / ns[-1] for n in ns], ":", color="grey",
               label="linear through the last point")
    ax1.axhline(300, color="red", lw=0.8, ls="--", label="5 min")
    ax1.set(xlabel="articles", ylabel="wall seconds", title=f"dedup scan --jobs {jobs}: time")
    ax2.loglog(ns, [r["peak_rss_mb"] for r in results], "o-", color="C1", label=f"measured (slope {k_mem:.2f})")
    ax2.axhline(4096, color="red", lw=0.8, ls="--", label="4 GB")
    ax2.set(xlabel="articles", ylabel="peak RSS MB (sum of processes)", title="memory")
    for ax in (ax1, ax2):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "_signatures":
        child_signatures(argv[1], Path(argv[2]), int(argv[3]) or None)
        return
    if argv and argv[0] == "_stages":
        child_stages(Path(argv[1]), Path(argv[2]))
        return
    if argv and argv[0] == "_pipeline":
        child_pipeline(argv[1], Path(argv[2]))
        return
    if argv and argv[0] == "_candidates":
        child_candidates(argv[1], Path(argv[2]), int(argv[3]), int(argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def corpus_args(p: argparse.ArgumentParser, default: str) -> None:
        p.add_argument("--corpus", choices=("reuters", "generated"), default=default)
        p.add_argument("--n", type=int, default=0, help="documents (reuters: first N bodies; generated: N articles)")
        p.add_argument("--seed", type=int, default=2024, help="seed of the generated corpus")
        p.add_argument("--reuters", type=Path, default=REUTERS, help="reuters21578.jsonl.gz")

    p = sub.add_parser("signatures", help="signature stage: dedup vs datasketch vs rensa vs the floor")
    corpus_args(p, "reuters")
    p.add_argument("--methods", type=lambda s: s.split(","), default=list(SIGNATURE_METHODS),
                   help=f"comma-separated, from {','.join(SIGNATURE_METHODS)}")
    p.add_argument("--naive-limit", type=int, default=1000,
                   help="documents for datasketch naive (about 70 docs/s; 0: all)")
    p.set_defaults(func=cmd_signatures)

    p = sub.add_parser("candidates", help="LSH candidates: numpy banding vs datasketch MinHashLSH")
    corpus_args(p, "reuters")
    p.add_argument("--bands", type=int, default=0, help="bands (default: the scan's default banding)")
    p.add_argument("--rows", type=int, default=0)
    p.set_defaults(func=cmd_candidates)

    p = sub.add_parser("end-to-end", help="whole processes on Reuters: rensa, datasketch and dedup scan")
    p.add_argument("--reuters", type=Path, default=REUTERS, help="reuters21578.jsonl.gz")
    p.add_argument("--repeat", type=int, default=3, help="interleaved runs of each; medians are shown")
    p.add_argument("--methods", type=lambda s: s.split(","), default=["rensa", "datasketch", "dedup", "dedup-j1"],
                   help="comma-separated, from rensa,datasketch,dedup,dedup-j1")
    p.set_defaults(func=cmd_end_to_end)

    p = sub.add_parser("stages", help="CPU seconds per stage of a Reuters scan, for one or more checkouts")
    p.add_argument("--reuters", type=Path, default=REUTERS, help="reuters21578.jsonl.gz")
    p.add_argument("--repeat", type=int, default=3, help="interleaved runs of each; medians are shown")
    p.add_argument("--roots", nargs="*", help="checkouts of dedup to compare (default: this one)")
    p.set_defaults(func=cmd_stages)

    p = sub.add_parser("corpus", help="generate corpora into --corpus-dir once, for scan and scaling to reuse")
    p.add_argument("--sizes", default="10000,30000,100000,300000,1000000")
    p.add_argument("--corpus-dir", required=True, help="folder for the generated .jsonl.gz files (kept)")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--reuters", type=Path, default=REUTERS)
    p.set_defaults(func=cmd_corpus)

    p = sub.add_parser("scan", help="whole `dedup scan` of a generated corpus: time, peak RSS, jobs agreement")
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--compare-jobs", type=int, default=0, help="also scan with this many jobs and compare clusters")
    p.add_argument("--compare-n", type=int, default=100_000, help="articles for the comparison run")
    p.add_argument("--repeat", type=int, default=1, help="interleaved repetitions of the runs")
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--reuters", type=Path, default=REUTERS)
    p.add_argument("--tmp", help="directory for the temporary corpus (default: the system's)")
    p.add_argument("--corpus-dir", help="reuse (or make and keep) the generated corpora in this folder")
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("scaling", help="time and peak RSS against N, log-log exponent, plot")
    p.add_argument("--sizes", default="10000,30000,100000,300000,1000000")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--reuters", type=Path, default=REUTERS)
    p.add_argument("--tmp", help="directory for the temporary corpora (default: the system's)")
    p.add_argument("--corpus-dir", help="reuse (or make and keep) the generated corpora in this folder")
    p.add_argument("--compare-jobs", type=int, default=0, help="also scan with this many jobs and compare clusters")
    p.add_argument("--compare-max", type=int, default=100_000, help="largest N for the comparison run")
    p.add_argument("--plot", help="write a PNG here")
    p.add_argument("--json", help="write the measurements here")
    p.add_argument("--from-json", help="print and plot measurements saved by --json instead of measuring")
    p.set_defaults(func=cmd_scaling)
    args = parser.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
