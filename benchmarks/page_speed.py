"""Extraction throughput on saved web pages: dedup against trafilatura alone, side by side.

The pages are the two saved-pages sets of saved_pages.py (1,178 pages of
real Reuters text in six site templates), written to a temporary folder.
Every row reads the same files, each in a fresh child process:

* trafilatura alone: ``trafilatura.bare_extraction(page, with_metadata=True,
  include_comments=False, date_extraction_params=dedup.extract.DATE_PARAMS)``
  (the call dedup makes) on each file, in one process and in ``--jobs``
  processes (``multiprocessing.Pool.imap``, chunks of 16 pages).
* dedup extraction: ``read_documents`` with deferred pages, then
  ``dedup.pages.prepare_pages`` over ``--jobs`` workers (extraction, page
  blocks, link and date lines, per-site template removal).
* dedup scan: ``dedup.scan(folder, jobs=--jobs)``: the above plus
  shingles, signatures, candidates, verification and clusters.
* the command line: ``python -m dedup scan -j JOBS -q -f json FOLDER``,
  interpreter start included.

Pages per second are by wall time, best of ``--repeat`` runs (the methods
interleaved); CPU is user + system seconds of the process and its workers
per 1,000 pages (the median run). trafilatura and dedup are imported before
the clock starts, except in the command-line row. Usage:

    python benchmarks/page_speed.py --jobs 2 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

METHODS = ("trafilatura-1", "trafilatura-j", "dedup-extract", "dedup-scan", "dedup-cli")


def _cpu() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.html"))


def _traf_one(path: str) -> int:
    import trafilatura

    from dedup.extract import DATE_PARAMS

    page = Path(path).read_bytes().decode("utf-8")
    found = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False,
                                        date_extraction_params=DATE_PARAMS)
    return len(found.text or "") if found is not None else 0


def measure(method: str, folder: Path, jobs: int) -> dict[str, float]:
    """Run one method on the folder in this process; wall and CPU seconds, pages and characters."""
    files = [str(p) for p in _files(folder)]
    if method != "dedup-cli":
        # Libraries are loaded before the clock starts (workers fork with them): the rows compare
        # extraction, not imports; the command-line row shows the whole cost, start-up included.
        import trafilatura  # noqa: F401

        import dedup  # noqa: F401
        import dedup.pages  # noqa: F401
    t0, c0 = time.perf_counter(), _cpu()
    chars = 0
    if method == "trafilatura-1":
        chars = sum(_traf_one(f) for f in files)
    elif method == "trafilatura-j":
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            chars = sum(pool.imap(_traf_one, files, chunksize=16))
    elif method == "dedup-extract":
        from dedup.io import ReadOptions, read_documents
        from dedup.pages import prepare_pages

        opts = ReadOptions(defer_html=True)
        chars = sum(len(d.text) for d in prepare_pages(read_documents([folder], opts), jobs, opts.skipped))
    elif method == "dedup-scan":
        import dedup

        result = dedup.scan([folder], jobs=jobs)
        chars = sum(d.words for d in result.documents)
    elif method == "dedup-cli":
        out = subprocess.run([sys.executable, "-m", "dedup", "scan", "-j", str(jobs), "-q", "-f", "json",
                              str(folder)], cwd=ROOT, check=True, capture_output=True)
        chars = len(out.stdout)
    else:
        raise ValueError(method)
    return {"wall": time.perf_counter() - t0, "cpu": _cpu() - c0, "pages": len(files), "chars": chars}


def run_child(method: str, folder: Path, jobs: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", method, "--folder", str(folder), "--jobs", str(jobs)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


LABELS = {
    "trafilatura-1": "trafilatura.bare_extraction, 1 process",
    "trafilatura-j": "trafilatura.bare_extraction, {j} processes",
    "dedup-extract": "dedup extraction + template stage, -j {j}",
    "dedup-scan": "dedup.scan (whole scan), -j {j}",
    "dedup-cli": "python -m dedup scan -j {j} (with start-up)",
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes [default: %(default)s]")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each method [default: %(default)s]")
    parser.add_argument("--seed", type=int, default=11, help="seed of the saved-pages sets [default: %(default)s]")
    parser.add_argument("--data", type=Path, default=None, help="shared data folder")
    parser.add_argument("--child", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(measure(args.child, args.folder, args.jobs)))
        return 0

    from labelled_sets import DEFAULT_DATA, load_reuters
    from saved_pages import build

    reuters = (args.data or DEFAULT_DATA) / "reuters21578" / "reuters21578.jsonl.gz"
    if not reuters.exists():
        print(f"error: {reuters} not found (give the shared data folder with --data)", file=sys.stderr)
        return 1
    records = load_reuters(reuters)
    with tempfile.TemporaryDirectory(prefix="dedup-page-speed-") as tmp:
        folder = Path(tmp)
        for layout in ("mixed", "small"):
            build(records, args.seed, layout).write(folder / layout)
        pages = len(_files(folder))
        size = sum(p.stat().st_size for p in _files(folder))
        print(f"{pages} saved pages ({size / pages / 1024:.1f} KiB a page), {os.cpu_count()} CPUs, "
              f"best of {args.repeat} runs")
        runs: dict[str, list[dict[str, float]]] = {m: [] for m in METHODS}
        for _ in range(args.repeat):  # interleaved, so load on the machine falls on every method alike
            for m in METHODS:
                runs[m].append(run_child(m, folder, args.jobs))
    base = max(pages / r["wall"] for r in runs["trafilatura-j"])
    print(f"{'method':<48} {'pages/s':>8} {'vs traf -j':>10} {'CPU s/1000 pages':>17}")
    for m in METHODS:
        rate = max(pages / r["wall"] for r in runs[m])
        cpu = statistics.median(r["cpu"] for r in runs[m]) / pages * 1000
        print(f"{LABELS[m].format(j=args.jobs):<48} {rate:>8.1f} {rate / base:>10.2f} {cpu:>17.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
