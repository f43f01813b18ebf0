"""Streaming scan: spooled shingle sets, process parallelism, same answers."""

from __future__ import annotations

import gzip
import json
import os
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from dedup import pipeline
from dedup.io import Document
from dedup.pipeline import ScanConfig, scan, scan_documents
from dedup.spool import SetStore
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


# ---------------------------------------------------------------- reading twice

def write_jsonl(path: Path, texts: list[str]) -> Path:
    with path.open("w", encoding="utf-8") as f:
        for k, text in enumerate(texts):
            f.write(json.dumps({"id": f"d{k}", "text": text}) + "\n")
    return path


def seed_texts() -> list[str]:
    """The seed articles, and for each a lightly edited copy and a copy with a new last paragraph."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    edited = [t.replace(" the ", " a ", 3) for t in texts]
    extended = [t + "\n\nThe company did not comment further on the matter on Tuesday." for t in texts]
    rng = np.random.default_rng(7)
    vocab = sorted(set(" ".join(texts).split()))
    unrelated = [" ".join(rng.choice(vocab, 200)) for _ in range(5)]
    return texts + edited + extended + unrelated + ["", "  "]


def scan_summary(result):  # type: ignore[no-untyped-def]
    return (summary(result), result.rejected, result.members_verified, result.candidates,
            [(s.path, s.line, s.reason) for s in result.skipped], [d.shingles for d in result.documents])


@pytest.mark.parametrize("jobs", [1, 2])
def test_reading_twice_gives_the_same_scan_and_keeps_only_candidates_sets(tmp_path: Path, jobs: int,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_jsonl(tmp_path / "news.jsonl", seed_texts() * 1)
    gz = tmp_path / "more.jsonl.gz"
    with gzip.open(gz, "wt", encoding="utf-8") as f:
        for k, text in enumerate(seed_texts()[:5]):
            f.write(json.dumps({"id": f"g{k}", "text": text.upper()}) + "\n")
    wide = tmp_path / "wide.jsonl"  # UTF-16 lines are read through a decoder, a line at a time
    wide.write_text("".join(json.dumps({"id": f"w{k}", "text": t + " \u00e9t\u00e9"}) + "\n"
                            for k, t in enumerate(seed_texts()[:4])), encoding="utf-16")
    once = scan([path, gz, wide], jobs=jobs, reread=False)
    written: list[int] = []
    extend = SetStore.extend

    def counting(self: SetStore, values: np.ndarray, lengths: np.ndarray) -> None:
        written.append(len(lengths))
        extend(self, values, lengths)

    monkeypatch.setattr(SetStore, "extend", counting)
    twice = scan([path, gz, wide], jobs=jobs, reread=True)
    assert len(once.clusters) >= 4 and scan_summary(twice) == scan_summary(once)
    in_pairs = {i for p in once.pairs for i in (p.left, p.right)}
    assert {once.documents[i].id[0] for i in in_pairs} >= {"d", "g", "w"}  # every file is read again
    # Five stores (shingles, words, figures, first lines, titles), each holding the candidates' sets only.
    assert sum(written) % 5 == 0 and len(in_pairs) <= sum(written) // 5 < len(once.documents)


@pytest.mark.parametrize("reread", [True, False])
def test_workers_verify_blocks_of_candidates_as_one_process_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 reread: bool) -> None:
    # With -j 2 the workers verify the candidates a block at a time, reading the sets from the spool the
    # scan's process writes (after they were forked): the same pairs, rejections and clusters.
    rng = np.random.default_rng(3)
    vocab = [f"word{k}" for k in range(5000)]
    unrelated = [" ".join(rng.choice(vocab, 120)) for _ in range(10)]  # first, and in no candidate pair
    footer = " ".join(rng.choice(vocab, 70))  # a site's footer under 12 short stories: boilerplate
    footed = [" ".join(rng.choice(vocab, 40)) + " " + footer for _ in range(12)]
    texts = seed_texts()
    path = write_jsonl(tmp_path / "news.jsonl",
                       unrelated + footed + texts + [t.replace("said", "told reporters") for t in texts])
    one = scan([path], jobs=1, reread=False, boilerplate_share=0.1)
    assert one.candidates > 66 and not {i for p in one.pairs for i in (p.left, p.right)} & set(range(22))
    log = tmp_path / "pids"
    real = pipeline._verify_part

    def logged(*args: object) -> object:
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return real(*args)  # type: ignore[arg-type]

    logged.__module__, logged.__qualname__ = real.__module__, real.__qualname__  # sent to the workers by name
    monkeypatch.setattr(pipeline, "_verify_part", logged)
    monkeypatch.setattr(pipeline, "VERIFY_BLOCK", 3)
    monkeypatch.setattr(pipeline, "BATCH", 16)  # read once, the workers start at the second batch
    two = scan([path], jobs=2, reread=reread, boilerplate_share=0.1)
    assert len(one.pairs) > 8 and scan_summary(two) == scan_summary(one)
    assert [(p.rule, p.days, p.figures, p.subject) for p in two.pairs] == \
        [(p.rule, p.days, p.figures, p.subject) for p in one.pairs]
    pids = log.read_text().split()
    assert len(pids) == -(-one.candidates // 3) and str(os.getpid()) not in pids


def test_reading_twice_on_reuters_is_byte_for_byte_the_same() -> None:
    if not REUTERS.exists():
        pytest.skip(f"{REUTERS} not found (the shared Reuters-21578 data)")
    once = scan([REUTERS], jobs=2, reread=False)
    twice = scan([REUTERS], jobs=2, reread=True)
    assert len(once.pairs) > 1000 and scan_summary(twice) == scan_summary(once)
    assert [(p.left, p.right, p.rule, p.days, p.figures, p.subject) for p in twice.pairs] == \
        [(p.left, p.right, p.rule, p.days, p.figures, p.subject) for p in once.pairs]
    assert "reread" in twice.seconds and "reread" not in once.seconds


@pytest.mark.parametrize("change", ["edit", "truncate", "remove", "device"])
def test_a_file_changed_between_the_two_readings_is_an_error_naming_it(tmp_path: Path, change: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from dedup.errors import InputError
    from dedup.io import LineReader

    texts = seed_texts()
    path = write_jsonl(tmp_path / "news.jsonl", texts)
    reread = LineReader.reread

    def changed_first(self, lines, size):  # type: ignore[no-untyped-def]
        if change == "edit":
            write_jsonl(path, [t.replace("Kaiser", "Someone", 1) for t in texts])
        elif change == "truncate":
            write_jsonl(path, texts[:1])
        elif change == "device":
            path.unlink()
            path.symlink_to("/dev/zero")  # endless, no line feed: must not be read at all
        else:
            path.unlink()
        return reread(self, lines, size)

    monkeypatch.setattr(LineReader, "reread", changed_first)
    with pytest.raises(InputError, match=r"news\.jsonl: changed while it was scanned \(line \d+ "):
        scan([path], reread=True)


def test_standard_input_is_read_once_even_when_asked_to_read_twice(tmp_path: Path) -> None:
    import io

    data = "".join(json.dumps({"id": f"d{k}", "text": t}) + "\n" for k, t in enumerate(seed_texts())).encode()
    assert summary(scan(["-"], stdin=io.BytesIO(data), reread=True)) == \
        summary(scan([write_jsonl(tmp_path / "n.jsonl", seed_texts())], reread=False))


def test_hash_batch_parts_compute_what_they_say() -> None:
    from dedup.pipeline import hash_batch
    from dedup.short import ShortFeatures
    from dedup.signature import MinHasher

    texts = seed_texts()[:6] + ["Short note: 3 cars, 12 trucks. Correction: four buses."]
    config = ScanConfig()
    hasher = MinHasher(config.num_perm, config.seed)
    whole = hash_batch(texts, config, hasher)
    first = hash_batch(texts, config, hasher, part="signatures")
    second = hash_batch(texts, config, hasher, part="sets")
    assert np.array_equal(first.signatures, whole.signatures) and second.signatures.shape == (len(texts), 0)
    for got in (first, second):
        for name in ("values", "lengths", "words", "word_values", "word_lengths"):
            assert np.array_equal(getattr(got, name), getattr(whole, name)), name
        assert np.array_equal(got.occasion.corrections, whole.occasion.corrections)
    for name in ("leads", "lead_lengths", "titles", "title_lengths"):
        assert np.array_equal(getattr(second, name), getattr(whole, name)), name
    assert np.array_equal(second.occasion.figures, whole.occasion.figures) and whole.occasion.figures.size
    assert first.occasion.figures.size == 0 and first.leads.size == 0 and not first.lead_lengths.any()
    # The short-text features of the first reading find their own figures: the same as the whole batch's.
    assert len(whole.short) and len(second.short) == 0
    for name in ShortFeatures.FIELDS:
        assert np.array_equal(getattr(first.short, name), getattr(whole.short, name)), name
    with pytest.raises(ValueError, match="part must be one of"):
        hash_batch(texts, config, hasher, part="half")


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="needs /dev/fd to name a pipe")
def test_a_pipe_beside_a_large_file_is_read_once(tmp_path: Path) -> None:
    from dedup.io import LineReader

    path = write_jsonl(tmp_path / "news.jsonl", seed_texts())
    data = "".join(json.dumps({"id": f"p{k}", "text": t}) + "\n" for k, t in enumerate(seed_texts()[:4])).encode()
    read_end, write_end = os.pipe()
    assert len(data) < 60_000  # within the pipe's buffer: written whole before anything reads it
    os.write(write_end, data)
    os.close(write_end)
    piped = tmp_path / "more.jsonl"
    piped.symlink_to(f"/dev/fd/{read_end}")  # what a shell's <(...) gives, named as JSON lines
    try:
        assert not LineReader([path, piped]).rereadable and LineReader([path]).rereadable
        result = scan([path, piped], reread=True)
    finally:
        os.close(read_end)
    assert len(result.documents) == len(seed_texts()) - 2 + 4 and result.clusters, result.skipped


def test_progress_starts_again_for_the_second_reading(tmp_path: Path) -> None:
    from dedup.io import ReadOptions

    path = write_jsonl(tmp_path / "news.jsonl", seed_texts() * 30)  # 30 copies of each: many batches to re-read
    seen: list[tuple[int, bool, int]] = []
    opts = ReadOptions()
    result = scan([path], read_options=opts, reread=True,
                  progress=lambda n: seen.append((n, opts.rereading, opts.bytes_done)))
    first = [n for n, again, _ in seen if not again]
    second = [(n, done) for n, again, done in seen if again]
    assert first[-1] == len(result.documents) and second and opts.rereading
    in_pairs = {i for p in result.pairs for i in (p.left, p.right)}
    assert [n for n, _ in second] == sorted(n for n, _ in second) and second[-1][0] >= len(in_pairs)
    assert all(0 < done <= path.stat().st_size for _, done in second)


def test_the_cli_reads_twice_when_asked_and_gives_the_same_output(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from dedup.cli import cli
    from dedup.io import LineReader

    path = write_jsonl(tmp_path / "news.jsonl", seed_texts())
    calls: list[int] = []
    reread = LineReader.reread

    def counted(self, lines, batch):  # type: ignore[no-untyped-def]
        calls.append(sum(len(v) for v in lines.values()))
        return reread(self, lines, batch)

    monkeypatch.setattr(LineReader, "reread", counted)
    outputs = {}
    for flag in ("--reread", "--no-reread", None):
        r = CliRunner().invoke(cli, ["scan", str(path), "-f", "jsonl", "--pairs"] + ([flag] if flag else []))
        assert r.exit_code == 0, r.output
        outputs[flag] = r.stdout
    assert outputs["--reread"] == outputs["--no-reread"] == outputs[None] and outputs[None].count("\n") >= 4
    assert len(calls) == 1 and 0 < calls[0] < len(seed_texts())  # --reread only; this small file is read once by default


def test_scan_refuses_a_reread_that_is_no_bool_and_a_text_stdin(tmp_path: Path) -> None:
    import io

    path = write_jsonl(tmp_path / "news.jsonl", seed_texts()[:3])
    with pytest.raises(TypeError, match="reread must be True, False or None; got 'yes'"):
        scan([path], reread="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="stdin must be a binary stream"):
        scan(["-"], stdin=io.StringIO(path.read_text(encoding="utf-8")))  # type: ignore[arg-type]


def test_long_documents_are_hashed_a_few_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # Hashing takes about 25 times a batch's text in memory: 256 articles of 10 MB in one batch took
    # 5 GB for 20 of them. A batch closes at BATCH_CHARS characters, and the answer stays the same.
    texts = list(seed_texts())
    docs = [Document(f"d{k}", texts[k % 5] * (1 + k % 3), "-", k + 1) for k in range(12)]
    sizes = [len(d.text) for d in docs]
    whole = [[d.id for d in b] for b in pipeline.document_batches(docs, 256)]
    assert whole == [[d.id for d in docs]]
    budget = 2 * max(sizes)
    batches = list(pipeline.document_batches(docs, 256, budget))
    assert [d for b in batches for d in b] == docs and len(batches) > 1
    assert all(sum(len(d.text) for d in b) <= budget for b in batches)
    assert [len(b) for b in pipeline.document_batches(docs, 5, 10**9)] == [5, 5, 2]
    # A document longer than the budget is a batch alone.
    assert [len(b) for b in pipeline.document_batches(docs[:3], 256, 1)] == [1, 1, 1]
    hashed: list[int] = []
    real = pipeline.hash_batch

    def spy(texts, *args, **kwargs):  # type: ignore[no-untyped-def]
        hashed.append(sum(map(len, texts)))
        return real(texts, *args, **kwargs)

    expected = summary(scan_documents(docs))
    assert len(expected[0]) >= 3  # copies of a seed article, repeated 1 to 3 times, are grouped
    monkeypatch.setattr(pipeline, "hash_batch", spy)
    monkeypatch.setattr(pipeline, "BATCH_CHARS", budget)
    assert summary(scan_documents(docs)) == expected
    assert len(hashed) > 1 and max(hashed) <= budget
