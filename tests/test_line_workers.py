"""JSON lines parsed in the scan's worker processes (``--jobs 2``): the same documents, notes,
strict errors and clusters as reading them in one process (``--jobs 1``)."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
from pathlib import Path
from typing import Optional

import numpy as np
import pytest
from click.testing import CliRunner

from dedup import pipeline, records
from dedup.cli import cli
from dedup.errors import InputError
from dedup.io import FileMark, LineBatch, LineReader, ReadOptions, Skipped, parse_lines, read_documents
from dedup.pipeline import ScanConfig, scan
from dedup.pool import can_fork

WORDS = [f"w{k}" for k in range(3000)]


def article(rng: random.Random, n: int = 80) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def edited(rng: random.Random, text: str) -> str:
    words = text.split()
    words[rng.randrange(len(words))] = "changed"
    return " ".join(words)


def messy_lines(seed: int = 1) -> list[str]:
    """Records of every kind a JSON lines file can hold, near-duplicates among them."""
    rng = random.Random(seed)
    lines: list[str] = []
    texts = []
    for k in range(40):
        text = edited(rng, texts[rng.randrange(len(texts))]) if texts and k % 3 == 0 else article(rng)
        texts.append(text)
        lines.append(json.dumps({"id": f"doc{k}" if seed == 1 else f"s{seed}-{k}", "text": text,
                                 "date": f"2026-11-{1 + k % 20:02d}"}))
    bad = [
        "",  # blank: nothing
        "{not json",
        "[1, 2, 3]",  # not an object
        json.dumps({"id": "notext", "title": ""}),
        json.dumps({"id": "big", "text": "x " * 3000}),  # text over the limit
        json.dumps({"id": "line", "text": "y", "pad": "z" * 9000}),  # line over the limit
        json.dumps({"text": article(rng)}),  # no id: FILE:LINE
        json.dumps({"id": f"doc3-{seed}", "text": article(rng)}),
        json.dumps({"id": f"doc3-{seed}", "text": article(rng)}),  # repeats an id of an earlier batch
        json.dumps({"id": f"doc41-{seed}", "text": texts[5]}),
        json.dumps({"id": f"doc41-{seed}", "text": texts[6]}),  # repeats the line before (same batch)
        "\x00\x01 binary-looking but not line 1",
        json.dumps({"id": "deep", "text": "a"}) [:-1] + ', "n": ' + "[" * 2000 + "]" * 2000 + "}",
        json.dumps({"id": "bad\ud800", "text": article(rng)}),
    ]
    for k, line in enumerate(bad):
        lines.insert(3 + 3 * k, line)
    return lines


def write_jsonl(path: Path, lines: list[str], gz: bool = False) -> Path:
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", messy_lines(1))
    write_jsonl(folder / "b.jsonl.gz", messy_lines(2), gz=True)
    whole = gzip.compress(("\n".join(messy_lines(3)) + "\n").encode())
    (folder / "c-truncated.jsonl.gz").write_bytes(whole[: len(whole) * 2 // 3])  # ends early: read what is there
    (folder / "d-empty.jsonl").write_bytes(b"\n\n")
    (folder / "e-binary.jsonl").write_bytes(b"\x00\x01\x02" * 100 + b"\n" + b'{"id": "x", "text": "y"}\n')
    (folder / "f-utf16.ndjson").write_bytes(("\n".join(messy_lines(4)[:12]) + "\n").encode("utf-16"))
    (folder / "g.txt").write_text("ignored: not read when --include names JSON lines only")
    (folder / "h.jsonl").write_bytes(b'{"id": "doc0", "text": "' + b"word " * 40 + b'"}\n')  # id of a.jsonl
    return folder


def outcome(folder: Path, jobs: int, strict: bool = False, stdin: Optional[bytes] = None,
            sources: Optional[list] = None) -> tuple:
    opts = ReadOptions(max_document_bytes=5000, strict=strict, include=("*.jsonl", "*.jsonl.gz", "*.ndjson"))
    files: list[str] = []
    result = scan(sources or [folder], ScanConfig(jobs=jobs), read_options=opts, on_file=files.append,
                  stdin=io.BytesIO(stdin) if stdin is not None else None)
    clusters = [(c.keep, [(m.id, m.jaccard, m.containment) for m in c.members]) for c in result.clusters]
    return (result.documents, [str(s) for s in result.skipped], clusters, result.pairs, result.files_read,
            result.files_ignored, files, opts.bytes_total)  # bytes_done is progress, read ahead here


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "BATCH", 4)  # many batches, ids repeated across and within them


def test_reader_sees_json_lines_only(tmp_path: Path) -> None:
    folder = inputs(tmp_path)
    assert LineReader([folder], ReadOptions(include=("*.jsonl", "*.jsonl.gz", "*.ndjson"))).jsonl_only
    assert not LineReader([folder]).jsonl_only  # g.txt is read too
    assert LineReader(["-"]).jsonl_only
    with pytest.raises(ValueError, match="JSON lines or plain text inputs only"):
        next(LineReader([folder]).events(4))


def test_workers_give_the_notes_and_documents_of_one_process(tmp_path: Path, small_batches: None) -> None:
    folder = inputs(tmp_path)
    one, two = outcome(folder, 1), outcome(folder, 2)
    assert one == two
    documents, notes = one[0], one[1]
    assert len(documents) > 80 and len(one[2]) > 5  # documents from every readable file, and clusters
    joined = "\n".join(notes)
    for expected in ("a.jsonl:7: malformed JSON line", "record is not a JSON object", "record has no text in",
                     "line larger than 5,000 bytes", "duplicate id 'doc3-1'",
                     "duplicate id 'doc41-2'", "JSON nested deeper", "could not read to the end",
                     "d-empty.jsonl: empty file", "e-binary.jsonl: binary file, not JSON lines",
                     "h.jsonl:1: duplicate id 'doc0'"):
        assert expected in joined, expected
    assert any(d.id.endswith("a.jsonl:22") for d in documents)  # a record without id is FILE:LINE


@pytest.mark.parametrize("ring", [0, 3000, 8 << 20])
def test_lines_left_as_read_give_what_one_process_gives(tmp_path: Path, small_batches: None,
                                                        monkeypatch: pytest.MonkeyPatch, ring: int) -> None:
    """With pieces no larger than the line limit, the scan's process hands its lines to the workers
    as read, not split: in the pool's shared memory (all of them, or those that fit: 3,000 bytes hold
    one batch of four lines at a time), else pickled. The outcome is one process's."""
    from dedup import io as dio, pool as dpool

    monkeypatch.setattr(dio, "_CHUNK", 1024)  # the limit is 5,000 bytes: over it only across pieces
    monkeypatch.setattr(pipeline, "RING_BYTES", ring)
    puts: list[bool] = []
    real = dpool.Ring.put

    def put(self: dpool.Ring, parts: list) -> Optional[dpool.Slot]:
        got = real(self, parts)
        puts.append(got is not None)
        return got

    monkeypatch.setattr(dpool.Ring, "put", put)
    folder = inputs(tmp_path)
    assert outcome(folder, 2) == outcome(folder, 1)
    if ring and can_fork():
        assert sum(puts) > 5 and (all(puts) if ring > 3000 else not all(puts)), puts
    else:
        assert not puts


def log_parsing(monkeypatch: pytest.MonkeyPatch, log: Path) -> None:
    """Have every process that parses a batch of lines write its pid to ``log``."""
    real = records.parse_lines

    def logged(batch: LineBatch, opts: ReadOptions) -> list:
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(batch, opts)

    monkeypatch.setattr(records, "parse_lines", logged)


def keep_counts(monkeypatch: pytest.MonkeyPatch) -> list:
    """The frequency counts each scan makes, appended to the list returned as they are made."""
    made: list[pipeline.Counts] = []
    real = pipeline.Counts.make.__func__  # type: ignore[attr-defined]

    def keep(cls: type, config: ScanConfig, shared: bool = False) -> pipeline.Counts:
        made.append(real(cls, config, shared))
        return made[-1]

    monkeypatch.setattr(pipeline.Counts, "make", classmethod(keep))
    return made


def test_workers_parse_the_lines(tmp_path: Path, small_batches: None, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "pids"
    log_parsing(monkeypatch, log)
    notes = outcome(inputs(tmp_path), 2)[1]
    pids = log.read_text().split()
    assert set(pids) - {str(os.getpid())}  # worker processes parsed (how many of the two is up to the scheduler)
    # This process parses again at most the batches that repeat an id (each repeat is in its own batch
    # here); not those whose worker had met the id itself and left the repeat out.
    repeats = sum("duplicate id" in note for note in notes)
    assert pids.count(str(os.getpid())) <= repeats and len(pids) > 3 * repeats


@pytest.mark.parametrize("reread", [False, True])
def test_workers_leave_out_repeats_of_ids_they_met(tmp_path: Path, small_batches: None,
                                                   monkeypatch: pytest.MonkeyPatch, reread: bool) -> None:
    """A file that repeats four ids over and over: each worker meets them in its first batch and hashes
    no repeat after it, so this process parses again at most one batch per worker instead of all but
    the first; documents, notes, pairs and counts are those of one process."""
    rng = random.Random(3)
    texts = [article(rng) for _ in range(4)]
    lines = [json.dumps({"id": f"r{k % 4}", "text": edited(rng, texts[k % 4])}) for k in range(240)]
    lines[5:5] = [json.dumps({"id": "only", "text": article(rng)})]
    path = write_jsonl(tmp_path / "repeats.jsonl", lines)
    log = tmp_path / "pids"
    log_parsing(monkeypatch, log)
    made = keep_counts(monkeypatch)
    results = []
    for jobs in (1, 2):
        log.write_text("")
        made.clear()
        result = scan([path], ScanConfig(jobs=jobs), reread=reread)
        (counts,) = made
        results.append((result.documents, [str(s) for s in result.skipped], result.pairs, counts.shingles.docs,
                        counts.shingles.counts.copy(), counts.words.counts.copy()))
        if jobs == 2:
            again = log.read_text().split().count(str(os.getpid()))
    one, two = results
    assert len(one[0]) == 5 and sum("duplicate id" in note for note in one[1]) == 236
    assert one[:4] == two[:4] and np.array_equal(one[4], two[4]) and np.array_equal(one[5], two[5])
    assert again <= 2


@pytest.mark.parametrize("reread", [False, True])
def test_workers_count_the_frequencies_one_process_counts(tmp_path: Path, small_batches: None,
                                                          monkeypatch: pytest.MonkeyPatch, reread: bool) -> None:
    # With -j 2 the workers count shingle and word frequencies into shared memory; the documents this
    # process refuses afterwards (ids repeated across batches) must be taken back out of them.
    made = keep_counts(monkeypatch)
    folder = inputs(tmp_path)
    opts = dict(include=("*.jsonl", "*.jsonl.gz", "*.ndjson"), max_document_bytes=5000)
    counted = []
    for jobs in (1, 2):
        made.clear()
        result = scan([folder], ScanConfig(jobs=jobs), read_options=ReadOptions(**opts), reread=reread)
        (counts,) = made
        assert counts.shingles is not None
        counted.append((counts.shingles.docs, counts.words.docs, counts.shingles.counts.copy(),
                        counts.words.counts.copy(), len(result.documents)))
    assert (counted[0][0], counted[0][1]) == (counted[1][0], counted[1][1]) == (counted[0][4],) * 2
    assert counted[0][2].sum() > 1000 and np.array_equal(counted[0][2], counted[1][2])
    assert counted[0][3].sum() > 20 and np.array_equal(counted[0][3], counted[1][3])
    assert any("duplicate id 'doc3-1'" in str(note) for note in result.skipped)


def test_workers_that_cannot_share_memory_leave_the_counting_to_the_scan(tmp_path: Path, small_batches: None,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Where processes are spawned, not forked (Windows), the workers send their sets back to be counted.
    folder = inputs(tmp_path)
    forked = outcome(folder, 2)
    tasks: list[str] = []
    real = pipeline.worker_pool

    def pool(*args: object, **kwargs: object) -> object:
        tasks.append("shared" if kwargs.get("counts") is not None else "not shared")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "can_fork", lambda: False)
    monkeypatch.setattr(pipeline, "worker_pool", pool)
    assert outcome(folder, 2) == forked and tasks == ["not shared"]


def strict_errors(folder: Path) -> list[str]:
    """The error a --strict scan of the folder stops with, with -j 1 and with -j 2."""
    errors = []
    for jobs in (1, 2):
        with pytest.raises(InputError) as exc:
            outcome(folder, jobs, strict=True)
        errors.append(str(exc.value))
    return errors


def test_strict_stops_at_the_same_first_problem(tmp_path: Path, small_batches: None) -> None:
    folder = inputs(tmp_path)
    errors = strict_errors(folder)
    assert errors[0] == errors[1]
    # The note itself, naming its file and line once.
    assert errors[0].startswith(f"{folder / 'a.jsonl'}:7: malformed JSON line")


@pytest.mark.parametrize("skip_lines", [0, 5, 40])
def test_strict_stops_at_a_repeated_id_or_a_broken_file(tmp_path: Path, small_batches: None,
                                                          skip_lines: int) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good = [line for line in messy_lines(1) if line.startswith('{"id": "doc')][:12]
    write_jsonl(folder / "a.jsonl", good[skip_lines // 5:])
    whole = gzip.compress(("\n".join(good) + "\n").encode())
    (folder / "b.jsonl.gz").write_bytes(whole[:-10])
    errors = strict_errors(folder)
    assert errors[0] == errors[1]
    assert "duplicate id" in errors[0]


def test_standard_input_in_workers(tmp_path: Path, small_batches: None) -> None:
    data = ("\n".join(messy_lines(5)) + "\n").encode("utf-8", "surrogatepass")
    one = outcome(tmp_path, 1, stdin=data, sources=["-"])
    two = outcome(tmp_path, 2, stdin=data, sources=["-"])
    assert one == two and len(one[0]) > 30
    assert "-:7: malformed JSON line (Expecting property name enclosed in double quotes: column 2); fix or " \
           "remove the line" in one[1]


def test_broken_utf16_stdin_is_read_alike_to_the_break(tmp_path: Path, small_batches: None) -> None:
    # As a file is: the records before the odd byte, then a note (--strict: an error), in any number of jobs.
    data = ("\n".join(messy_lines(6)[:20]) + "\n").encode("utf-16")[:-1]  # an odd byte at the end
    got = [outcome(tmp_path, jobs, stdin=data, sources=["-"]) for jobs in (1, 2)]
    assert got[0][:6] == got[1][:6] and got[0][0]
    assert "could not decode as utf-16" in got[0][1][-1]
    errors = []
    for jobs in (1, 2):
        with pytest.raises(InputError) as exc:
            outcome(tmp_path, jobs, strict=True, stdin=data, sources=["-"])
        errors.append(str(exc.value))
    assert errors[0] == errors[1]


def test_parse_lines_keeps_line_order_and_numbers() -> None:
    batch = LineBatch("f.jsonl", "f.jsonl", (7, 8, 9, 10), (b'{"text": "one two"}\n', b"\n", None, b"[]\n"), None)
    got = parse_lines(batch, ReadOptions(max_document_bytes=100))
    assert [type(g).__name__ for g in got] == ["Document", "Skipped", "Skipped"]
    assert got[0].id == "f.jsonl:7" and got[0].line == 7
    assert str(got[1]) == ("f.jsonl:9: line larger than 100 bytes (the limit; raise it with --max-document-size, "
                           "or split the file)")
    assert got[2].line == 10


def test_events_then_apply_give_read_documents_notes(tmp_path: Path) -> None:
    folder = inputs(tmp_path)
    opts = ReadOptions(max_document_bytes=5000, include=("*.jsonl", "*.jsonl.gz", "*.ndjson"))
    docs = list(read_documents([folder], opts))
    mine = ReadOptions(max_document_bytes=5000, include=opts.include)
    reader = LineReader([folder], mine)
    kept_docs = []
    for event in reader.events(3):
        if isinstance(event, LineBatch):
            parsed = parse_lines(event, mine)
            kept = iter(reader.accept(event, parsed))
            kept_docs += [p for p in parsed if not isinstance(p, Skipped) and next(kept)]
        else:
            assert isinstance(event, (Skipped, FileMark))
            reader.apply(event)
    assert [(d.id, d.text, d.line, d.date) for d in kept_docs] == [(d.id, d.text, d.line, d.date) for d in docs]
    assert mine.skipped == opts.skipped and mine.files_read == opts.files_read


def test_cli_output_identical_for_jobs(tmp_path: Path, small_batches: None) -> None:
    folder = inputs(tmp_path)
    runner = CliRunner()
    outs = []
    for jobs in ("1", "2"):
        res = runner.invoke(cli, ["scan", str(folder), "--jobs", jobs, "--format", "jsonl", "--pairs",
                                   "--include", "*.jsonl*", "--max-document-size", "5000", "--quiet"])
        assert res.exit_code == 0, res.output
        outs.append(res.stdout)
    assert outs[0] == outs[1] and outs[0].count("\n") > 5
