"""dedup.Index and ``dedup index``: the persistent SQLite index.

Fault and concurrency tests run the real command in subprocesses: one is
killed with SIGKILL in the middle of an add, two add to one index at once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from dedup import Document, Index, IndexFormatError, MinHasher, ScanConfig, read_documents, shingle_set
from dedup.cli import cli
from dedup.errors import DedupError
from dedup.index_store import decode_set, encode_set
from dedup.verify import similarity

from conftest import REUTERS

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ScanConfig()
BANDS, ROWS = DEFAULT.banding  # every document has BANDS band entries
SEEDS = ROOT / "seeds"
S0, S1, S2, S3, S4 = sorted(p.name for p in SEEDS.glob("*.txt"))


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def seed_doc(name: str) -> Document:
    return Document(name, seed_text(name), str(SEEDS / name))


def seed_vocabulary() -> list[str]:
    return sorted({w for p in SEEDS.glob("*.txt") for w in p.read_text(encoding="utf-8").split()})


def write_generated(path: Path, count: int, *, prefix: str, words: int = 120, seed: int = 7) -> list[str]:
    """JSON lines of articles made of the seed articles' words in random order; returns their ids."""
    vocab = seed_vocabulary()
    rng = random.Random(seed)
    ids = []
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(count):
            doc_id = f"{prefix}{i:06d}"
            ids.append(doc_id)
            fh.write(json.dumps({"id": doc_id, "text": " ".join(rng.choices(vocab, k=words))}) + "\n")
    return ids


def tables(path: Path) -> tuple[list[tuple], list[tuple]]:
    con = sqlite3.connect(path)
    try:
        docs = con.execute("SELECT * FROM docs ORDER BY doc").fetchall()
        bands = con.execute("SELECT * FROM bands ORDER BY seg, key, doc").fetchall()
    finally:
        con.close()
    return docs, bands


def runs(db: Path) -> list[int]:
    """The runs of band entries in an index file (distinct ``bands.seg``), ascending."""
    con = sqlite3.connect(db)
    try:
        return [r for (r,) in con.execute("SELECT DISTINCT seg FROM bands ORDER BY seg")]
    finally:
        con.close()


def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args))


# ---------------------------------------------------------------- seeds

def test_seed_query_finds_the_earlier_version_with_verified_scores(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Index(db) as index:
        assert [o.status for o in index.add([seed_doc(S0)])] == ["added"]
        results = index.query([seed_doc(n) for n in (S1, S2, S3, S4)])
    assert [r.id for r in results] == [S1, S2, S3, S4]
    assert [r.status for r in results] == ["new"] * 4
    (match,) = results[0].matches
    a, b = shingle_set(seed_text(S1)), shingle_set(seed_text(S0))
    jac, a_in_b, b_in_a = similarity(a, b)
    assert (match.id, match.jaccard, match.query_in_match, match.match_in_query) == (S0, jac, a_in_b, b_in_a)
    # seeds/README.md: Jaccard about 0.45; about 73% of the first version's shingles are in the second.
    assert 0.43 < match.jaccard < 0.47 and 0.71 < match.match_in_query < 0.75
    assert match.source == str(SEEDS / S0)
    assert all(r.matches == () for r in results[1:])


def test_cli_add_query_info_on_seeds(tmp_path: Path) -> None:
    db = str(tmp_path / "archive.db")
    r = run_cli("index", "add", db, str(SEEDS / S0))
    assert r.exit_code == 0, r.output
    assert r.output == ("added 1, unchanged 0, replaced 0, duplicates 0 (not added), empty 0; "
                        "the index holds 1 document\n")
    r = run_cli("index", "query", db, str(SEEDS / S1), str(SEEDS / S2), str(SEEDS / S3), str(SEEDS / S4))
    assert r.exit_code == 0, r.output
    assert r.output == (f"{SEEDS / S1}  ~ {SEEDS / S0}  jaccard 0.4477  query_in_match 0.5349  "
                        "match_in_query 0.7331\n"
                        "queried 4 documents: 1 with near-duplicates in the index (1 match)\n")
    r = run_cli("index", "query", db, str(SEEDS), "--format", "jsonl")
    assert r.exit_code == 0, r.output
    lines = [json.loads(line) for line in r.output.splitlines()]
    # Ids are paths as given: the folder's 000 is the file added by path, not a match of itself.
    assert [rec["id"] for rec in lines] == [str(SEEDS / n) for n in (S0, S1, S2, S3, S4)]
    assert [rec["status"] for rec in lines] == ["unchanged", "new", "new", "new", "new"]
    assert [[m["jaccard"] for m in rec["matches"]] for rec in lines] == [[], [0.4477], [], [], []]
    assert lines[1]["matches"][0] == {"id": str(SEEDS / S0), "source": str(SEEDS / S0), "jaccard": 0.4477,
                                      "query_in_match": 0.5349, "match_in_query": 0.7331,
                                      "checks": {"days": None, "figures": 1.0, "subject": None,
                                                 "correction": False}}
    r = run_cli("index", "info", db)
    assert r.exit_code == 0, r.output
    assert f"index: {db} (sqlite, format 3)\ndocuments: 1\nband entries: {BANDS}\n" in r.output
    assert ("settings: shingle_size=5 shingle_kind=word num_perm=128 seed=1 hash_scheme=affine32 "
            f"shingle_hash=blake2b64-fold-fmix64-u32 threshold=0.5 containment={DEFAULT.containment} bands={BANDS} "
            "rows=2\n") in r.output
    info = json.loads(run_cli("index", "info", db, "--format", "json").output)
    assert info["documents"] == 1 and info["settings"]["num_perm"] == 128 and info["size_bytes"] > 0


def test_skip_duplicates_keeps_the_first_version_only(tmp_path: Path) -> None:
    r = run_cli("index", "add", str(tmp_path / "a.db"), str(SEEDS), "--skip-duplicates")
    assert r.exit_code == 0, r.output
    assert r.output == (f"duplicate {SEEDS / S1}  ~ {SEEDS / S0}  jaccard 0.4477  query_in_match 0.5349  match_in_query 0.7331\n"
                        "added 4, unchanged 0, replaced 0, duplicates 1 (not added), empty 0; "
                        "the index holds 4 documents\n")
    with Index.open(tmp_path / "a.db") as index:
        assert str(SEEDS / S1) not in index and str(SEEDS / S0) in index and len(index) == 4
        # Across calls too: the later version is reported, not added.
        (outcome,) = index.add([seed_doc(S1)], skip_duplicates=True)
    assert outcome.status == "duplicate" and [m.id for m in outcome.matches] == [str(SEEDS / S0)]


# ---------------------------------------------------------------- idempotence, revisions, removal

def test_adding_the_same_documents_twice_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    docs = [seed_doc(n) for n in (S0, S1, S2, S3, S4)]
    with Index(db) as index:
        assert {o.status for o in index.add(docs)} == {"added"}
    before = tables(db)
    time.sleep(1.1)  # a rewrite would show in the 'added' timestamps
    with Index(db) as index:
        assert [o.status for o in index.add(docs)] == ["unchanged"] * 5
    assert tables(db) == before
    assert len(before[0]) == 5 and len(before[1]) == 5 * BANDS


def test_new_text_under_a_known_id_replaces_the_old_revision(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Index(db) as index:
        index.add([Document("story", seed_text(S0))])
        (out,) = index.add([Document("story", seed_text(S2))])
        assert out.status == "replaced"
        assert len(index) == 1
        # The old text is gone from the index, the new one is found.
        old, new = index.query([("probe-old", seed_text(S0)), ("probe-new", seed_text(S2))])
        assert old.matches == ()
        assert [(m.id, m.jaccard) for m in new.matches] == [("story", 1.0)]
        # Querying under the indexed id tells what an add would do, and a document never matches itself.
        same, rev = index.query([("story", seed_text(S2)), ("story", seed_text(S3))])
        assert (same.status, same.matches, rev.status) == ("unchanged", (), "revision")
    docs, bands = tables(db)
    assert len(docs) == 1 and len(bands) == BANDS and {d for *_, d in bands} == {docs[0][0]}


def test_revisions_and_repeats_within_one_batch(tmp_path: Path) -> None:
    with Index(tmp_path / "a.db") as index:
        outcomes = index.add([("a", seed_text(S0)), ("a", seed_text(S0)), ("a", seed_text(S2)), ("b", "!!!")])
        assert [o.status for o in outcomes] == ["added", "unchanged", "replaced", "empty"]
        assert len(index) == 1
        (r,) = index.query([("probe", seed_text(S2))])
        assert [m.id for m in r.matches] == ["a"]
    assert len(tables(tmp_path / "a.db")[1]) == BANDS


def test_remove(tmp_path: Path) -> None:
    db = str(tmp_path / "a.db")
    assert run_cli("index", "add", db, str(SEEDS)).exit_code == 0
    r = run_cli("index", "remove", db, str(SEEDS / S0), "missing-id")
    assert r.exit_code == 0
    assert r.stdout == "removed 1; the index holds 4 documents\n"
    assert "Warning: missing-id: not in the index" in r.stderr
    with Index.open(db) as index:
        assert str(SEEDS / S0) not in index
        (res,) = index.query([("probe", seed_text(S0))])
        assert [m.id for m in res.matches] == [str(SEEDS / S1)]  # the removed text itself is no longer found
        assert index.remove([str(SEEDS / S0)]) == []
    docs, bands = tables(Path(db))
    assert len(docs) == 4 and len(bands) == 4 * BANDS


def test_query_of_a_removed_document_finds_its_near_duplicate_only(tmp_path: Path) -> None:
    with Index(tmp_path / "a.db") as index:
        index.add([seed_doc(n) for n in (S0, S1, S2)])
        assert index.remove([S1, S1, "nope"]) == [S1]
        (res,) = index.query([("probe", seed_text(S1))])
    assert [m.id for m in res.matches] == [S0]


# ---------------------------------------------------------------- settings and foreign files

def test_opening_with_other_settings_names_the_setting(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Index(db, threshold=0.6).close()
    with pytest.raises(IndexFormatError) as err:
        Index(db, threshold=0.5)
    assert str(err.value) == (f"{db} was built with threshold=0.6, not 0.5 (leave threshold out to use "
                              "the index's own settings, or use another index)")
    with pytest.raises(IndexFormatError, match="built with num_perm=128, not 64"):
        Index(db, num_perm=64)
    with Index(db) as index:  # no settings given: the index's own
        assert index.config.threshold == 0.6
    r = run_cli("index", "query", str(db), str(SEEDS), "--shingle-size", "3")
    assert r.exit_code == 1
    assert r.output == (f"Error: {db} was built with shingle_size=5, not 3 (leave shingle_size out to use "
                        "the index's own settings, or use another index)\n")
    r = run_cli("index", "add", str(db), str(SEEDS), "--threshold", "1.5")
    assert r.exit_code == 2 and "The 'threshold' parameter must be in (0.0, 1.0]. Got 1.5 instead." in r.output


def test_other_format_version_and_hash_scheme_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Index(db).close()
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '4' WHERE key = 'format_version'")
    con.commit()
    with pytest.raises(IndexFormatError, match=r"has index format 4, newer than this dedup reads \(3\); upgrade"):
        Index.open(db)
    con.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")
    con.commit()
    with pytest.raises(IndexFormatError, match=r"has index format '1'; this dedup reads format 3 \(rebuild the index\)"):
        Index.open(db)
    con.execute("UPDATE meta SET value = '3' WHERE key = 'format_version'")
    con.execute("UPDATE meta SET value = 'affine64' WHERE key = 'hash_scheme'")
    con.commit()
    con.close()
    with pytest.raises(IndexFormatError, match="built with hash_scheme=affine64, not affine32"):
        Index.open(db)


def _as_format_2(db: Path) -> None:
    """Turn a format 3 file into the format 2 layout (docs/index-format.md): no sketches table."""
    con = sqlite3.connect(db)
    con.execute("DROP TABLE sketches")
    con.execute("UPDATE meta SET value = '2' WHERE key = 'format_version'")
    con.execute("PRAGMA user_version = 2")
    con.commit()
    con.close()


def test_a_format_2_file_is_refused_with_the_upgrade_command_and_upgraded_in_place(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "old index.db"
    docs = [seed_doc(n) for n in (S0, S2, S3, S4)]
    with Index(db) as index:
        index.add(docs)
        expected = index.query([seed_doc(S1)])
    con = sqlite3.connect(db)
    sketches = con.execute("SELECT * FROM sketches ORDER BY doc").fetchall()
    con.close()
    _as_format_2(db)
    before = tables(db)
    assert _one_line_error(["index", "query", str(db), str(SEEDS / S1)]) == (
        f"Error: {db} has index format 2; this dedup reads format 3 (upgrade it in place with "
        f"`dedup index upgrade '{db}'`)\n")
    r = run_cli("index", "upgrade", str(db))
    assert r.exit_code == 0 and r.output == f"upgraded {db}: 4 documents sketched\n", r.output
    con = sqlite3.connect(db)
    assert con.execute("SELECT * FROM sketches ORDER BY doc").fetchall() == sketches  # as an add writes them
    assert con.execute("PRAGMA user_version").fetchone() == (3,)
    con.close()
    assert tables(db) == before  # documents and band keys untouched
    with Index.open(db) as index:
        assert index.query([seed_doc(S1)]) == expected
    r = run_cli("index", "upgrade", str(db))
    assert r.exit_code == 0 and r.output == f"{db} already has the current format; nothing to do\n"
    # A failure midway leaves the file as it was: one transaction.
    _as_format_2(db)
    from dedup import index as index_module

    def broken(*args, **kwargs):
        raise RuntimeError("interrupted")

    with monkeypatch.context() as patch:
        patch.setattr(index_module, "sketches", broken)
        with pytest.raises(RuntimeError):
            index_module.upgrade(db)
    con = sqlite3.connect(db)
    assert "sketches" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert con.execute("SELECT value FROM meta WHERE key = 'format_version'").fetchone() == ("2",)
    con.close()
    assert "no such index" in _one_line_error(["index", "upgrade", str(tmp_path / "x.db")])
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '1' WHERE key = 'format_version'")
    con.commit()
    con.close()
    assert _one_line_error(["index", "upgrade", str(db)]) == (
        f"Error: {db} has index format '1'; only format 2 can be upgraded (rebuild the index)\n")


def _one_line_error(args: list[str]) -> str:
    r = run_cli(*args)
    assert r.exit_code == 1, r.output
    assert isinstance(r.exception, SystemExit)  # a handled error, not a traceback
    assert r.output.startswith("Error: ") and r.output.count("\n") == 1
    return r.output


def test_foreign_and_corrupt_files_are_one_line_errors(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    assert _one_line_error(["index", "info", str(text)]) == \
        f"Error: {text} is not a dedup index (not an SQLite file); give another path\n"
    assert _one_line_error(["index", "add", str(text), str(SEEDS)]).startswith(f"Error: {text} is not a dedup")
    assert text.read_text() == "not a database\n" * 100  # untouched

    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE people (name TEXT)")
    con.commit()
    con.close()
    assert _one_line_error(["index", "query", str(other), str(SEEDS)]) == \
        f"Error: {other} is not a dedup index (an SQLite database of another program); give another path\n"

    empty = tmp_path / "empty.db"
    empty.touch()
    assert "is an empty file, not a dedup index" in _one_line_error(["index", "info", str(empty)])
    assert "no such index" in _one_line_error(["index", "info", str(tmp_path / "missing.db")])
    assert not (tmp_path / "missing.db").exists()
    assert "is a folder" in _one_line_error(["index", "info", str(tmp_path)])

    # A real index whose pages were overwritten in the middle.
    broken = tmp_path / "broken.db"
    with Index(broken) as index:
        index.add([seed_doc(n) for n in (S0, S1, S2, S3, S4)])
    data = bytearray(broken.read_bytes())
    assert len(data) > 8192
    data[4096:] = b"\xa5" * (len(data) - 4096)
    broken.write_bytes(bytes(data))
    msg = _one_line_error(["index", "query", str(broken), str(SEEDS)])
    assert msg.startswith(f"Error: {broken} is damaged or not a dedup index (")


def test_the_file_is_the_documented_format(tmp_path: Path) -> None:
    """Read an index with sqlite3, zlib and numpy alone, following docs/index-format.md."""
    db = tmp_path / "a.db"
    with Index(db) as index:
        index.add([seed_doc(S0)])
    assert "## Tables" in (ROOT / "docs" / "index-format.md").read_text(encoding="utf-8")
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA application_id").fetchone() == (0x44445550,)
    assert con.execute("PRAGMA user_version").fetchone() == (3,)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert con.execute("PRAGMA page_size").fetchone() == (16384,)
    meta = dict(con.execute("SELECT key, value FROM meta"))
    assert {k: meta[k] for k in ("format", "format_version", "hash_scheme", "num_perm", "seed", "shingle_size",
                                 "shingle_kind", "threshold", "containment", "bands", "rows")} == {
        "format": "dedup-index", "format_version": "3", "hash_scheme": "affine32", "num_perm": "128", "seed": "1",
        "shingle_size": "5", "shingle_kind": "word", "threshold": "0.5", "containment": repr(DEFAULT.containment),
        "bands": str(BANDS), "rows": "2"}
    doc, doc_id, content, words, n, blob, evidence = con.execute(
        "SELECT doc, id, content, words, shingles, shingle_set, evidence FROM docs").fetchone()
    bands = con.execute("SELECT seg, key, doc FROM bands").fetchall()
    sketch_rows = con.execute("SELECT doc, shingles, sketch FROM sketches").fetchall()
    df = dict(con.execute("SELECT bucket, n FROM word_df"))
    con.close()
    # Occasion evidence: <BBIq, then four length-prefixed sets (docs/index-format.md).
    import struct

    version, corrected, n_words, stamp = struct.unpack_from("<BBIq", evidence)
    assert (version, corrected, n_words, stamp) == (1, 0, words, -2**63)  # a file's mtime is never stored
    pos, sets = struct.calcsize("<BBIq"), []
    for _ in range(4):
        (size,) = struct.unpack_from("<I", evidence, pos)
        sets.append(decode_set(evidence[pos + 4:pos + 4 + size]))
        pos += 4 + size
    assert pos == len(evidence)
    word_set, figure_set, lead_set, title_set = sets
    assert len(title_set) == 0  # a text file has no title apart from its text
    from dedup.normalize import words as split_words
    from dedup.shingle import ShingleConfig

    alpha = " ".join(w for w in split_words(seed_text(S0)) if w.isalpha())
    assert np.array_equal(word_set, shingle_set(alpha, ShingleConfig(1)))
    assert set(lead_set.tolist()) <= set(word_set.tolist()) and len(lead_set) > 5
    assert len(figure_set) > 5  # 60 days, 50,000 employees, Local 39, ...
    # One document indexed: each of its words' buckets counted once.
    assert df == {b: 1 for b in set((word_set.astype(np.int64) & 0x3FFFFF).tolist())}
    # Band keys: each band's values folded with F, then the band number (docs/index-format.md).
    sig = [int(v) for v in MinHasher(128, 1).signature(shingle_set(seed_text(S0)))]
    fold, mask = 0x9E3779B97F4A7C15, 2**64 - 1
    keys = set()
    for b in range(BANDS):
        k = sig[2 * b]
        k = (k * fold + sig[2 * b + 1]) & mask
        k = (k * fold + b + 1) & mask
        keys.add(k - 2**64 if k >= 2**63 else k)
    assert sorted(bands) == sorted((doc >> 16, k, doc) for k in keys)
    # Sketch: the low byte of every MinHash value, in order.
    assert sketch_rows == [(doc, n, bytes(v & 0xFF for v in sig))]
    planes = np.frombuffer(zlib.decompress(blob), dtype=np.uint8).reshape(4, -1)
    gaps = planes[0].astype(np.uint32) | planes[1].astype(np.uint32) << 8 | planes[2].astype(np.uint32) << 16 \
        | planes[3].astype(np.uint32) << 24
    values = np.cumsum(gaps, dtype=np.uint32)
    expected = shingle_set(seed_text(S0))
    assert doc_id == S0 and n == len(expected) and np.array_equal(values, expected)
    assert len(blob) < 3.5 * n  # compact: under 3.5 bytes a shingle
    import hashlib
    assert content == hashlib.blake2b(seed_text(S0).encode("utf-8"), digest_size=16).digest()


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(0, 2**32 - 1), max_size=300))
def test_encode_decode_round_trip(values: set[int]) -> None:
    arr = np.array(sorted(values), dtype=np.uint32)
    assert np.array_equal(decode_set(encode_set(arr)), arr)


def test_api_refuses_a_single_string(tmp_path: Path) -> None:
    with Index(tmp_path / "a.db") as index:
        with pytest.raises(TypeError, match="string object received"):
            index.add("some text")
        with pytest.raises(TypeError, match="string object received"):
            index.remove("some-id")
    with pytest.raises(DedupError, match="already exists"):
        Index.create(tmp_path / "a.db")


# ---------------------------------------------------------------- faults and concurrency

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
    assert done.stdout == (f"added {len(ids) - held}, unchanged {held}, replaced 0, duplicates 0 (not added), "
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
        assert out.startswith("added 2000, unchanged 0, replaced 0, duplicates 0")
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    assert _snapshot(db) == (4000, 4000 * BANDS, 4000)
    with Index.open(db) as index:
        assert all(i in index for i in ids_a + ids_b)
        probe = [d for d in read_documents([str(a)])][:3]
        results = index.query([(f"probe-{d.id}", d.text) for d in probe])
    assert [[m.id for m in r.matches] for r in results] == [[d.id] for d in probe]


# ---------------------------------------------------------------- real data

def test_reuters_queries_agree_with_a_batch_scan(tmp_path: Path) -> None:
    """Index one part of Reuters-21578, query the next: exactly the scan's shingle-rule pairs across the
    two parts, occasion check included (the short-text rule is the scan's, see dedup.short). Word
    rarity is counted over what each side has seen (the scan: both parts; the index: the first), so the
    subject check is compared apart: every match the index reports passes it in the scan too but for
    the few whose values sit at the threshold."""
    data = REUTERS
    if not data.exists():
        pytest.skip(f"{data} is not available")
    import gzip

    with gzip.open(data, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for _, line in zip(range(6000), fh)]
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    # Alternate records, so that both parts cover the same days (the date check compares them).
    for path, part in ((first, records[::2]), (second, records[1::2])):
        path.write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
    first_ids = {str(r["newid"]) for r in records[::2]}

    from dedup import scan

    def cross_pairs(config: ScanConfig) -> set[tuple]:
        result = scan([str(first), str(second)], config)
        docs = result.documents
        out = set()
        for p in result.pairs:
            a, b = docs[p.left].id, docs[p.right].id
            if p.rule == "shingles" and (a in first_ids) != (b in first_ids):
                q, m, q_in_m = (a, b, p.left_in_right) if b in first_ids else (b, a, p.right_in_left)
                out.add((q, m, round(p.jaccard, 12), round(q_in_m, 12)))
        return out

    def index_pairs(config: ScanConfig) -> set[tuple]:
        with Index(tmp_path / "reuters.db", config) as index:
            if not len(index):
                index.add(read_documents([str(first)]))
            results = index.query(read_documents([str(second)]))
        return {(r.id, m.id, round(m.jaccard, 12), round(m.query_in_match, 12)) for r in results for m in r.matches}

    no_subject = ScanConfig(subject=1.0)
    expected = cross_pairs(no_subject)
    assert len(expected) >= 10
    assert index_pairs(no_subject) == expected
    # Without the occasion check the index finds more: templates for other days and subjects.
    assert index_pairs(ScanConfig(occasion=False)) > expected
    scanned, indexed = cross_pairs(ScanConfig()), index_pairs(ScanConfig())
    assert indexed <= expected and scanned <= expected
    assert len(indexed ^ scanned) <= max(2, len(expected) // 20)


def test_two_processes_adding_the_same_documents_keep_each_once(tmp_path: Path) -> None:
    src = tmp_path / "same.jsonl"
    write_generated(src, 1500, prefix="s")
    db = tmp_path / "same.db"
    procs = [subprocess.Popen(_dedup("index", "add", str(db), str(src), "--batch-size", "50", "-f", "jsonl", "-q"),
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    statuses: dict[str, list[str]] = {}
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        for line in out.splitlines():
            rec = json.loads(line)
            statuses.setdefault(rec["id"], []).append(rec["status"])
    assert len(statuses) == 1500
    assert all(sorted(s) == ["added", "unchanged"] for s in statuses.values())
    assert _snapshot(db) == (1500, 1500 * BANDS, 1500)


def test_hashing_in_worker_processes_changes_nothing(tmp_path: Path) -> None:
    from itertools import islice

    from conftest import need

    docs = list(islice(read_documents([need(REUTERS)]), 1500))
    # Later revisions and copies within the input, so that skipping duplicates and replacing have work to do.
    docs += [Document(d.id, d.text + " Updated.") for d in docs[:40:4]] + [Document(f"copy-{d.id}", d.text)
                                                                          for d in docs[100:160:3]]
    outcomes, queries = [], []
    for jobs, name in ((1, "one.db"), (2, "two.db")):
        with Index(tmp_path / name, batch_size=128) as index:
            outcomes.append(index.add(docs, skip_duplicates=True, jobs=jobs))
            queries.append(index.query(docs[::7], jobs=jobs))
    assert outcomes[0] == outcomes[1] and queries[0] == queries[1]
    assert {o.status for o in outcomes[0]} >= {"added", "replaced", "duplicate"}
    (docs1, bands1), (docs2, bands2) = tables(tmp_path / "one.db"), tables(tmp_path / "two.db")
    added = 6  # the time each document was added
    assert [r[:added] + r[added + 1:] for r in docs1] == [r[:added] + r[added + 1:] for r in docs2]
    assert bands1 == bands2
    r = run_cli("index", "add", str(tmp_path / "cli.db"), str(SEEDS), "--jobs", "2", "--batch-size", "2")
    assert r.exit_code == 0 and "added 5" in r.output, r.output


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


def test_skipping_duplicates_does_not_depend_on_the_batch_size(tmp_path: Path) -> None:
    # A document is weighed against every one added before it, as it would be in a batch of its own:
    # the occasion check's word weights count the documents earlier in the batch too. They used to count
    # the index as it was before the batch, so that in a new index's first batch the subject check had
    # no weights: 580 and 700 (other stories under a shared headline) were skipped with one batch of
    # all and added with batches of 100.
    from itertools import islice

    from conftest import need

    docs = list(islice(read_documents([need(REUTERS)]), 800))
    outcomes = []
    for size in (800, 100, 9):
        with Index(tmp_path / f"{size}.db", batch_size=size) as index:
            outcomes.append([(o.id, o.status, o.matches) for o in index.add(docs, skip_duplicates=True)])
    assert outcomes[0] == outcomes[1] == outcomes[2]
    skipped = [i for i, status, _ in outcomes[0] if status == "duplicate"]
    assert not {"580", "700"} & set(skipped) and len(skipped) > 20


def test_removing_documents_takes_them_out_of_the_word_counts(tmp_path: Path) -> None:
    # The occasion check weighs words by the documents indexed; a removed document is no longer one.
    names = [S0, S1, S2, S3, S4]

    def word_counts(db: Path) -> list[tuple[int, int]]:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT bucket, n FROM word_df WHERE n != 0 ORDER BY bucket").fetchall()

    with Index(tmp_path / "all.db") as index:
        index.add([seed_doc(n) for n in names])
        assert index.remove([S1, S3, "not indexed"]) == [S1, S3]
    with Index(tmp_path / "kept.db") as index:
        index.add([seed_doc(n) for n in (S0, S2, S4)])
    assert word_counts(tmp_path / "all.db") == word_counts(tmp_path / "kept.db") != []


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


def test_another_program_s_database_is_refused_unchanged_and_a_damaged_one_named(tmp_path: Path) -> None:
    # Refusing a database must not change it: the journal mode (WAL) used to be switched first.
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    before = other.read_bytes()
    tagged = tmp_path / "tagged.db"
    with sqlite3.connect(tagged) as conn:
        conn.execute("PRAGMA application_id = 1234")
        conn.execute("CREATE TABLE t (x)")
    tagged_before = tagged.read_bytes()
    for args in (["index", "info"], ["index", "add"], ["index", "query"], ["index", "compact"]):
        for db in (other, tagged):
            r = run_cli(*args, str(db), *([str(SEEDS)] if args[1] in ("add", "query") else []))
            assert r.exit_code == 1 and r.output == (f"Error: {db} is not a dedup index (an SQLite database of "
                                                     "another program); give another path\n"), r.output
    assert other.read_bytes() == before and tagged.read_bytes() == tagged_before
    # A damaged schema (text SQLite cannot decode) is named, not a traceback.
    good = tmp_path / "good.db"
    assert run_cli("index", "add", str(good), str(SEEDS)).exit_code == 0
    data = bytearray(good.read_bytes())
    data[data.find(b"CREATE TABLE") + 7] = 0x9C
    bad = tmp_path / "bad.db"
    bad.write_bytes(bytes(data))
    r = run_cli("index", "info", str(bad))
    assert r.exit_code == 1 and r.output.startswith(f"Error: {bad} is damaged or not a dedup index (")
    assert r.output.count("\n") == 1


def test_records_on_standard_input_need_ids_of_their_own_to_be_indexed(tmp_path: Path) -> None:
    # Their -:LINE ids would name tonight's first article as yesterday's: every article of the second night
    # was "not replaced" (left out) with exit 0.
    nights = ["".join(json.dumps({"text": f"night {n} story {i} " + " ".join(f"w{n}x{i}x{k}" for k in range(40))})
                      + "\n" for i in range(3)) for n in (1, 2)]
    db = tmp_path / "n.db"
    r = CliRunner().invoke(cli, ["index", "add", str(db), "-"], input=nights[0])
    assert r.exit_code == 1 and not db.exists()
    assert r.stderr.startswith("Warning: -: 3 records skipped (lines 1, 2, 3): record has no id, and a line number "
                               "of standard input names another article each run")
    for night in nights:  # with ids, both nights are indexed
        with_ids = "".join(json.dumps({"id": json.loads(line)["text"][:16], **json.loads(line)}) + "\n"
                           for line in night.splitlines())
        r = CliRunner().invoke(cli, ["index", "add", str(db), "-", "-q"], input=with_ids)
        assert r.exit_code == 0 and r.stdout.startswith("added 3, unchanged 0"), r.output
    with Index.open(db) as index:
        assert len(index) == 6
    # Querying needs no lasting ids: nothing is stored.
    r = CliRunner().invoke(cli, ["index", "query", str(db), "-", "-q"], input=nights[1])
    assert r.exit_code == 0 and r.stdout.count("-:") == 3


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
