"""The local scan against the Spark engine on local[2], side by side, and their outputs compared byte for byte.

Each row runs in its own child process; peak memory is the largest sum of
the resident memory of its whole process tree (for Spark: the Python
driver, the JVM holding driver and executors, the Python workers), sampled
every 0.2 s. The local scan's seconds include starting Python; Spark's
exclude starting the session (about 9 s) and count from reading to the
collected output lines.

    python3 benchmarks/spark.py reuters                 # all of Reuters-21578: time, memory, shuffle, equality
    python3 benchmarks/spark.py reuters --n 2000        # the first 2,000 stories
    python3 benchmarks/spark.py skew                    # Reuters plus 1,000 reports from one template

``reuters`` compares ``dedup scan --format jsonl`` (defaults, ``--pairs`` and
``--short-words 0``) with ``dedup spark scan`` and prints one row per run:
wall seconds, peak RSS, shuffle bytes written per document (from Spark's
status store) and whether the concatenated part files equal the local
output. ``skew`` adds 1,000 dividend reports from one template
(:func:`labelled_sets.dividend_reports`), which put hundreds of documents in
some band buckets, and first prints the largest bucket and group of the
shingle LSH with and without the split of buckets beyond ``--max-bucket``
(:func:`dedup.candidates.split_heavy`), and its candidates; the Spark engine
splits them alike, and cuts every bucket or group into blocks of 256 a side,
so no task enumerates more than 65,536 pairs
(:func:`dedup.candidates.bucket_blocks`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REUTERS = ROOT.parent / "shared" / "data" / "reuters21578" / "reuters21578.jsonl.gz"
RUNS = {"defaults": [], "pairs": ["--pairs"], "short-words 0": ["--short-words", "0"]}


def tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(c for c, p in parent.items() if p == pid)
    return total


def run_measured(cmd: list[str]) -> tuple[bytes, bytes, float]:
    """Run a command; its output and the peak of the summed RSS of its process tree (MiB), sampled every 0.2 s."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=str(ROOT))
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.2)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode:
        sys.exit(stderr.decode()[-3000:])
    return stdout, stderr, peak / 2**20


def run_local(src: str, args: list[str]) -> tuple[float, float, bytes]:
    t = time.perf_counter()
    out, _, peak = run_measured([sys.executable, "-m", "dedup", "scan", src, "--format", "jsonl", "-q",
                                 "-j", "2", *args])
    return time.perf_counter() - t, peak, out


SPARK_CHILD = r'''
import glob, json, os, resource, sys, time
sys.path.insert(0, {root!r})
from dedup.pipeline import ScanConfig
from dedup.spark import scan_documents_frame
from dedup.spark_io import quiet_session, read_inputs
logs = {logs!r}
spark = quiet_session("local[2]", partitions=8, conf={{"spark.eventLog.enabled": "true", "spark.eventLog.dir": logs, "spark.eventLog.compress": "false", "spark.eventLog.rolling.enabled": "false"}})
args = {args!r}
config = ScanConfig(short_words=0) if "--short-words" in args else ScanConfig()
t = time.perf_counter()
docs = read_inputs(spark, [{src!r}])
result = scan_documents_frame(docs, config)
lines = result.jsonl(pairs="--pairs" in args).collect()
secs = time.perf_counter() - t
n = docs.count()
spark.stop()
# Shuffle bytes written, summed over every task of the job, from Spark's event log.
shuffle = 0
by_stage, names = {{}}, {{}}
for path in glob.glob(os.path.join(logs, "**", "*"), recursive=True):
    if os.path.isdir(path):
        continue
    with open(path, encoding="utf-8") as f:
        for line in f:
            if '"SparkListenerStageSubmitted"' in line:
                info = json.loads(line)["Stage Info"]
                names[info["Stage ID"]] = info["Stage Name"]
            if '"SparkListenerTaskEnd"' in line:
                event = json.loads(line)
                metrics = event.get("Task Metrics") or {{}}
                written = (metrics.get("Shuffle Write Metrics") or {{}}).get("Shuffle Bytes Written", 0)
                shuffle += written
                by_stage[event["Stage ID"]] = by_stage.get(event["Stage ID"], 0) + written
for stage, written in sorted(by_stage.items()):
    if written:
        sys.stderr.write(f"\nSTAGE {{stage}} {{written / n:.0f}} B/doc {{names.get(stage, '?')}}")
sys.stdout.write("".join(line + "\n" for line in lines))
sys.stderr.write(f"\nRESULT {{secs}} {{shuffle}} {{n}}")
'''


STAGES = False


def run_spark(src: str, args: list[str]) -> tuple[float, float, float, bytes]:
    with tempfile.TemporaryDirectory() as logs:
        code = SPARK_CHILD.format(root=str(ROOT), args=args, src=src, logs=logs)
        out, err, peak = run_measured([sys.executable, "-c", code])
    text = err.decode()
    if STAGES:
        for line in text.splitlines():
            if line.startswith("STAGE "):
                print("  shuffle write, stage" + line[5:], flush=True)
    secs, shuffle, n = text.rsplit("RESULT", 1)[1].split()
    return float(secs), peak, int(shuffle) / max(int(n), 1), out


def table(rows: list[list[str]]) -> None:
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)), flush=True)


def reuters(n: int, runs: list[str], extra: list[dict] = ()) -> None:  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        src = str(REUTERS)
        if n or extra:
            src = os.path.join(tmp, "input.jsonl")
            with gzip.open(REUTERS, "rt", encoding="utf-8") as f, open(src, "w", encoding="utf-8") as out:
                for k, line in enumerate(f):
                    if n and k >= n:
                        break
                    out.write(line)
                for rec in extra:
                    out.write(json.dumps(rec) + "\n")
        rows = [["run", "engine", "seconds", "peak MiB", "shuffle B/doc", "lines", "byte-identical"]]
        for name in runs:
            secs, peak, local = run_local(src, RUNS[name])
            rows.append([name, "dedup scan -j 2", f"{secs:.1f}", f"{peak:.0f}", "-", str(local.count(b"\n")), ""])
            s_secs, s_peak, shuffle, got = run_spark(src, RUNS[name])
            rows.append([name, "spark local[2]", f"{s_secs:.1f}", f"{s_peak:.0f}", f"{shuffle:.0f}",
                         str(got.count(b"\n")), "yes" if got == local else "NO"])
            table(rows[-2:] if len(rows) > 3 else rows)
        print()
        table(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["reuters", "skew"])
    ap.add_argument("--n", type=int, default=0, help="first N Reuters stories (0: all)")
    ap.add_argument("--runs", default=",".join(RUNS), help="comma-separated: " + ", ".join(RUNS))
    ap.add_argument("--stages", action="store_true", help="also print the shuffle bytes per document of each stage")
    a = ap.parse_args()
    global STAGES
    STAGES = a.stages
    if not REUTERS.exists():
        sys.exit(f"{REUTERS} is not present")
    runs = [r.strip() for r in a.runs.split(",") if r.strip()]
    if a.what == "reuters":
        reuters(a.n, runs)
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from labelled_sets import dividend_reports  # type: ignore[import-not-found]

        reports = dividend_reports(1000)
        extra = [{"id": d.id, "text": d.text} for d in reports]
        bucket_sizes(a.n, reports)
        reuters(a.n, runs, extra)


def bucket_sizes(n: int, extra: list) -> None:
    """Print the shingle LSH's largest bucket and group with and without the heavy-bucket split, and its
    candidates (the local ``candidate_pairs``, which the Spark engine's candidates equal)."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from dedup.candidates import band_groups, candidate_pairs
    from dedup.io import read_documents
    from dedup.pipeline import BATCH, ScanConfig, hash_batch
    from dedup.signature import MinHasher

    docs = list(read_documents([str(REUTERS)]))
    docs = (docs[:n] if n else docs) + list(extra)
    config = ScanConfig()
    bands, rows = config.banding
    hasher = MinHasher(config.num_perm, config.seed)
    sigs = np.concatenate([hash_batch([d.text for d in docs[k:k + BATCH]], config, hasher).signatures
                           for k in range(0, len(docs), BATCH)])
    rows_out = [["max_bucket", f"buckets over {config.max_bucket}", "largest group", "candidates"]]
    for limit in (0, config.max_bucket):
        whole = [np.bincount(band_groups(sigs, b, rows, 0)) for b in range(bands)]
        parts = [np.bincount(band_groups(sigs, b, rows, limit)) for b in range(bands)]
        rows_out.append([str(limit), str(sum(int((w > config.max_bucket).sum()) for w in whole)),
                         str(max(int(p.max()) for p in parts)), f"{len(candidate_pairs(sigs, bands, rows, limit)):,}"])
    table(rows_out)
    print()


if __name__ == "__main__":
    main()
