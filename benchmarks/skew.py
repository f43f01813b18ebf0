"""Template-heavy input: Reuters-21578 alone against Reuters plus reports from
one template, whole scans side by side, with the candidate pairs per document.

    python3 benchmarks/skew.py --reports 1000,3000,10000 --off-max 3000

Each scan runs in its own process (time, CPU and peak RSS of that process,
``--jobs 1``). The reports are ``labelled_sets.dividend_reports``: dividend
notices from one template with made-up companies and figures, no two the same
report, so every candidate pair among them is work that verification rejects.
Each count of reports is scanned with the defaults and, up to ``--off-max``
reports, with ``--max-bucket 0`` (heavy LSH buckets never split), to show
what splitting them saves and that candidates per report stay bounded as the
reports grow.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402

from corpus import REUTERS  # noqa: E402
from speed import print_table, run_measured  # noqa: E402


def child(reuters: Path, reports: int, max_bucket: int, out: Path) -> None:
    import dedup.pipeline as pipeline
    from dedup import ReadOptions, ScanConfig, read_documents
    from labelled_sets import dividend_reports

    seen: list[np.ndarray] = []
    find = pipeline.scan_candidate_pairs  # what the scan calls for its candidate pairs

    def recording(*args: Any, **kwargs: Any) -> np.ndarray:
        pairs = find(*args, **kwargs)
        seen.append(pairs)
        return pairs

    pipeline.scan_candidate_pairs = recording  # type: ignore[assignment]
    docs = list(read_documents([str(reuters)], ReadOptions()))
    n_reuters = len(docs)
    docs += dividend_reports(reports)
    result = pipeline.scan_documents(docs, ScanConfig(jobs=1, max_bucket=max_bucket))
    per_doc = np.bincount(seen[0].ravel(), minlength=len(docs)) if len(seen[0]) else np.zeros(len(docs), int)
    tail = per_doc[n_reuters:] if reports else per_doc
    out.write_text(json.dumps({
        "docs": len(docs), "candidates": int(result.candidates), "pairs": len(result.pairs),
        "clusters": len(result.clusters), "max_per_doc": int(per_doc.max()), "mean_per_doc": float(per_doc.mean()),
        "mean_per_report": float(tail.mean()) if reports else None, "seconds": result.seconds}))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        child(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", default="1000", help="counts of reports, comma-separated")
    parser.add_argument("--off-max", type=int, default=1000,
                        help="also scan with --max-bucket 0 up to this many reports")
    parser.add_argument("--reuters", type=Path, default=REUTERS)
    args = parser.parse_args()
    if not args.reuters.exists():
        raise SystemExit(f"error: {args.reuters} not found (the shared Reuters-21578 data; pass --reuters PATH)")
    rows, load = [], [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="dedup-skew-") as tmp:
        from dedup import ScanConfig

        runs = [("Reuters", 0, ScanConfig.max_bucket)]
        for n in (int(x) for x in args.reports.split(",")):
            runs.append((f"Reuters + {n:,} one-template reports", n, ScanConfig.max_bucket))
            if n <= args.off_max:
                runs.append((f"Reuters + {n:,} one-template reports, --max-bucket 0", n, 0))
        for label, n, max_bucket in runs:
            out = Path(tmp) / "child.json"
            r = run_measured([sys.executable, str(Path(__file__).resolve()), "_child", str(args.reuters), str(n),
                              str(max_bucket), str(out)])
            load.append(os.getloadavg()[0])
            c = json.loads(out.read_text())
            verify_s = c["seconds"]["verify"]
            rows.append([label, f"{c['docs']:,}", f"{r['wall_s']:.1f}", f"{r['cpu_s']:.1f}", f"{r['peak_rss_mb']:.0f}",
                         f"{c['candidates']:,}", f"{c['mean_per_doc']:.2f}", f"{c['max_per_doc']:,}",
                         "-" if c["mean_per_report"] is None else f"{c['mean_per_report']:.1f}",
                         f"{verify_s:.1f}", f"{c['pairs']:,}"])
    print(f"whole scans, --jobs 1, one process each; {os.cpu_count()} cores, load average "
          f"{min(load):.1f}-{max(load):.1f}\n")
    print_table(["input", "docs", "wall s", "CPU s", "peak RSS MB", "candidate pairs", "per doc (mean)",
                 "per doc (max)", "per report (mean)", "verify s", "pairs"], rows)


if __name__ == "__main__":
    main()
