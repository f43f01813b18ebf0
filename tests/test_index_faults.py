"""The index under faults and concurrency: the real command in subprocesses, one killed with SIGKILL in
the middle of an add, two adding to one index at once; what a killed add has reported."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from dedup import Document, Index, read_documents

from index_support import BANDS, ROOT, seed_vocabulary, statuses_by_id, write_generated


def _dedup(*args: str) -> list[str]:
    return [sys.executable, "-m", "dedup", *args]

def _snapshot(db: Path) -> tuple[int, int, int]:
    """(documents, band entries, documents with bands) read in one transaction."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        con.execute("BEGIN")
        (docs,) = con.execute("SELECT count(*) FROM docs").fetchone()
        (bands,) = con.execute("SELECT count(*) FROM bands").fetchone()
        (with_bands,) = con.execute("SELECT count(DISTINCT doc) FROM bands").fetchone()
        con.execute("COMMIT")
        return docs, bands, with_bands
    finally:
        con.close()

def test_sigkill_mid_add_leaves_every_committed_batch(tmp_path: Path) -> None:
    src = tmp_path / "big.jsonl"
    ids = write_generated(src, 6000, prefix="doc")
    db = tmp_path / "archive.db"
    batch = 200
    proc = subprocess.Popen(_dedup("index", "add", str(db), str(src), "--batch-size", str(batch), "-q"),
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seen = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if db.exists():
                try:
                    snap = _snapshot(db)
                except sqlite3.OperationalError:  # schema not created yet
                    snap = None
                if snap is not None:
                    seen.append(snap)
                    if snap[0] >= 4 * batch:
                        break
            assert proc.poll() is None, "the add finished before it could be killed; give it more input"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # Readers during the write saw whole batches only.
    assert seen and all(d % batch == 0 and b == BANDS * d and w == d for d, b, w in seen)

    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    with Index.open(db) as index:
        held = len(index)
        assert 4 * batch <= held < len(ids) and held % batch == 0
        assert all(i in index for i in ids[:held]) and ids[held] not in index
    docs, bands, with_bands = _snapshot(db)
    assert (docs, bands, with_bands) == (held, BANDS * held, held)

    # Running the same add again finishes the job and rewrites nothing.
    done = subprocess.run(_dedup("index", "add", str(db), str(src), "-q"), cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == (f"added {len(ids) - held:,}, unchanged {held:,}, replaced 0, duplicates 0 (not added), "
                           f"empty 0; the index holds {len(ids):,} documents\n")

def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    ids_a = write_generated(a, 2000, prefix="a", seed=1)
    ids_b = write_generated(b, 2000, prefix="b", seed=2)
    db = tmp_path / "shared.db"  # does not exist yet: both processes race to create it
    procs = [subprocess.Popen(_dedup("index", "add", str(db), str(src), "--batch-size", "50", "-q"), cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for src in (a, b)]
    outs = [p.communicate(timeout=180) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert out.startswith("added 2,000, unchanged 0, replaced 0, duplicates 0")
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    assert _snapshot(db) == (4000, 4000 * BANDS, 4000)
    with Index.open(db) as index:
        assert all(i in index for i in ids_a + ids_b)
        probe = [d for d in read_documents([str(a)])][:3]
        results = index.query([(f"probe-{d.id}", d.text) for d in probe])
    assert [[m.id for m in r.matches] for r in results] == [[d.id] for d in probe]

def test_two_processes_adding_the_same_documents_keep_each_once(tmp_path: Path) -> None:
    src = tmp_path / "same.jsonl"
    write_generated(src, 1500, prefix="s")
    db = tmp_path / "same.db"
    procs = [subprocess.Popen(_dedup("index", "add", str(db), str(src), "--batch-size", "50", "-f", "jsonl", "-q"),
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    statuses = statuses_by_id(procs)
    assert len(statuses) == 1500
    assert all(sorted(s) == ["added", "unchanged"] for s in statuses.values())
    assert _snapshot(db) == (1500, 1500 * BANDS, 1500)

def test_progress_comes_after_a_batch_s_outcomes(tmp_path: Path) -> None:
    # The command flushes its output when progress is called: by then the batch's outcomes must be out,
    # so that a run killed afterwards has reported every article the index holds.
    docs = [Document(f"d{i}", f"story number {i} about " + " ".join(f"w{i}x{k}" for k in range(30)))
            for i in range(25)]
    events: list[object] = []
    with Index(tmp_path / "i.db", batch_size=10) as index:
        for outcome in index.iter_add(docs, progress=events.append):
            events.append(outcome.id)
    assert events == [f"d{i}" for i in range(10)] + [10] + [f"d{i}" for i in range(10, 20)] + [20] + [
        f"d{i}" for i in range(20, 25)] + [25]

def test_the_command_flushes_each_committed_batch_s_outcomes(tmp_path: Path) -> None:
    # Killed (SIGKILL) in the middle of an add with its output in a file: the lines written are those
    # of the batches committed, no fewer (Python buffers a file's output 8 KiB at a time).
    src = tmp_path / "in.jsonl"
    rng = random.Random(3)
    words = seed_vocabulary()
    with open(src, "w", encoding="utf-8") as fh:
        for i in range(6000):
            fh.write(json.dumps({"id": f"n{i}", "text": " ".join(rng.choices(words, k=60))}) + "\n")
    db, out = tmp_path / "k.db", tmp_path / "out.jsonl"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as Python runs by default
    with open(out, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "dedup", "index", "add", str(db), str(src), "-f", "jsonl",
                                 "--batch-size", "20", "-q", "-j", "1"], cwd=ROOT, stdout=fh,
                                stderr=subprocess.DEVNULL, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not db.exists() or _count_docs(db) < 300):
            assert proc.poll() is None, "the add finished before it could be killed; give it more input"
            time.sleep(0.05)
        proc.kill()
        proc.wait()
    indexed = _count_docs(db)
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n")  # whole lines: a buffer cut short would end in the middle of one
    lines = text.splitlines()
    # Every batch committed is reported, but the one whose lines were being written when the kill came
    # (they are flushed together; a batch's lines fit in the 8 KiB buffer). Before, what the buffer held
    # was lost: up to 8 KiB of lines, of any number of batches.
    assert 300 <= indexed < 6000 and len(lines) in (indexed, indexed - 20)
    assert [json.loads(line)["id"] for line in lines] == [f"n{i}" for i in range(len(lines))]

def _count_docs(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
            return conn.execute("SELECT count(*) FROM docs").fetchone()[0]
    except sqlite3.OperationalError:  # not made yet
        return 0


def test_a_damaged_stored_set_or_record_is_an_error_naming_the_index(tmp_path: Path) -> None:
    # "damaged shingle set in the index (...)" before: the one index message that did not say which file.
    import pytest

    from dedup.errors import IndexFormatError

    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    docs = [Document(p.name, p.read_text()) for p in seeds]
    for column, blob in (("shingle_set", b"not zlib"), ("evidence", b"\x00")):
        path = tmp_path / f"{column}.db"
        with Index(path) as index:
            index.add(docs)
        with sqlite3.connect(path) as conn:
            conn.execute(f"UPDATE docs SET {column} = ?", (blob,))
        conn.close()
        with Index.open(path) as index, pytest.raises(IndexFormatError) as got:
            list(index.query(docs[1:2]))
        assert str(got.value).startswith(f"{path}: damaged ") and "rebuild the index" in str(got.value), got.value
