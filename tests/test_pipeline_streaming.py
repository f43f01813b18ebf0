"""Streaming scan: spooled shingle sets, process parallelism, same answers."""

from __future__ import annotations

import gzip
import json
import os
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from dedup.io import Document
from dedup.pipeline import ScanConfig, SetStore, scan, scan_documents
from dedup.shingle import shingle_set

from conftest import REUTERS

ROOT = Path(__file__).resolve().parents[1]


def test_set_store_reads_back_every_set() -> None:
    rng = np.random.default_rng(0)
    sets = [np.unique(rng.integers(0, 2**32, int(n), dtype=np.uint32)) for n in rng.integers(0, 50, 300)]
    with SetStore() as store:
        for lo in range(0, len(sets), 64):
            part = sets[lo : lo + 64]
            store.extend(np.concatenate(part), np.array([len(s) for s in part]))
            assert np.array_equal(store[lo], sets[lo])  # readable while still growing
        assert len(store) == len(sets)
        for i in (0, 1, 150, 299, 42):
            got = store[i]
            assert got.dtype == np.uint32 and np.array_equal(got, sets[i])
        fd = store._file.fileno()
        assert os.fstat(fd).st_size == 4 * sum(len(s) for s in sets)
    with pytest.raises(OSError):
        os.fstat(fd)  # closed: the spool is gone


def test_scan_store_holds_shingle_sets(tmp_path: Path) -> None:
    texts = {"a.txt": "one two three four five six seven", "b.txt": "one two three four five six eight"}
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = scan([tmp_path], threshold=0.3)
    assert [m.id for m in result.clusters[0].members] == ["a.txt", "b.txt"]
    a, b = (shingle_set(t) for t in texts.values())
    assert result.documents[0].shingles == len(a)
    assert result.clusters[0].members[1].jaccard == pytest.approx(
        len(np.intersect1d(a, b)) / len(np.union1d(a, b)))


def reuters_docs(n: int) -> list[Document]:
    if not REUTERS.exists():
        pytest.skip(f"{REUTERS} not found (the shared Reuters-21578 data)")
    with gzip.open(REUTERS, "rt", encoding="utf-8") as f:
        recs = (json.loads(line) for line in f)
        return [Document(str(r["newid"]), r["body"], "reuters", i) for i, r in enumerate(
            islice((r for r in recs if r.get("body")), n), 1)]


def summary(result):  # type: ignore[no-untyped-def]
    return [(c.keep, [(m.id, round(m.jaccard, 9), round(m.containment, 9)) for m in c.members])
            for c in result.clusters], [(p.left, p.right, p.jaccard) for p in result.pairs]


def test_jobs_one_and_two_give_identical_clusters() -> None:
    docs = reuters_docs(3000)
    one = scan_documents(docs, ScanConfig(jobs=1))
    two = scan_documents(docs, ScanConfig(jobs=2))
    assert len(one.clusters) > 20  # Reuters repeats stories: there is something to agree on
    assert summary(one) == summary(two)
    assert [d.shingles for d in one.documents] == [d.shingles for d in two.documents]


def test_json_lines_read_by_the_workers_give_what_reading_here_gives(tmp_path: Path) -> None:
    """With workers, JSON lines are parsed in them; every document, pair,
    cluster and note (bad lines, duplicate ids across batches, binary, empty
    and truncated files) is what reading them in this process gives."""
    from conftest import need
    from dedup.io import ReadOptions

    with gzip.open(need(REUTERS), "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in islice(f, 1400)]
    lines = [json.dumps(r) for r in records]
    lines[3] = "{not json"
    lines[10] = ""
    lines[11] = json.dumps({"newid": 5, "text": "an id that record 5 has"})
    lines[700] = json.dumps(records[600])  # the same id as an earlier batch's record
    lines[701] = json.dumps([1, 2])
    lines[702] = b"\xff\xfe".decode("latin-1")
    lines += [json.dumps(r) for r in records[:30]]  # duplicates at the end, within and across batches
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as f:
        for r in records[200:600]:
            f.write(json.dumps({**r, "newid": f"b{r['newid']}"}) + "\n")
    data = (tmp_path / "b.jsonl.gz").read_bytes()
    (tmp_path / "c.jsonl.gz").write_bytes(data[: len(data) // 2])  # truncated
    (tmp_path / "d.jsonl").write_text("\n\n", encoding="utf-8")  # empty
    (tmp_path / "e.jsonl").write_bytes(b"\x00\x01binary\n{}\n")
    sources = [str(tmp_path / n) for n in ("a.jsonl", "d.jsonl", "b.jsonl.gz", "e.jsonl", "c.jsonl.gz")]
    results = []
    for jobs in (1, 2):
        opts = ReadOptions()
        results.append((scan(sources, ScanConfig(jobs=jobs), read_options=opts), opts))
    (one, o1), (two, o2) = results
    assert one.documents == two.documents and one.pairs == two.pairs and one.clusters == two.clusters
    assert one.skipped == two.skipped and len(one.skipped) > 40
    assert (o1.files_read, o1.bytes_done, o1.bytes_total) == (o2.files_read, o2.bytes_done, o2.bytes_total)
    reasons = " ".join(n.reason for n in two.skipped)
    for reason in ("malformed JSON", "duplicate id", "not a JSON object", "binary file", "empty file",
                   "could not read to the end"):
        assert reason in reasons
