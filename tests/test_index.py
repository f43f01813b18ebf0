"""dedup.Index and ``dedup index``: the persistent SQLite index (faults and concurrency:
test_index_faults.py; runs of band entries, compacting: test_index_runs.py)."""

from __future__ import annotations

import json
import sqlite3
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
from index_support import (BANDS, DEFAULT, ROOT, S0, S1, S2, S3, S4, SEEDS, run_cli, seed_doc,
                           seed_text, tables)


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
                                      "checks": {"days": None, "figures": 1.0, "subject": 0.1429,
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
    assert r.exit_code == 2 and "Invalid value for '-t' / '--threshold': must be in (0.0, 1.0]. Got 1.5 instead." \
        in r.output


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




def test_a_query_against_many_indexed_copies_finds_each_once_whatever_the_grouping(tmp_path, monkeypatch):
    # 300 copies of one article under other ids: a query made lists x keys x copies postings at once
    # (20,000 copies: 9.5 GB for 200 queries) and verified every copy (100 microseconds each).
    from dedup import index_store

    text = seed_text(S0)
    with Index.create(tmp_path / "copies.db") as index:
        index.add([Document(f"copy{k:03d}", text, "copies") for k in range(300)]
                  + [seed_doc(name) for name in (S1, S2, S3, S4)])
    queries = [Document("asked-0", text, "q"), Document("asked-1", text, "q"), seed_doc(S1), seed_doc(S2)]
    with Index.open(tmp_path / "copies.db") as index:
        whole = index.query(queries)
    assert [len(r.matches) for r in whole] == [300, 300, 0, 0]
    assert [m.id for m in whole[0].matches] == [f"copy{k:03d}" for k in range(300)]
    assert all(m.jaccard == 1.0 and m.source == "copies" for m in whole[0].matches)
    assert whole[0].matches == whole[1].matches
    for at_once in (1, 20_000, 40_000):  # lists one at a time, or a few together
        monkeypatch.setattr(index_store, "PAIRS_AT_ONCE", at_once)
        with Index.open(tmp_path / "copies.db") as index:
            assert index.query(queries) == whole


def test_one_index_shared_by_threads_and_used_after_close(tmp_path):
    # Threads sharing an Index met in one connection's transaction: "is damaged or not a dedup index (cannot
    # start a transaction within a transaction); restore it", and their adds were lost. After close(), the
    # same false damage report (or a bare sqlite3 error).
    import threading

    index = Index.create(tmp_path / "shared.db")
    errors: list[str] = []

    def add(n: int) -> None:
        try:
            index.add([(f"t{n}-{i}", f"thread {n} story {i} about the council vote on the bridge repairs {i * 7 + n}")
                       for i in range(40)])
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(repr(exc))

    def ask(n: int) -> None:
        try:
            for _ in range(10):
                index.query([("q", "thread 1 story 1 about the council vote on the bridge repairs 8")])
                assert ("t1-1" in index) in (True, False) and len(index) >= 0
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = [threading.Thread(target=f, args=(n,)) for f in (add, ask) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(index) == 120
    index.close()
    for use in (lambda: len(index), lambda: "t1-1" in index, lambda: index.query([("q", "one two three")])):
        with pytest.raises(DedupError, match="this Index was closed; open the index again to use it"):
            use()


def test_ids_with_a_lone_surrogate_or_a_number_are_stored_and_found(tmp_path):
    # JSON "\ud800" in an id made add and `in` fail with UnicodeEncodeError; add((5, text)) stored "5"
    # but `5 in index` was False.
    text = "The council voted on Tuesday to close the old bridge for repairs, officials said"
    with Index.create(tmp_path / "ids.db") as index:
        out = index.add([("x\ud800y", text), (5, "another story about the weather and rain in the valley today")])
        assert [o.status for o in out] == ["added", "added"]
        assert "x\ud800y" in index and 5 in index and "5" in index and True not in index
        assert [m.id for m in index.query([("q", text)])[0].matches] == ["x\\ud800y"]
        assert index.remove([5]) == ["5"] and 5 not in index


def test_the_index_can_be_used_while_query_results_are_read(tmp_path):
    # Results were yielded inside the query's read transaction (and lock): an add or len() between two
    # results was "damaged ... cannot start a transaction within a transaction", another thread's add waited
    # for a paused query forever.
    import threading

    index = Index.create(tmp_path / "busy.db")
    index.add([seed_doc(name) for name in (S0, S2, S3)])
    for r in index.iter_query([seed_doc(S1), seed_doc(S4)]):
        index.add([(f"new-{r.id}", seed_text(S4) + " with words of its own")])
        assert len(index) >= 4
    paused = index.iter_query([seed_doc(S1), seed_doc(S4)])
    next(paused)
    worker = threading.Thread(target=lambda: index.add([("other", seed_text(S2) + " and more")]), daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive() and "other" in index
    index.close()


def test_index_info_gives_no_per_document_figure_for_a_whole_redis_server():
    # Redis's used_memory is the server's (its base, every index on it): divided by one index's documents it
    # said 1,455,432 bytes "per document" for an index of one.
    from dedup.index import IndexInfo
    from dedup.report import render_index_info

    def info(backend: str) -> str:
        return "".join(render_index_info(IndexInfo("x", backend, 3, {}, 2, 116, 1_000_000, "", "0.1.0"), "text"))

    assert "server memory (the whole server's, all its data): 1,000,000 bytes\n" in info("redis")
    assert "file size: 1,000,000 bytes (500,000 per document)\n" in info("sqlite")


def test_a_strict_add_that_stops_before_its_first_article_leaves_no_index(tmp_path: Path):
    # It left an index with its settings and no article, which refused a next add with other settings.
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": k, "text": f"story {k} of the council vote on item {7 * k}"}) + "\n"
                            for k in range(30)) + "not json\n", encoding="utf-8")
    db = tmp_path / "new.db"
    r = run_cli("index", "add", str(db), str(feed), "--strict", "--batch-size", "100")
    assert r.exit_code == 1 and ":31: malformed JSON line" in r.stderr
    assert list(tmp_path.iterdir()) == [feed]
    # An index that was there stays, and so do the batches an add committed before it stopped.
    assert run_cli("index", "add", str(db), str(feed), "-q").exit_code == 0
    r = run_cli("index", "add", str(db), str(feed), "--strict", "--replace")
    assert r.exit_code == 1 and len(Index(db)) == 30
    fresh = tmp_path / "batches.db"
    r = run_cli("index", "add", str(fresh), str(feed), "--strict", "--batch-size", "10", "-j", "1")
    assert r.exit_code == 1 and (not fresh.exists() or len(Index(fresh)) > 0)


def test_dates_without_a_zone_are_utc_as_in_a_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # On a machine whose local time is not UTC, an indexed version dated without a zone is the same instant
    # as a query dated in UTC, as a scan takes it; a date that is no datetime is refused by the document's id.
    from dataclasses import replace
    from datetime import datetime, timezone

    from dedup import scan_documents

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        older, newer = seed_doc(S0), seed_doc(S1)
        naive, aware = datetime(2026, 11, 30, 12, 0), datetime(2026, 11, 30, 12, 0, tzinfo=timezone.utc)
        with Index(tmp_path / "i.db") as index:
            index.add([replace(older, date=naive)])
            (result,) = index.query([replace(newer, date=aware)])
        (match,) = result.matches
        scanned = scan_documents([replace(older, date=naive), replace(newer, date=aware)], ScanConfig())
        assert match.id == S0 and match.days == 0.0 == scanned.pairs[0].days
        with Index(tmp_path / "j.db") as index, pytest.raises(TypeError, match=f"Document '{S0}': date must be"):
            index.add([replace(older, date="2026-11-30")])
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_config_shows_the_occasion_settings_the_index_applies(tmp_path: Path) -> None:
    # The stored settings come from the file; the occasion check's are the caller's, and Index.config says so.
    with Index(tmp_path / "i.db", ScanConfig(date_window=3.0, figures=0.5, threshold=0.6)) as index:
        index.add([seed_doc(S0)])
        assert (index.config.date_window, index.config.figures, index.config.threshold) == (3.0, 0.5, 0.6)
        assert index.occasion is not None and index.occasion.window_days == 3.0
    with Index(tmp_path / "i.db", ScanConfig(occasion=False, threshold=0.6)) as index:
        assert index.config.occasion is False and index.occasion is None
    with Index(tmp_path / "i.db") as index:
        assert (index.config.date_window, index.config.figures, index.config.threshold) == (1.0, 0.6, 0.6)
