"""Plain text files read in the scan's worker processes (``--jobs 2``): the same documents, notes,
counts, strict errors and clusters as reading them in one process (``--jobs 1``)."""

from __future__ import annotations

import gzip
import os
import random
from pathlib import Path
from typing import Optional

import pytest

from dedup import pipeline, records
from dedup.errors import InputError
from dedup.io import LineReader, ReadOptions
from dedup.pipeline import ScanConfig, scan
from dedup.pool import can_fork

WORDS = [f"w{k}" for k in range(3000)]

pytestmark = pytest.mark.skipif(not can_fork(), reason="worker processes are forked")


def article(rng: random.Random, n: int = 80) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def messy_folder(tmp_path: Path) -> Path:
    """Articles (near-duplicates among them) and every kind of text file that gives none."""
    rng = random.Random(7)
    folder = tmp_path / "news"
    (folder / "sub" / "deeper").mkdir(parents=True)
    texts: list[str] = []
    for k in range(40):
        if texts and k % 3 == 0:
            words = texts[rng.randrange(len(texts))].split()
            words[rng.randrange(len(words))] = "changed"
            text = " ".join(words)
        else:
            text = article(rng)
        texts.append(text)
        where = folder if k % 2 else folder / ("sub" if k % 4 == 1 else "sub/deeper")
        (where / f"a{k:02d}.{'md' if k % 5 == 0 else 'txt'}").write_text(f"Title {k}\n\n{text}\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text(" \n\t\n")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text" * 20)
    (folder / "big.txt").write_text("x " * 3000)  # over the 5,000-byte limit below
    (folder / "bad.txt.gz").write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    (folder / "sub" / "packed.txt.gz").write_bytes(gzip.compress(texts[4].encode()))
    (folder / "latin1.txt").write_bytes(("Caf\xe9 " + texts[9]).encode("latin-1"))
    (folder / "dead.txt").symlink_to(tmp_path / "nowhere.txt")  # a link to nothing: cannot be opened
    os.link(folder / "a01.txt", folder / "hard.txt")  # the same file twice
    (folder / "soft.txt").symlink_to(folder / "a03.txt")
    (folder / ".hidden.txt").write_text(texts[2])
    os.mkfifo(folder / "pipe.txt")
    return folder


def outcome(sources: list, jobs: int, strict: bool = False, path_ids: bool = False) -> tuple:
    opts = ReadOptions(max_document_bytes=5000, strict=strict, path_ids=path_ids)
    files: list[str] = []
    result = scan(sources, ScanConfig(jobs=jobs), read_options=opts, on_file=files.append)
    clusters = [(c.keep, [(m.id, m.jaccard, m.containment) for m in c.members]) for c in result.clusters]
    return (result.documents, [str(s) for s in result.skipped], clusters, result.pairs, result.files_read,
            result.files_ignored, files, opts.bytes_total)


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "BATCH", 4)  # many batches of files


def test_reader_sees_plain_text_files_only(tmp_path: Path) -> None:
    folder = messy_folder(tmp_path)
    assert LineReader([folder]).text_only and not LineReader([folder]).jsonl_only
    (folder / "page.html").write_text("<html><body><p>a page</p></body></html>")
    assert not LineReader([folder]).text_only
    assert not LineReader(["-"]).text_only and LineReader(["-"]).jsonl_only


def test_workers_read_the_files_and_give_what_one_process_gives(tmp_path: Path, small_batches: None,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    folder = messy_folder(tmp_path)
    log = tmp_path / "readers.log"
    read_files = records.read_files

    def logged(batch: records.FileBatch, opts: ReadOptions) -> list:
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return read_files(batch, opts)

    monkeypatch.setattr(records, "read_files", logged)
    one = outcome([folder], 1)
    assert not log.exists()  # one process reads the files as it finds them
    two = outcome([folder], 2)
    readers = set(log.read_text().split())
    assert readers and str(os.getpid()) not in readers
    assert two == one
    documents, notes, clusters, _, files_read, _, files, _ = two
    assert len(documents) == 41 and clusters  # 40 articles and the gzipped one
    reasons = "\n".join(notes)
    for name, why in [("empty.txt", "empty file"), ("blank.txt", "empty file"), ("binary.txt", "binary file"),
                      ("big.txt", "file larger than"), ("bad.txt.gz", "not a valid gzip file"),
                      ("dead.txt", "could not read"), ("latin1.txt", "could not decode as UTF-8"),
                      ("hard.txt", "the same file as"),
                      ("soft.txt", "the same file as"), ("pipe.txt", "not a regular file")]:
        assert f"{name}: {why}" in reasons, name
    # Read: every file opened (not the one that could not be, nor the corrupt gzip, nor those met before).
    assert files_read == len(files) - 4


def test_a_strict_scan_stops_at_the_same_file(tmp_path: Path, small_batches: None) -> None:
    folder = messy_folder(tmp_path)
    errors = []
    for jobs in (1, 2):
        with pytest.raises(InputError) as exc:
            outcome([folder], jobs, strict=True)
        errors.append(str(exc.value))
    assert errors[0] == errors[1]


def test_a_repeated_id_refuses_the_later_file_only(tmp_path: Path, small_batches: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # Named by their normalized paths, two different files share an id: f/a.txt, and f/l/../a.txt
    # through a link l to another folder. The later one is refused; the others of its batch are kept.
    # The workers remember no ids, so the scan's process refuses it and hashes the rest of its batch again.
    monkeypatch.setattr(pipeline, "SEEN_IDS", 0)
    rng = random.Random(3)
    (tmp_path / "f").mkdir()
    (tmp_path / "other" / "deep").mkdir(parents=True)
    (tmp_path / "f" / "l").symlink_to(tmp_path / "other" / "deep")
    (tmp_path / "f" / "a.txt").write_text(article(rng))
    (tmp_path / "other" / "a.txt").write_text(article(rng))
    sources: list[Optional[Path]] = []
    for k in range(10):
        path = tmp_path / f"n{k}.txt"
        path.write_text(article(rng))
        sources.append(path)
    sources[5:5] = [tmp_path / "f" / "a.txt", tmp_path / "f" / "l" / ".." / "a.txt"]
    one = outcome(sources, 1, path_ids=True)
    assert one == outcome(sources, 2, path_ids=True)
    documents, notes = one[0], one[1]
    assert len(documents) == 11 and [n for n in notes if "duplicate id" in n] == [
        f"{tmp_path / 'f' / 'l' / '..' / 'a.txt'}: duplicate id "
        f"'{(tmp_path / 'f' / 'a.txt').as_posix()}': an earlier file has the same name relative to what was "
        "named (scan the two apart, or name their folders instead)"]


def test_a_file_over_the_limit_is_noted_by_its_size_unread(tmp_path: Path, small_batches: None,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # Batches cut by bytes too (a few files each here), and the file over the limit never read: a
    # strict scan stops there at once, as one process does.
    import dedup.io

    folder = messy_folder(tmp_path)
    log = tmp_path / "read.log"
    read_text = records.read_text

    def logged(path: Path, *args: object) -> object:
        with open(log, "a") as fh:
            fh.write(f"{path.name}\n")
        return read_text(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(records, "read_text", logged)
    monkeypatch.setattr(dedup.io, "FILE_BATCH_BYTES", 1500)
    one = outcome([folder], 1)
    log.unlink(missing_ok=True)  # one process reads through dedup.io
    assert outcome([folder], 2) == one
    read = log.read_text().split()
    assert "big.txt" not in read and "a01.txt" in read
    assert "big.txt: file larger than 5,000 bytes" in "\n".join(one[1])
