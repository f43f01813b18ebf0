"""Runs of band entries: merged by level as adds accumulate them, compacted into one, vacuumed; what the
progress bar says meanwhile."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dedup import Document, Index, read_documents

from conftest import REUTERS
from index_support import BANDS, run_cli, runs, tables


def test_runs_are_merged_by_level_as_adds_accumulate_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of 32 documents, merged four at a time: adding 1,500 documents in batches of 40 leaves a
    few runs of rising levels instead of 47 segment runs, every entry still there once, and queries,
    removals and later adds give what an index that never merges gives."""
    from itertools import islice

    from conftest import need
    from dedup import index_store
    from dedup.index_store import merge_plan, run_level

    monkeypatch.setattr(index_store, "SEGMENT_BITS", 5)
    docs = list(islice(read_documents([need(REUTERS)]), 1700))
    first, later = docs[:1500], docs[1500:1600]
    probe = docs[1600:] + [Document(f"copy-{d.id}", d.text) for d in docs[:1600:20]]
    gone = [d.id for d in first[::45]]

    results = {}
    for name, fanout in (("never merged", 10_000), ("merged", 4)):
        monkeypatch.setattr(index_store, "MERGE_FANOUT", fanout)
        db = tmp_path / f"{fanout}.db"
        merges: list[tuple[int, int]] = []
        with Index(db, batch_size=40) as index:
            assert len(list(index.iter_add(first, on_merge=lambda level, n: merges.append((level, n))))) == 1500
            found = runs(db)
            if name == "merged":
                # 1,500 documents numbered from 1: segments 0-46, 46 the one still filling. Four or more
                # complete segments make a level-1 run (a batch can complete the fifth before the check);
                # four level-1 runs make a level-2 run.
                levels = sorted(run_level(r) for r in found)
                assert levels == [0, 0, 1, 2, 2], found
                assert found[-2:] == [45, 46]
                assert merge_plan(found, 1501 >> 5, 4) == (0, [])  # nothing left to merge
                # Each merge was announced: level 0 four or five runs at a time, level 1 four at a time.
                assert {level for level, _ in merges} == {0, 1}
                assert all(n in (4, 5) if level == 0 else n == 4 for level, n in merges), merges
                assert sum(n for level, n in merges if level == 0) == 45  # segments 0-44 went into merges
                assert [n for level, n in merges if level == 1] == [4, 4]
            else:
                assert merges == [] and found == list(range(47))
            before = index.query(probe)
            assert index.remove(gone) == gone
            index.add(later)
            results[name] = (before, index.query(probe), index.query(first[:200]))
        docs_rows, band_rows = tables(db)
        assert len(docs_rows) == 1600 - len(gone) and len(band_rows) == BANDS * len(docs_rows)
        assert len({(k, d) for _, k, d in band_rows}) == len(band_rows)  # no entry twice
    assert results["merged"] == results["never merged"]
    assert sum(len(r.matches) for r in results["merged"][1]) >= 50
    # A file compacted before merging by level has one run -1 (here: segments 0-9 renumbered so), which
    # merging takes as level 1 and never collides with.
    db = tmp_path / "legacy.db"
    monkeypatch.setattr(index_store, "MERGE_FANOUT", 10_000)
    with Index(db, batch_size=40) as index:
        index.add(first)
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE bands SET seg = -1 WHERE seg BETWEEN 0 AND 9")
    con.close()
    with Index(db, batch_size=40) as index:
        assert index.query(probe) == results["never merged"][0]
        # Segments 10-45 (documents 320-1471) become a level-1 run, which with run -1 (documents 1-319)
        # becomes a level-2 run; segment 46 is still filling.
        assert index._store.merge_runs(2) == (1152 + 1471) * BANDS
        assert [run_level(r) for r in runs(db)] == [2, 0]
        assert index.query(probe) == results["never merged"][0]

def test_compacting_merges_the_runs_and_changes_no_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Small segments (128 documents) so that an add of 1,500 makes many runs; compacting leaves one, and
    queries, later adds and removals give what an index never compacted gives."""
    from itertools import islice

    from conftest import need
    from dedup import index_store

    monkeypatch.setattr(index_store, "SEGMENT_BITS", 7)
    monkeypatch.setattr(index_store, "MERGE_FANOUT", 1000)  # no merging as runs accumulate: compact() alone
    top = -(1 << 60)  # compact()'s runs: -(2**20 << 40) - serial
    docs = list(islice(read_documents([need(REUTERS)]), 1800))
    first, later = docs[:1200], docs[1200:1500]
    # Unseen articles, and copies of indexed ones under other ids (some of which are removed below).
    probe = docs[1500:] + [Document(f"copy-{d.id}", d.text) for d in docs[:1500:25]]
    gone = [d.id for d in first[::50]] + [d.id for d in later[::40]]

    results = {}
    for name in ("plain", "compacted"):
        db = tmp_path / f"{name}.db"
        with Index(db, batch_size=100) as index:
            index.add(first)
            assert runs(db) == list(range(10))  # 1,200 documents numbered from 1: segments 0-9
            before = index.query(probe)
            if name == "compacted":
                assert index.compact() == (10, 1200 * BANDS)
                assert runs(db) == [top - 1]
                assert index.query(probe) == before
                assert index.compact() == (1, 0)
            index.add(later)
            if name == "compacted":
                assert runs(db) == [top - 1, 9, 10, 11]  # the compacted run and the segments added since
            assert index.remove(gone) == gone
            results[name] = (before, index.query(probe), index.query(first[:300]))
        docs_rows, band_rows = tables(db)
        assert len(docs_rows) == 1500 - len(gone) and len(band_rows) == BANDS * len(docs_rows)
        assert {d for *_, d in band_rows} == {r[0] for r in docs_rows}
    assert results["compacted"] == results["plain"]
    assert sum(len(r.matches) for r in results["plain"][1]) >= 30
    db = str(tmp_path / "compacted.db")
    r = run_cli("index", "compact", db)
    assert r.exit_code == 0 and r.output == (f"compacted {db}: 4 runs of band entries into one "
                                             f"({(1500 - len(gone)) * BANDS:,} entries)\n"), r.output
    assert runs(Path(db)) == [top - 2]
    r = run_cli("index", "compact", db)
    assert r.exit_code == 0 and r.output == f"{db} has one run; nothing to compact\n"

def test_the_progress_bar_says_when_an_add_merges_runs() -> None:
    """On a terminal, the bar of `dedup index add` names the pause a merge makes, until the next batch."""
    from dedup.cli_options import Progress
    from dedup.io import ReadOptions

    opts = ReadOptions()
    opts.bytes_total, opts.bytes_done = 1000, 400
    with Progress(False, "indexing", opts) as progress:
        progress.enabled = True  # as on a terminal (where click draws the line below)
        progress.on_merge(0, 4)  # before any batch: no bar yet, nothing to say it on
        assert progress.bar is None
        progress.on_docs(2000)
        progress.on_merge(0, 4)
        merging = progress.bar.format_progress_line()
        opts.bytes_done = 800
        progress.on_docs(4000)
        after = progress.bar.format_progress_line()
    assert merging.endswith("2,000 documents, merging 4 runs of the index")
    assert after.endswith("4,000 documents")

def test_the_progress_bar_ends_on_the_last_count_of_documents(monkeypatch) -> None:
    """Read ahead of the hashing (all its bytes read), the bar still shows each batch's count, and the last."""
    import io

    import click._termui_impl

    from dedup.cli_options import Progress
    from dedup.io import ReadOptions

    screen = io.StringIO()
    monkeypatch.setattr(click._termui_impl, "isatty", lambda f: True)  # draw as on a terminal
    monkeypatch.setattr("sys.stderr", screen)
    opts = ReadOptions()
    opts.bytes_total = opts.bytes_done = 1000
    with Progress(False, "scanning", opts) as progress:
        progress.enabled = True
        for n in (256, 512, 768, 300 + 768):
            progress.on_docs(n)
    frames = screen.getvalue().split("\r")
    assert "768 documents" in frames[-2] and "1,068 documents" in frames[-1]

def test_a_committed_batch_reports_its_outcomes_before_runs_are_merged(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # Merging runs can take a while in a large index; a Ctrl-C then must not lose the outcomes of the
    # batch already committed (a pipeline reads them to know what was indexed).
    from dedup import index_store

    monkeypatch.setattr(index_store, "SEGMENT_BITS", 1)  # two documents a segment: merges come early
    docs = [Document(f"d{i}", f"story number {i} about " + " ".join(f"w{i}x{k}" for k in range(30)))
            for i in range(40)]
    seen = []

    def interrupt(level: int, runs: int) -> None:
        raise KeyboardInterrupt

    with Index(tmp_path / "i.db", batch_size=10) as index:
        with pytest.raises(KeyboardInterrupt):
            for outcome in index.iter_add(docs, on_merge=interrupt):
                seen.append(outcome.id)
        assert len(index) == len(seen) == 10

def test_compact_vacuum_gives_the_freed_pages_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Compacting writes the new run before it deletes the old ones: the file grew by the size of the band
    # entries, with no way to shrink it but a VACUUM by hand.
    from itertools import islice

    from conftest import need
    from dedup import index_store

    monkeypatch.setattr(index_store, "SEGMENT_BITS", 7)
    docs = list(islice(read_documents([need(REUTERS)]), 1500))
    db = tmp_path / "v.db"
    with Index(db, batch_size=100) as index:
        index.add(docs)
        before = index.query(docs[::50])
    def size() -> int:  # the file and its write-ahead log
        return sum(p.stat().st_size for p in (db, tmp_path / "v.db-wal") if p.exists())

    added = size()
    r = run_cli("index", "compact", str(db))
    assert r.exit_code == 0 and r.output.startswith(f"compacted {db}: ")
    compacted = size()
    r = run_cli("index", "compact", str(db), "--vacuum", "-q")
    assert r.exit_code == 0 and r.output == ""
    assert added < compacted and size() < 0.8 * compacted
    with Index.open(db) as index:
        assert index.query(docs[::50]) == before


def test_an_index_built_before_draws_and_titles_were_read_is_named_in_a_warning(tmp_path):
    import json

    from click.testing import CliRunner

    from dedup.cli import cli

    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"id": "a", "title": "Ohio Pick 3 evening draw", "text": "Pick 3: 4-7-1. " * 20})
                    + "\n", encoding="utf-8")
    db = str(tmp_path / "archive.db")
    added = CliRunner().invoke(cli, ["index", "add", db, str(feed)])
    assert added.exit_code == 0 and "Warning" not in added.stderr
    assert "Warning" not in CliRunner().invoke(cli, ["index", "query", db, str(feed)]).stderr
    with sqlite3.connect(db) as conn:  # as an index built before: no "features" in its settings
        conn.execute("DELETE FROM meta WHERE key = 'features'")
    conn.close()
    for args in (["index", "query", db, str(feed)], ["index", "add", db, str(feed)]):
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 0, r.output
        assert f"Warning: {db} was built by an earlier dedup: its articles' lottery draws (4-7-1) are stored " \
               "digit by digit" in r.stderr and "spelled-out numbers (four) are stored as words" in r.stderr
        assert "so copies of those articles can be missed" in r.stderr
        assert "Warning" not in CliRunner().invoke(cli, args + ["-q"]).stderr
    with sqlite3.connect(db) as conn:  # built by the dedup before the last change: that change only
        conn.execute("INSERT INTO meta (key, value) VALUES ('features', '2')")
    conn.close()
    r = CliRunner().invoke(cli, ["index", "query", db, str(feed)])
    assert "spelled-out numbers (four)" in r.stderr and "titles" not in r.stderr
    with sqlite3.connect(db) as conn:  # built by a later dedup
        conn.execute("UPDATE meta SET value = '9' WHERE key = 'features'")
    conn.close()
    r = CliRunner().invoke(cli, ["index", "query", db, str(feed)])
    assert f"Warning: {db} was built by a later dedup (its evidence is version '9', this dedup reads " in r.stderr
