"""Long articles: time and peak memory of whole commands on a few documents of
many megabytes each, in every input shape that holds them.

    python3 benchmarks/long_documents.py --docs 20 --mb 10

The documents are Reuters-21578 words drawn at random (reproducibly) until
each holds ``--mb`` MB of text; a third of them are copies of others with
their last thousand characters cut, so the scans have clusters to find. They
are written as gzipped text files, as one JSON lines file and, with pyarrow,
as one Parquet file, and each is scanned with ``--jobs 1`` and ``--jobs 2``
and added to a new index. ``peak RSS`` is the sum over the command's
processes of each one's peak (see ``speed.run_measured``). The outputs of
the two ``--jobs`` settings must be the same (the script stops if not).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import REUTERS  # noqa: E402
from speed import print_table, run_measured  # noqa: E402


def long_texts(reuters: Path, docs: int, mb: float, seed: int) -> list[str]:
    with gzip.open(reuters, "rt", encoding="utf-8") as f:
        vocab = " ".join(json.loads(line).get("body") or "" for line in f).split()
    size = int(mb * 1e6)
    originals = []
    for k in range(docs - docs // 3):
        rnd = random.Random(seed * 1000 + k)
        words = rnd.choices(vocab, k=size // 6)
        originals.append(" ".join(words)[:size])
    return originals + [t[:-1000] for t in originals[: docs // 3]]


def write_inputs(texts: list[str], folder: Path) -> dict[str, Path]:
    files = folder / "files"
    files.mkdir()
    for k, text in enumerate(texts):
        with gzip.open(files / f"doc{k:03d}.txt.gz", "wt", encoding="utf-8", compresslevel=1) as f:
            f.write(text)
    inputs = {"text files (.txt.gz)": files}
    jsonl = folder / "docs.jsonl"
    with jsonl.open("w", encoding="utf-8") as f:
        for k, text in enumerate(texts):
            f.write(json.dumps({"id": f"doc{k:03d}", "text": text}) + "\n")
    inputs["JSON lines"] = jsonl
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        print("pyarrow is not installed: no Parquet input", file=sys.stderr)
        return inputs
    parquet = folder / "docs.parquet"
    pq.write_table(pa.table({"id": [f"doc{k:03d}" for k in range(len(texts))], "text": texts}), parquet)
    inputs["Parquet"] = parquet
    return inputs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=20)
    ap.add_argument("--mb", type=float, default=10.0, help="MB of text a document")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--reuters", type=Path, default=REUTERS)
    args = ap.parse_args()
    dedup = [sys.executable, "-m", "dedup"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        texts = long_texts(args.reuters, args.docs, args.mb, args.seed)
        inputs = write_inputs(texts, folder)
        total_mb = sum(map(len, texts)) / 1e6
        del texts
        for shape, path in inputs.items():
            digests = set()
            for jobs in (1, 2):
                out = folder / f"out{jobs}.jsonl"
                r = run_measured(dedup + ["scan", str(path), "--jobs", str(jobs), "-f", "jsonl", "-q", "-o", str(out)])
                digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
                clusters = sum(1 for _ in out.open())
                rows.append([shape, f"scan --jobs {jobs}", f"{r['wall_s']:.1f}", f"{r['cpu_s']:.1f}",
                             f"{r['peak_rss_mb']:,.0f}", str(clusters)])
            if len(digests) != 1:
                raise SystemExit(f"{shape}: --jobs 1 and --jobs 2 found different clusters")
            db = folder / "index.db"
            r = run_measured(dedup + ["index", "add", str(db), str(path), "-q"], stdout=open(os.devnull, "w"))
            rows.append([shape, "index add", f"{r['wall_s']:.1f}", f"{r['cpu_s']:.1f}", f"{r['peak_rss_mb']:,.0f}",
                         ""])
            for suffix in ("", "-wal", "-shm"):
                Path(str(db) + suffix).unlink(missing_ok=True)
    print(f"\n{args.docs} documents of {args.mb:g} MB ({total_mb:,.0f} MB of text), whole commands; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end\n")
    print_table(["input", "command", "wall s", "CPU s", "peak RSS MB", "clusters"], rows)


if __name__ == "__main__":
    main()
