"""Reading tables: CSV and TSV (header row, quoted multi-line fields, gzip)
and Parquet (pyarrow, in row-group batches), with the same field defaults as
JSON; folder scans and --include / --exclude."""

from __future__ import annotations

import csv
import gzip
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedup.io
from dedup.cli import cli
from dedup.errors import InputError
from dedup.io import PARQUET_BATCH_ROWS, ReadOptions, read_documents

from conftest import CHAINS, ROOT, SEED_PAIR, need

A, B = SEED_PAIR


def read(paths, **kw):
    opts = ReadOptions(**kw)
    return list(read_documents([str(p) for p in paths], opts)), opts


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)


def test_csv_with_quoted_multiline_fields(tmp_path, seed_texts):
    p = tmp_path / "news.csv"
    write_csv(p, [["url", "title", "date", "text"],
                  ["https://a/1", "Old, with a comma", "2021-11-18", seed_texts[A]],
                  ["https://a/2", "New \"quoted\"", "2021-11-19", seed_texts[B]]])
    assert "\n\n" in seed_texts[A]  # paragraphs: the field spans many lines
    docs, opts = read([p])
    assert [d.id for d in docs] == ["https://a/1", "https://a/2"]
    assert [d.text for d in docs] == [seed_texts[A], seed_texts[B]]
    assert [d.title for d in docs] == ["Old, with a comma", 'New "quoted"']
    assert docs[0].date == datetime(2021, 11, 18, tzinfo=timezone.utc)
    # A record's number is the line it starts on (the header is line 1).
    assert docs[0].line == 2 and docs[1].line == 2 + seed_texts[A].count("\n") + 1
    assert not docs[0].is_file and opts.files_read == 1 and not opts.skipped


def test_tsv_gz_and_field_options(tmp_path, seed_texts):
    p = tmp_path / "news.tsv.gz"
    write_csv(p, [["key", "story"], ["one", seed_texts[A]], ["two", seed_texts[B]], ["three", ""]], "\t")
    docs, opts = read([p], id_field="key", text_field="story")
    assert [d.id for d in docs] == ["one", "two"]
    line = 2 + seed_texts[A].count("\n") + 1 + seed_texts[B].count("\n") + 1
    assert [str(s) for s in opts.skipped] == [f"{p}:{line}: record has no text in 'story' (choose the field with "
                                              "--text-field)"]


def test_semicolon_csv_is_read_by_its_header(tmp_path):
    p = tmp_path / "export.csv"
    p.write_text("id;title;text\n1;Rates;\"The bank raised rates; markets fell, then rose.\"\n", encoding="utf-8")
    docs, opts = read([p])
    assert [(d.id, d.title, d.text) for d in docs] == [("1", "Rates", "The bank raised rates; markets fell, then rose.")]
    p.write_text("id,text\n1,one; two; three\n", encoding="utf-8")
    docs, _ = read([p])
    assert [d.text for d in docs] == ["one; two; three"]


def test_csv_problems_are_one_line_each(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,text\n1,caf\xe9 au lait\n")
    _, opts = read([bad])
    assert [str(s) for s in opts.skipped] == [f"{bad}: could not decode as UTF-8 (try --encoding latin-1)"]
    docs, _ = read([bad], encoding="latin-1")
    assert [d.text for d in docs] == ["café au lait"]
    wide = tmp_path / "wide.csv"
    wide.write_text("id,text\n1,one,two\n2,fine text\n", encoding="utf-8")
    docs, opts = read([wide])
    assert [d.id for d in docs] == ["2"]
    assert [str(s) for s in opts.skipped] == [
        f"{wide}:2: row has 3 fields but the header has 2 (quote fields that hold the delimiter)"]
    header_only = tmp_path / "empty.csv"
    header_only.write_text("id,text\n", encoding="utf-8")
    _, opts = read([header_only])
    assert [s.reason for s in opts.skipped] == ["empty file (a CSV file needs a header row and at least one row)"]
    with pytest.raises(InputError, match="could not decode as UTF-8"):
        read([bad], strict=True)


def test_a_csv_quote_never_closed_is_a_note_not_a_record_holding_the_rest_of_the_file(tmp_path):
    # Read silently before: record 2 held record 3's line as its text, and --strict passed.
    path = tmp_path / "open.csv"
    path.write_text('id,text\n1,"The council approved the budget"\n2,"The mayor spoke, never closed\n'
                    '3,"The mayor spoke three"\n4,fine\n', encoding="utf-8")
    docs, opts = read([path])
    assert [d.id for d in docs] == ["1", "4"]  # the reader's quote rules end record 2 with line 4
    assert [str(s) for s in opts.skipped] == [
        f"{path}:3: a quote in this record is misplaced or not closed, so the next 1 line was read into it; fix the "
        "quoting"]
    with pytest.raises(InputError, match="not closed"):
        read([path], strict=True)
    path.write_text('id,text\n1,"The council approved the budget"\n2,"The mayor spoke, never closed\n'
                    '3,more\n4,fine\n', encoding="utf-8")
    docs, opts = read([path])
    assert [d.id for d in docs] == ["1"] and "the next 2 lines were read into it" in str(opts.skipped[0])
    # A quote opened on the last line and never closed (accepted as it was); a field over the last two lines,
    # closed, with no line feed at the end, is fine.
    path.write_text('id,text\n1,"The council approved the budget"\n2,fine\n3,"three never closed', encoding="utf-8")
    docs, opts = read([path])
    assert [d.id for d in docs] == ["1", "2"] and [str(s) for s in opts.skipped] == [
        f"{path}:4: a quote in this record is misplaced or not closed, so it runs to the end of the file; fix the "
        "quoting"]
    path.write_text('id,text\n1,"a\nb"', encoding="utf-8")
    docs, opts = read([path])
    assert [d.text for d in docs] == ["a\nb"] and not opts.skipped
    # Two quotes left open pair up (the second closes the first: an even quote count), as when a closing
    # quote is lost before the next record's opening one: read silently as one record before.
    path.write_text('id,text\n1,"The council voted on the budget.\n2,"The council met again.\n3,fine\n',
                    encoding="utf-8")
    docs, opts = read([path])
    assert [d.id for d in docs] == ["3"] and [str(s) for s in opts.skipped] == [
        f"{path}:2: a quote in this record is misplaced or not closed, so the next 1 line was read into it; fix the "
        "quoting"]
    # Not a header line read with the first record, nor blanks after a closing quote.
    path.write_text('"id" ,text\n1,"two\nlines here"\n2,"multi\nline" \n3,other\n', encoding="utf-8")
    docs, opts = read([path], strict=True)
    assert [(d.id, d.text) for d in docs] == [("1", "two\nlines here"), ("2", "multi\nline "), ("3", "other")]
    # A quoted field over several lines, closed, is one field as before, after a stray quote too.
    fine = tmp_path / "fine.csv"
    fine.write_text('id,text\n1,"two\nlines"\n2,"one ""quoted"" word"\n3,a 5" pipe\n4,"three\nmore\nlines"\n',
                    encoding="utf-8")
    docs, opts = read([fine])
    assert [d.text for d in docs] == ["two\nlines", 'one "quoted" word', 'a 5" pipe', "three\nmore\nlines"]
    assert not opts.skipped
    # A stray quote in an unquoted field of a record over several lines, before or after its quoted field,
    # with either line ending: read as before (the record was dropped as unclosed).
    for text in ('id,title,text\n1,Sony 55" TV review,"The new set is bright.\n\nIt costs less."\n2,Other,"Plain."\n',
                 'id,text,size\r\n1,"two\r\nlines",12" pipe\r\n2,"one",3\r\n'):
        fine.write_bytes(text.encode())
        docs, opts = read([fine], text_field="text")
        assert len(docs) == 2 and not opts.skipped, opts.skipped


def test_a_strict_scan_stopped_inside_a_csv_file_prints_its_error_only(tmp_path):
    path = tmp_path / "z.csv"
    path.write_text("a,b\n1,2\n")
    done = subprocess.run([sys.executable, "-m", "dedup", "scan", "--strict", str(path)], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr == (f"Error: {path}:2: record has no text in text, content, article, title or body "
                           "(choose the field with --text-field)\n")


def test_story_chains_csv_is_read_as_records():
    path = need(CHAINS / "article_texts.csv")
    docs, opts = read([path])
    assert len(docs) == 100 and not opts.skipped
    assert all(d.id.startswith("http") and d.title and d.date is not None for d in docs)
    r = run("scan", path, "-f", "json", "-q")
    assert r.exit_code == 0
    import json
    summary = json.loads(r.stdout)["summary"]
    assert summary["documents"] == 100 and summary["clusters"] > 5


def test_folder_scan_reads_csv_and_counts_what_it_ignores(tmp_path, seed_texts):
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "a.csv", [["id", "text"], ["old", seed_texts[A]]])
    (folder / "b.txt").write_text(seed_texts[B], encoding="utf-8")
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    r = run("scan", folder)
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == ("2 documents from 2 files (1 other file ignored): 1 cluster of "
                                        "near-duplicates, 1 duplicate to drop")


def test_include_and_exclude_globs(tmp_path, seeds):
    folder = tmp_path / "news"
    (folder / "drafts").mkdir(parents=True)
    for p in seeds.glob("*.txt"):
        (folder / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "drafts" / A).write_text((seeds / A).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "page.html").write_text("<p>Nothing to see here at all today.</p>", encoding="utf-8")
    docs, opts = read([folder], exclude=("drafts/*",))
    assert sorted(d.id for d in docs) == sorted(p.name for p in seeds.glob("*.txt")) + ["page.html"]
    assert opts.files_ignored == 1
    docs, opts = read([folder], include=("*.txt",), exclude=("drafts/*", "004_*"))
    assert sorted(d.id for d in docs) == sorted(p.name for p in seeds.glob("*.txt") if not p.name.startswith("004"))
    assert opts.files_ignored == 3
    # A file named on the command line is read whatever the patterns say.
    docs, _ = read([folder / "page.html"], include=("*.txt",))
    assert len(docs) == 1
    r = run("scan", folder, "--include", "0*.txt", "--exclude", "drafts/*", "--duplicates")
    assert r.exit_code == 0 and r.stdout == f"{folder / A}\n"
    r = run("scan", folder, "--include", "*.json")
    assert r.exit_code == 1
    assert r.stderr == (f"Error: no documents read from {folder}: 7 files ignored (suffix not read, or "
                        "--include/--exclude). Point it at files of a supported kind (.txt .md .html .json .jsonl "
                        ".csv .tsv .parquet), or choose the fields with --text-field\n")


# ---------------------------------------------------------------- Parquet

pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed (pip install 'dedup[parquet]')")
import pyarrow.parquet as pq  # noqa: E402


def batch_sizes(monkeypatch) -> list:
    """The rows of each batch pyarrow gives the reader, as it gives them."""
    seen = []
    real = pq.ParquetFile.iter_batches

    def spy(self, *args, **kw):
        for batch in real(self, *args, **kw):
            seen.append(batch.num_rows)
            yield batch

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    return seen


def test_parquet_in_row_group_batches(tmp_path, seed_texts, monkeypatch):
    texts = [seed_texts[n] for n in sorted(seed_texts)]
    n = 2 * PARQUET_BATCH_ROWS + 5
    table = pa.table({
        "newid": list(range(n)),
        "title": [f"story {i}" if i < 5 else None for i in range(n)],
        "date": [datetime(2021, 11, 1 + i % 28, tzinfo=timezone.utc) for i in range(n)],
        "body": [texts[i % 5] + f" Item {i}." if i < 5 else "" for i in range(n)],
    })
    path = tmp_path / "a.parquet"
    pq.write_table(table, path, row_group_size=700)
    seen = batch_sizes(monkeypatch)
    docs, opts = read([path])
    assert [d.id for d in docs] == ["0", "1", "2", "3", "4"]
    assert docs[1].title == "story 1" and docs[1].date == datetime(2021, 11, 2, tzinfo=timezone.utc)
    # No text field: the title and the body make the text, as for JSON.
    assert docs[0].text == "story 0\n\n" + (texts[0] + " Item 0.").strip() and docs[0].line == 1
    assert max(seen) <= PARQUET_BATCH_ROWS and sum(seen) == n
    assert len(opts.skipped) == n - 5 and opts.skipped[0].line == 6


def test_parquet_wide_rows_are_taken_a_few_at_a_time(tmp_path, seed_texts, monkeypatch):
    # 1,024 rows of 10 MB at once held 10 GB: a batch of rows holds about FILE_BATCH_BYTES.
    texts = [seed_texts[n] for n in sorted(seed_texts)]
    n = 40
    path = tmp_path / "wide.parquet"
    pq.write_table(pa.table({"id": [f"r{i}" for i in range(n)], "text": [texts[i % 5] * 4 for i in range(n)]}),
                   path, row_group_size=16)
    seen = batch_sizes(monkeypatch)
    docs, _ = read([path])
    assert len(docs) == n and seen == [16, 16, 8]  # narrow rows: one batch a row group
    seen.clear()
    row = min(len(t) for t in texts) * 4
    monkeypatch.setattr(dedup.io, "FILE_BATCH_BYTES", 3 * row)
    docs, _ = read([path])
    assert [d.id for d in docs] == [f"r{i}" for i in range(n)] and sum(seen) == n
    assert 1 <= max(seen) <= 3


def test_a_parquet_row_group_over_the_file_limit_is_not_decoded(tmp_path, seed_texts):
    # A 110 KB file whose one cell decodes to 1.2 GB took 6 GB: pyarrow decodes a whole row group first. A row
    # group larger, decoded, than --max-file-size is noted and left; the others are read.
    texts = [seed_texts[n] for n in sorted(seed_texts)]
    path = tmp_path / "groups.parquet"
    rows = {"id": [f"r{i}" for i in range(6)],
            "text": [texts[0], texts[1], texts[2] * 40, texts[3], texts[4], texts[0]]}
    pq.write_table(pa.table(rows), path, row_group_size=2, compression="zstd")
    widest = max(pq.ParquetFile(path).metadata.row_group(g).total_byte_size for g in range(3))
    docs, opts = read([path], max_file_bytes=widest - 1)
    assert [d.id for d in docs] == ["r0", "r1", "r4", "r5"] and [d.line for d in docs] == [1, 2, 5, 6]
    [note] = opts.skipped
    assert note.line == 3 and note.reason.startswith("rows 3-4 not read: their row group holds ")
    assert note.reason.endswith("decoded, over the limit (raise it with --max-file-size, or write the file with "
                                "smaller row groups)")


def test_parquet_scan_and_output(tmp_path, seed_texts):
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["old", "new", "other"], "title": ["Old", "New", None],
                             "text": [seed_texts[A], seed_texts[B], seed_texts["002_31e9bada26c2e9f7.txt"]]}), path)
    out = tmp_path / "clusters.parquet"
    r = run("scan", path, "-f", "parquet", "-o", out)
    assert r.exit_code == 0 and r.stdout == ""
    rows = pq.read_table(out).to_pylist()
    assert [(x["cluster"], x["id"], x["keep"], x["title"]) for x in rows] == [(0, "new", True, "New"),
                                                                             (0, "old", False, "Old")]
    assert rows[1]["jaccard"] == pytest.approx(0.4477, abs=1e-4) and rows[1]["words"] == 611
    r = run("scan", path, "-f", "parquet", "-o", out, "--pairs")
    (pair,) = pq.read_table(out).to_pylist()
    assert (pair["a"], pair["b"], pair["rule"]) == ("old", "new", "shingles")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clusters.parquet", "in.parquet"]


def test_parquet_output_of_file_names_that_are_not_utf8(tmp_path, seed_texts):
    folder = tmp_path / "news"
    folder.mkdir()
    # Two copies of one story under names with a stray byte each (Latin-1 names on a UTF-8 system).
    for name in (b"caf\xe9.txt", b"na\xefve.txt"):
        (Path(os.fsdecode(bytes(folder) + b"/" + name))).write_text(seed_texts[A])
    out = tmp_path / "out.parquet"
    for extra in ([], ["--pairs"]):
        r = run("scan", folder, "-f", "parquet", "-o", out, *extra)
        assert r.exit_code == 0, r.stderr
        rows = pq.read_table(out).to_pylist()
        names = {x["id"] for x in rows} if not extra else {rows[0]["a"], rows[0]["b"]}
        assert names == {"caf\\xe9.txt", "na\\xefve.txt"}


def test_damaged_parquet_is_skipped_with_a_warning(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really")
    r = run("scan", bad)
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Warning: {bad}: not a valid Parquet file (")


def test_missing_pyarrow_is_one_line_naming_the_extra(tmp_path):
    path = tmp_path / "in.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": ["some words here"]}), path)
    # A fresh interpreter where importing pyarrow fails, as on a machine without the extra.
    code = ("import sys; sys.modules['pyarrow'] = None; sys.modules['pyarrow.parquet'] = None\n"
            "from dedup.cli import main; sys.argv = ['dedup', 'scan', sys.argv[1]]; main()")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr == f'Error: {path}: reading Parquet needs pyarrow: pip install "dedup[parquet]"\n'
    code = code.replace("'scan', sys.argv[1]]", f"'scan', '{ROOT / 'seeds'}', '-f', 'parquet', '-o', sys.argv[1]]")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out.parquet")], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr == 'Error: writing Parquet needs pyarrow: pip install "dedup[parquet]"\n'


def test_pyarrow_is_imported_only_when_parquet_is_read_or_written():
    code = "import sys, dedup.cli; print('pyarrow' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout == "False\n"


def test_a_csv_field_over_the_document_limit_skips_its_record_and_the_rows_after_it_are_read(tmp_path: Path) -> None:
    # The csv module holds a field (six times its size in memory) up to its limit, four times the document
    # limit: a longer field stopped the file there, losing every row after it. Its record is now passed over
    # to its end, unread, quoted over many lines or not, and the rows after it are read.
    from dedup.io import ReadOptions, read_documents

    path = tmp_path / "big.tsv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("id\ttext\n1\tthe first story is short\n2\t" + "word " * 400_000 + "\n3\tread on\n4\t"
                 + "word " * 1_000_000 + "\n5\tread too\n")
    opts = ReadOptions(max_document_bytes=1 << 19)
    docs = list(read_documents([str(path)], opts))
    assert [d.id for d in docs] == ["1", "3", "5"]
    first, second = opts.skipped
    assert first.line == 3 and first.reason.startswith("text larger than 512 KiB")
    assert (second.line, second.reason) == (5, "a field is larger than 2 MiB (the limit; raise it with "
                                               "--max-document-size); its record was skipped")
    quoted = tmp_path / "big.csv"
    huge = 'a ""quoted"" line of the long story, with a comma\n' * 60_000  # 3 MB over 60,000 lines
    with open(quoted, "w", encoding="utf-8", newline="") as fh:
        fh.write('id,text,title\n1,"first, short",one\n2,"' + huge + '",two\n3,"after it\nover two lines",three\n'
                 '4,last,four\n')
    opts = ReadOptions(max_document_bytes=1 << 19)
    docs = list(read_documents([str(quoted)], opts))
    assert [(d.id, d.text, d.title, d.line) for d in docs] == [
        ("1", "first, short", "one", 2), ("3", "after it\nover two lines", "three", 60_004),
        ("4", "last", "four", 60_006)]
    assert [(n.line, n.reason.split(";")[-1]) for n in opts.skipped] == [(3, " its record was skipped")]


def test_a_binary_text_column_is_called_binary(tmp_path):
    path = tmp_path / "bin.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": [b"hello world"]}), path)
    docs, opts = read([path])
    assert docs == [] and opts.skipped[0].reason == ("record's 'text' holds binary data, not text (choose the text "
                                                     "field with --text-field)")
