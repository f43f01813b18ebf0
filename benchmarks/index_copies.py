"""Queries against an index that holds many copies of one article.

    python3 benchmarks/index_copies.py --copies 5000 --queries 200
    python3 benchmarks/index_copies.py --checkouts /path/to/older/checkout,.   # side by side

An archive that took in one wire story thousands of times (syndication,
a feed read again and again under new ids) answers a query for that story
with every copy. The index is made of ``--copies`` copies of the seed
article ``000_...`` under ids ``copy0``, ``copy1``, ...; the queries are
``--queries`` more copies under new ids, so each matches every indexed
copy. ``dedup index query -f jsonl`` then runs in a process of its own per
checkout (``PYTHONPATH`` pointing at it): wall and CPU time, peak RSS, and
the output's size and digest, which must agree between checkouts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from speed import print_table, run_measured  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--copies", type=int, default=5000, help="copies of the article in the index")
    ap.add_argument("--queries", type=int, default=200, help="copies queried (each matches every indexed one)")
    ap.add_argument("--checkouts", default=str(ROOT), help="comma-separated dedup checkouts to run (default: this one)")
    args = ap.parse_args()
    text = next(p for p in sorted((ROOT / "seeds").glob("000_*.txt"))).read_text(encoding="utf-8")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with open(folder / "copies.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps({"id": f"copy{k}", "text": text}) + "\n" for k in range(args.copies))
        with open(folder / "queries.jsonl", "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps({"id": f"asked{k}", "text": text}) + "\n" for k in range(args.queries))
        digests = set()
        os.chdir(folder)  # python -m puts the working folder first on the path: not a checkout
        for n, checkout in enumerate(Path(c).resolve() for c in args.checkouts.split(",")):
            env = {"PYTHONPATH": str(checkout)}
            db, out = folder / f"index{n}.db", folder / f"out{n}.jsonl"
            # Names relative to the folder: the matches' sources, and so the output, are the same every run.
            add = run_measured([sys.executable, "-m", "dedup", "index", "add", db.name, "copies.jsonl", "-q"],
                               env=env, stdout=subprocess.DEVNULL)
            got = run_measured([sys.executable, "-m", "dedup", "index", "query", db.name, "queries.jsonl", "-f",
                                "jsonl", "-q", "-o", out.name], env=env)
            data = out.read_bytes()
            lines = data.count(b"\n")
            digests.add(hashlib.sha256(data).hexdigest()[:16])
            rows.append([str(checkout), f"{args.copies:,}", f"{args.queries:,}", f"{add['wall_s']:.1f}",
                         f"{got['wall_s']:.1f}", f"{got['cpu_s']:.1f}", f"{got['peak_rss_mb']:,.0f}",
                         f"{lines:,}", f"{len(data) / 1e6:,.0f}", hashlib.sha256(data).hexdigest()[:16]])
            os.unlink(out)
    print_table(["checkout", "indexed copies", "queries", "index add s", "query wall s", "query CPU s",
                 "query peak RSS MB", "output lines", "output MB", "output sha256"], rows)
    if len(digests) > 1:
        raise SystemExit("error: the checkouts' outputs differ")


if __name__ == "__main__":
    main()
