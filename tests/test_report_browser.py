"""The scan report in a real browser (headless Chromium): the overview and
the cluster pages load with no console messages, link to each other, show
each diff older -> newer with the first one open, and show an article's
own markup as text. Also on all of Reuters-21578, where the overview must
list every cluster. (Load times and sizes are measured by
benchmarks/report_load.py.) Skipped when Chromium is not installed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import cli

from conftest import REUTERS, SEED_PAIR, SEEDS, need
from test_diff_browser import CHROMIUM, INJECTED, dump

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

A, B = SEED_PAIR


def report(tmp_path: Path, *sources: object, args: tuple[str, ...] = ()) -> tuple[Path, dict]:
    out = tmp_path / "report"
    r = CliRunner().invoke(cli, ["scan", *map(str, sources), "--report", str(out), "-f", "json", "-q", *args])
    assert r.exit_code == 0, r.output
    return out, json.loads(r.stdout)


def test_seed_report_pages_in_the_browser(tmp_path: Path) -> None:
    out, _ = report(tmp_path, SEEDS)
    dom, console = dump(tmp_path, out / "index.html")
    assert console == []
    assert "<title>dedup scan report (1 cluster)</title>" in dom
    assert "5 documents from 5 files: <b>1</b> cluster of near-duplicates, <b>1</b> duplicate to drop." in dom
    assert dom.count('aria-label="jaccard histogram"') == 1 and dom.count('aria-label="containment histogram"') == 1
    assert re.findall(r'<a href="(cluster-\d+\.html)">', dom) == ["cluster-0.html"]
    page, console = dump(tmp_path, out / "cluster-0.html")
    assert console == []
    assert '<a href="index.html#c0">↑ overview</a>' in page
    assert '<td class="d">keep</td>' in page and '<td class="d">dup</td>' in page  # never wrapped as "kee / p"
    # One diff, open, older (000) -> newer (001) though the copy kept is 001.
    assert page.count('<details class="member" open="">') == 1
    assert f"{A} → {B}" in page and f"<th>{A} (older)</th>" in page
    assert "<ins>Permanente</ins>" in page and "<del>will hold</del>" in page
    # Unchanged sentences away from any change are folded into one line.
    assert re.search(r'<tr class="gap"><td colspan="5">⋯ \d+ unchanged sentences?</td></tr>', page)


def test_titles_and_text_with_markup_stay_text(tmp_path: Path) -> None:
    old = (SEEDS / A).read_text(encoding="utf-8")
    new = (SEEDS / B).read_text(encoding="utf-8")
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "old", "title": f"Strike {INJECTED}", "text": old}) + "\n" +
                    json.dumps({"id": "new", "title": "Strike <img src=x onerror=alert(1)>",
                                "text": new + f" {INJECTED}"}) + "\n", encoding="utf-8")
    out, _ = report(tmp_path, feed)
    for name in ("index.html", "cluster-0.html"):
        dom, console = dump(tmp_path, out / name)
        assert console == []
        assert 'data-pwned="yes"' not in dom and "<img" not in dom
        assert "PWNED" not in re.search(r"<title>(.*?)</title>", dom, re.S).group(1)  # type: ignore[union-attr]
    assert "Strike &lt;img src=x onerror=alert(1)&gt;" in dom
    assert "&lt;script&gt;document.title" in dom


def test_reuters_report_lists_every_cluster(tmp_path: Path) -> None:
    out, body = report(tmp_path, need(REUTERS))
    clusters = body["clusters"]
    dom, console = dump(tmp_path, out / "index.html")
    assert console == []
    links = re.findall(r'<a href="cluster-(\d+)\.html">', dom)
    # Every cluster once, largest first.
    assert sorted(map(int, links)) == [c["cluster"] for c in clusters]
    sizes = {c["cluster"]: c["size"] for c in clusters}
    assert [sizes[int(i)] for i in links] == sorted(sizes.values(), reverse=True)
    assert sorted(p.name for p in out.iterdir()) == sorted([".dedup-report", "index.html"] +
                                                           [f"cluster-{c['cluster']}.html" for c in clusters])
    biggest = max(clusters, key=lambda c: (c["size"], -c["cluster"]))
    page, console = dump(tmp_path, out / f"cluster-{biggest['cluster']}.html")
    assert console == []
    assert page.count('<details class="member"') == biggest["size"] - 1
    assert page.count('<details class="member" open="">') == 1
    assert page.count('<tr class="keep">') == 1 and page.count('<tr class="dup">') == biggest["size"] - 1
