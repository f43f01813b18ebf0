"""How fast the scan report opens in a browser, on all of Reuters-21578.

Scans the collection, writes the report folder (``dedup scan --report``),
and opens pages in headless Chromium, timing each from start to a finished
screenshot (load, layout and paint of a 1400 x 1000 window). A blank page
is timed the same way and subtracted: what remains is the page's own cost.
Side by side in the same run:

* the overview (``index.html``);
* the largest cluster's page, and the largest page by size;
* every cluster page's content on one page with every diff open, as a
  single-page report would be (the peer).

Each time is the median of ``--runs`` runs. The script exits with 1 when
the overview or a cluster page takes longer than ``--limit`` seconds (2).

Example:
    python3 benchmarks/report_load.py
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = Path(os.environ.get("DEDUP_DATA", ROOT.parent / "shared" / "data"))


def open_time(chromium: str, page: Path, profile: Path, runs: int) -> float:
    """Median seconds for headless Chromium to load, lay out and paint ``page``."""
    times = []
    for k in range(runs):
        shot = profile / f"shot{k}.png"
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--window-size=1400,1000", f"--screenshot={shot}", page.as_uri()]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0 or not shot.exists():
            raise SystemExit(f"chromium failed on {page}: {done.stderr[-500:]}")
    return statistics.median(times)


def one_page(folder: Path, names: list[str]) -> str:
    """Every cluster page's content on one page, every diff open."""
    bodies = []
    head = ""
    for name in names:
        html = (folder / name).read_text(encoding="utf-8")
        start, end = html.index("<main>") + len("<main>"), html.index("</main>")
        head = html[:start]
        bodies.append(html[start:end].replace('<details class="member">', '<details class="member" open>'))
    return head + "".join(bodies) + "</main>\n</body>\n</html>\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument("--runs", type=int, default=3, help="runs per page (the median is shown)")
    parser.add_argument("--limit", type=float, default=2.0, help="seconds the overview and cluster pages may take")
    parser.add_argument("--skip-peer", action="store_true", help="leave out the single-page peer (slow)")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    reuters = args.data / "reuters21578" / "reuters21578.jsonl.gz"
    if not reuters.exists():
        raise SystemExit(f"{reuters} not found (--data DIR)")
    with tempfile.TemporaryDirectory(prefix="dedup-report-") as tmp:
        work = Path(tmp)
        out = work / "report"
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "dedup", "scan", str(reuters), "--report", str(out), "-f",
                               "json", "-q"], capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - t0
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        summary = json.loads(done.stdout)["summary"]
        pages = sorted(p.name for p in out.glob("cluster-*.html"))
        sizes = {p: (out / p).stat().st_size for p in pages}
        total = sum(p.stat().st_size for p in out.iterdir())
        print(f"Reuters-21578: {summary['documents']:,} documents, {summary['clusters']:,} clusters, "
              f"{summary['duplicates']:,} duplicates; scan with --report: {seconds:.1f} s; report folder: "
              f"{len(pages) + 1:,} pages, {total / 1e6:.1f} MB")
        clusters = {c["cluster"]: c["size"] for c in json.loads(subprocess.run(
            [sys.executable, "-m", "dedup", "scan", str(reuters), "-f", "json", "-q"], capture_output=True,
            text=True, cwd=ROOT).stdout)["clusters"]}
        biggest = max(clusters, key=lambda i: (clusters[i], -i))
        heaviest = max(pages, key=lambda p: sizes[p])
        rows = [("blank page", work / "blank.html", ""),
                ("overview (index.html)", out / "index.html", "limit"),
                (f"largest cluster ({clusters[biggest]} documents)", out / f"cluster-{biggest}.html", "limit"),
                (f"largest page ({heaviest})", out / heaviest, "limit")]
        (work / "blank.html").write_text("<!DOCTYPE html><title>blank</title><p>blank</p>", encoding="utf-8")
        if not args.skip_peer:
            (work / "one-page.html").write_text(one_page(out, pages), encoding="utf-8")
            rows.append(("peer: all clusters on one page, open", work / "one-page.html", ""))
        profile = work / "profile"
        profile.mkdir()
        open_time(chromium, work / "blank.html", profile, 1)  # first start creates the profile
        results = []
        for label, page, limit in rows:
            results.append((label, page.stat().st_size, open_time(chromium, page, profile, args.runs), limit))
        blank = results[0][2]
        print(f"{'page':<48} {'bytes':>12} {'seconds':>8} {'minus blank':>12}")
        failed = False
        for label, size, secs, limit in results:
            own = secs - blank
            flag = ""
            if limit and own > args.limit:
                flag = f"  over {args.limit} s"
                failed = True
            print(f"{label:<48} {size:>12,} {secs:>8.2f} {own:>12.2f}{flag}")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
