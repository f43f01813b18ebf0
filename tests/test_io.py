import gzip
import io
import json
import os
import pickle

import pytest

from dedup.errors import InputError
from dedup.decode import decode, html_to_text, parse_date
from dedup.io import LineBlock, ReadOptions, read_documents

ARTICLE = "Thousands of health care workers joined the picket line on Thursday across Northern California."

HTML = """<!doctype html><html><head><title>Strike news | Site</title>
<meta property="article:published_time" content="2021-11-18T10:00:00Z">
<style>p { color: red }</style><script>var tracking = "do not read me";</script></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a> Subscribe now</nav></header>
<article><h1>Workers strike</h1>
<p>Thousands of health care workers joined the picket line on Thursday.</p>
<p>Union employees held a sympathy strike in support of the engineers, who have been on strike for over
60 days, and said they would stay out until a fair contract is signed.</p>
<script>document.write("ad")</script></article>
<aside>Related: ten other stories you might like</aside>
<footer>Copyright 2021 Site. All rights reserved.</footer></body></html>"""


def read(paths, **kw):
    opts = ReadOptions(**kw)
    return list(read_documents([str(p) for p in paths], opts)), opts


def test_seed_folder_ids_are_relative_paths(seeds):
    docs, opts = read([seeds])
    assert [d.id for d in docs] == sorted(p.name for p in seeds.glob("*.txt"))
    assert all(d.is_file and d.date is not None for d in docs)
    assert opts.files_read == 5 and not opts.skipped


def test_a_folder_named_with_other_sources_gives_ids_that_start_with_it(tmp_path, monkeypatch):
    # Alone, a folder's files are named relative to it; named beside a file of the same relative name,
    # they carry the folder's path, so neither file is refused as a repeated id.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "news" / "world").mkdir(parents=True)
    (tmp_path / "news" / "a.txt").write_text(ARTICLE)
    (tmp_path / "news" / "world" / "b.txt").write_text(ARTICLE + " More.")
    (tmp_path / "a.txt").write_text("Another story entirely, about the weekend football results.")
    alone, _ = read(["news"])
    assert [d.id for d in alone] == ["a.txt", "world/b.txt"]
    both, opts = read(["news", "a.txt"])
    assert [d.id for d in both] == ["news/a.txt", "news/world/b.txt", "a.txt"] and not opts.skipped
    assert [d.text for d in both[:2]] == [d.text for d in alone]


@pytest.mark.parametrize("sources,path_ids", [(["news"], False), (["news", "more"], False), (["news", "a.txt"], False),
                                              (["news"], True), (["news", "more"], True)])
def test_patterns_match_the_path_inside_the_folder_whatever_the_ids(tmp_path, monkeypatch, sources, path_ids):
    # --include and --exclude match a file's path relative to the folder it was found in, also when its
    # id carries the folder's path (several sources, or `dedup index`'s path ids).
    monkeypatch.chdir(tmp_path)
    for folder in ("news", "more"):
        (tmp_path / folder / "drafts").mkdir(parents=True)
        (tmp_path / folder / "drafts" / "d.txt").write_text(ARTICLE + " Draft.")
        (tmp_path / folder / "kept.txt").write_text(ARTICLE)
    (tmp_path / "a.txt").write_text(ARTICLE)
    docs, _ = read(sources, exclude=("drafts/*",), path_ids=path_ids)
    assert [d.path for d in docs] == ["a.txt" if s == "a.txt" else f"{s}/kept.txt" for s in sources]
    only, _ = read(sources, include=("drafts/*",), path_ids=path_ids)  # a file named on its own is read anyway
    assert [d.path for d in only] == ["a.txt" if s == "a.txt" else f"{s}/drafts/d.txt" for s in sources]


@pytest.mark.parametrize("pattern,matched", [
    ("drafts", ["drafts/d.txt", "world/drafts/d.txt"]),  # a folder of that name, at any depth
    ("world", ["world/drafts/d.txt", "world/kept.txt"]),
    ("world/drafts", ["world/drafts/d.txt"]),
    ("world/*", ["world/drafts/d.txt", "world/kept.txt"]),
    ("d.txt", ["drafts/d.txt", "world/drafts/d.txt"]),
    ("*.txt", ["drafts/d.txt", "kept.txt", "world/drafts/d.txt", "world/kept.txt"]),
    ("nothing", []),
])
def test_a_pattern_that_names_a_folder_stands_for_what_it_holds(tmp_path, monkeypatch, pattern, matched):
    monkeypatch.chdir(tmp_path)
    every = ["drafts/d.txt", "kept.txt", "world/drafts/d.txt", "world/kept.txt"]
    for name in every:
        (tmp_path / "news" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "news" / name).write_text(ARTICLE + " " + name)
    docs, _ = read(["news"], exclude=(pattern,))
    assert [d.id for d in docs] == [f for f in every if f not in matched]
    docs, _ = read(["news"], include=(pattern,))
    assert [d.id for d in docs] == matched


def test_a_byte_order_mark_holds_whatever_encoding_is_given(tmp_path):
    # A folder of old Latin-1 files and newer ones with byte-order marks: --encoding latin-1 reads the
    # first kind, and each marked file by its mark (UTF-8, UTF-16), as text, JSON lines and CSV.
    text = "Caf\u00e9 owners in Montr\u00e9al said prices of coffee beans rose 20 pct since January."
    for enc in ("latin-1", "utf-8-sig", "utf-16"):
        record = json.dumps({"id": f"{enc}-b", "text": text}, ensure_ascii=False) + "\n"
        for name, content in [("a.txt", text), ("b.jsonl", record), ("c.csv", f'id,text\n{enc}-c,"{text}"\n')]:
            (tmp_path / f"{enc}-{name}").write_bytes(content.encode(enc))
    docs, opts = read([tmp_path], encoding="latin-1")
    assert len(docs) == 9 and not opts.skipped
    assert {d.text.strip() for d in docs} == {text}
    marked, opts = read([p for p in sorted(tmp_path.iterdir()) if not p.name.startswith("latin")])
    assert len(marked) == 6 and {d.text.strip() for d in marked} == {text} and not opts.skipped


def test_html_main_text_extracted():
    text, date = html_to_text(HTML)
    assert text.startswith("Workers strike\n\nThousands of health care workers")
    assert "sympathy strike" in text
    for noise in ("tracking", "Subscribe", "Related", "Copyright", "document.write", "Home"):
        assert noise not in text
    assert parse_date(date).year == 2021


@pytest.mark.parametrize("name,payload", [
    ("a.txt", ARTICLE),
    ("a.md", "# Title\n\n" + ARTICLE),
    ("a.html", HTML),
    ("a.json", json.dumps({"id": "x1", "text": ARTICLE})),
    ("a.jsonl", json.dumps({"id": "x1", "text": ARTICLE}) + "\n"),
])
@pytest.mark.parametrize("gz", [False, True])
def test_each_format_plain_and_gzipped(tmp_path, name, payload, gz):
    path = tmp_path / (name + (".gz" if gz else ""))
    data = payload.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    docs, opts = read([tmp_path])
    assert len(docs) == 1 and not opts.skipped
    assert "health care workers" in docs[0].text
    expected_id = "x1" if name.startswith("a.json") else path.name
    assert docs[0].id == expected_id


def test_json_list_and_field_defaults(tmp_path):
    recs = [{"newid": 7, "title": "Cocoa review", "body": "Showers continued in the Bahia zone."},
            {"url": "http://x/2", "content": "Another story entirely."},
            {"body": "No id here, so the line number is used."}]
    (tmp_path / "list.json").write_text(json.dumps(recs), encoding="utf-8")
    docs, _ = read([tmp_path])
    assert [d.id for d in docs] == ["7", "http://x/2", "list.json:3"]
    assert docs[0].text == "Cocoa review\n\nShowers continued in the Bahia zone."


def test_id_text_and_date_fields(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"key": "k1", "story": ARTICLE, "when": "26-FEB-1987 15:01:01.79"}) + "\n")
    docs, _ = read([p], id_field="key", text_field="story", date_field="when")
    assert docs[0].id == "k1" and docs[0].text == ARTICLE
    assert docs[0].date.isoformat().startswith("1987-02-26T15:01:01")


def test_a_record_s_later_update_is_read_beside_its_date(tmp_path):
    # Only web pages had update times: a JSON record's dateModified was dropped, so --keep newest kept the
    # copy published last over the one updated last.
    p = tmp_path / "a.jsonl"
    rows = [{"id": "a", "text": ARTICLE, "date": "2026-11-30T08:00:00Z", "dateModified": "2026-11-30T15:00:00Z"},
            {"id": "b", "text": ARTICLE, "published": "2026-11-30T09:00:00Z", "updated": "2026-11-30T09:00:00Z"},
            {"id": "c", "text": ARTICLE, "updated": "2026-11-30T10:00:00Z"},  # its only date: the date
            {"id": "d", "text": ARTICLE, "date": "2026-11-30", "modified": "not a date"}]
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    docs, opts = read([p])
    got = {d.id: (d.date and d.date.hour, d.updated and d.updated.hour) for d in docs}
    assert got == {"a": (8, 15), "b": (9, None), "c": (10, None), "d": (0, None)} and not opts.skipped


def test_stdin_reads_json_lines():
    stream = io.BytesIO(b'{"id": "a", "text": "one two three"}\n\n{"id": "b", "text": "four five"}\n')
    opts = ReadOptions()
    docs = list(read_documents(["-"], opts, stdin=stream))
    assert [(d.id, d.path) for d in docs] == [("a", "-"), ("b", "-")]


def test_utf8_bom_and_latin1(tmp_path):
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + "Caf\u00e9 opens".encode("utf-8"))
    docs, _ = read([tmp_path / "bom.txt"])
    assert docs[0].text == "Caf\u00e9 opens"
    (tmp_path / "l1.txt").write_bytes("Caf\u00e9 opens".encode("latin-1"))
    docs, opts = read([tmp_path / "l1.txt"])
    assert docs == []
    assert [str(s) for s in opts.skipped] == [
        f"{tmp_path / 'l1.txt'}: could not decode as UTF-8 at byte 3 (try --encoding latin-1)"]
    docs, opts = read([tmp_path / "l1.txt"], encoding="latin-1")
    assert docs[0].text == "Caf\u00e9 opens" and not opts.skipped


def test_bad_inputs_are_skipped_with_file_and_line(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.md").write_text("  \n\n ")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "ok.txt").write_text(ARTICLE)
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "text": "fine text"}\n{oops\n{"id": "c"}\n[1, 2]\n')
    (tmp_path / "bad.json").write_text('{"id": 1, "text": ')
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    os.symlink(tmp_path / "missing-target.txt", tmp_path / "dangling.txt")
    docs, opts = read([tmp_path])
    assert sorted(d.id for d in docs) == ["a", "ok.txt"]
    got = [str(s).replace(str(tmp_path) + os.sep, "") for s in opts.skipped]
    assert got == [
        "bad.json: malformed JSON at line 1 column 19: Expecting value"
        " (fix the file, or name it .jsonl if it holds one object a line)",
        "bad.jsonl:2: malformed JSON line (Expecting property name enclosed in double quotes: column 2);"
        " fix or remove the line",
        "bad.jsonl:3: record has no text in text, content, article, title or body (choose the field with --text-field)",
        "bad.jsonl:4: record is not a JSON object (expected {\"id\": ..., \"text\": ...})",
        "bin.txt: binary file, not text (remove it or give text files only)",
        "blank.md: empty file",
        "dangling.txt: could not read (No such file or directory); check the path and permissions",
        "empty.txt: empty file",
    ]
    assert opts.files_ignored == 1  # notes.pdf is not an article format


def test_strict_raises_on_first_problem(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"\xff\xfe\xfa not utf8")
    with pytest.raises(InputError) as err:
        read([tmp_path], strict=True)
    assert str(err.value) == f"{tmp_path / 'a.txt'}: could not decode as UTF-8 at byte 0 (try --encoding latin-1)"


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(InputError, match="nope: no such file or folder"):
        read([tmp_path / "nope"])


def test_single_path_string_refused():
    with pytest.raises(TypeError, match="Iterable over paths expected"):
        list(read_documents("seeds"))


def test_a_json_true_id_is_spelled_as_json_spells_it(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": true, "text": "one"}\n{"id": 7, "text": "two"}\n')
    docs, _ = read([tmp_path / "a.jsonl"])
    assert [d.id for d in docs] == ["true", "7"]


def test_a_text_field_of_another_type_is_named_in_the_note(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": 1, "text": 12345}\n{"id": 2, "text": ["a list"]}\n'
                                      '{"id": 3, "body": {"x": 1}}\n{"id": 4, "text": null}\n{"id": 5, "text": "ok"}\n')
    docs, opts = read([tmp_path / "a.jsonl"])
    assert [d.id for d in docs] == ["5"]
    assert [n.reason for n in opts.skipped] == [
        "record's 'text' holds a number, not text (choose the text field with --text-field)",
        "record's 'text' holds a list, not text (choose the text field with --text-field)",
        "record's 'body' holds an object, not text (choose the text field with --text-field)",
        "record has no text in text, content, article, title or body (choose the field with --text-field)"]


def test_an_id_field_of_a_list_or_object_is_named_in_the_note(tmp_path):
    # Such a record was read under FILE:LINE, silently: the id the user gave was lost without a word.
    (tmp_path / "a.jsonl").write_text('{"id": [1], "text": "one"}\n{"_id": {"x": 1}, "text": "two"}\n'
                                      '{"id": null, "text": "three"}\n{"id": "ok", "text": "four"}\n')
    docs, opts = read([tmp_path / "a.jsonl"])
    assert [d.id for d in docs] == [f"{tmp_path / 'a.jsonl'}:3", "ok"]
    assert [(n.line, n.reason) for n in opts.skipped] == [
        (1, "record's 'id' holds a list, not an id (give ids as strings or numbers, or choose the field with "
            "--id-field)"),
        (2, "record's '_id' holds an object, not an id (give ids as strings or numbers, or choose the field with "
            "--id-field)")]


def test_duplicate_ids_skipped(tmp_path):
    (tmp_path / "a.jsonl").write_text('{"id": "x", "text": "one"}\n{"id": "x", "text": "two"}\n')
    docs, opts = read([tmp_path])
    assert [d.text for d in docs] == ["one"]
    assert "duplicate id 'x'" in str(opts.skipped[0]) and opts.skipped[0].line == 2


def test_corrupt_gzip(tmp_path):
    (tmp_path / "a.txt.gz").write_bytes(b"not gzip at all")
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress(ARTICLE.encode() * 50)[:-12])  # cut short
    docs, opts = read([tmp_path])
    assert docs == [] and [n.reason for n in opts.skipped] == [
        "not a valid gzip file (Not a gzipped file (b'no')); compress it again, or remove the .gz suffix if it is "
        "not compressed",
        "cut short: its gzip stream ends before the end marker (copy or compress it again from the original)"]


def test_a_record_without_the_text_field_names_the_fields_it_has(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text('{"id": 1, "body": "one story"}\n{"id": 2, "text": "two"}\n', encoding="utf-8")
    docs, opts = read([p], text_field="story")
    assert docs == [] and [str(s) for s in opts.skipped] == [
        f"{p}:1: record has no field 'story' (its fields: 'id', 'body'; choose the field with --text-field)",
        f"{p}:2: record has no field 'story' (its fields: 'id', 'text'; choose the field with --text-field)"]
    # A file that wraps its articles in one record's list says so, not only that the record has no text.
    wrapped = tmp_path / "b.json"
    wrapped.write_text('{"articles": [{"id": 1, "text": "one"}, {"id": 2, "text": "two"}]}', encoding="utf-8")
    docs, opts = read([wrapped])
    assert docs == [] and [str(s) for s in opts.skipped] == [
        f"{wrapped}:1: record has no text in text, content, article, title or body: it holds a list of records in "
        "'articles', which are not read (give one article per record: a JSON list, or one a line)"]
    # A list of other objects (its authors) is no wrapper: the record has no text, that is all.
    wrapped.write_text('{"id": "1", "text": "", "authors": [{"name": "Jane"}]}', encoding="utf-8")
    docs, opts = read([wrapped])
    assert [str(s) for s in opts.skipped] == [
        f"{wrapped}:1: record has no text in text, content, article, title or body (choose the field with "
        "--text-field)"]


def test_a_jsonl_or_csv_gz_that_is_no_gzip_says_so(tmp_path):
    # "could not read to the end (Not a gzipped file (b'no')); re-compress or repair the file" before.
    for name in ("a.jsonl.gz", "b.csv.gz"):
        (tmp_path / name).write_bytes(b"not gzip at all")
    docs, opts = read([tmp_path])
    assert docs == [] and [n.reason for n in opts.skipped] == [
        "not a valid gzip file (it does not start as one); compress it again, or remove the .gz suffix if it is "
        "not compressed"] * 2
    # Bytes after a whole gzip stream raise the same error in Python's reader: the records before them are
    # read, and the note says where it broke, not that the file is no gzip.
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(b'{"id": 1, "text": "one story"}\n') + b"garbage!")
    (tmp_path / "b.csv.gz").unlink()
    docs, opts = read([tmp_path])
    assert [d.id for d in docs] == ["1"] and [n.reason for n in opts.skipped] == [
        "could not read to the end (Not a gzipped file (b'ga')); re-compress or repair the file"]


def test_decode_unknown_encoding():
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        decode(b"abc", "klingon")


@pytest.mark.parametrize("value,year", [("2021-11-18T10:00:00Z", 2021), ("26-FEB-1987 15:01:01.79", 1987),
                                        ("Thu, 18 Nov 2021 10:00:00 +0000", 2021), (1637229600, 2021)])
def test_parse_date(value, year):
    assert parse_date(value).year == year


def test_parse_date_unknown():
    assert parse_date("sometime soon") is None and parse_date(None) is None


@pytest.mark.parametrize("value,expected", [
    ("Nov 30, 2026", "2026-11-30T00:00:00+00:00"),
    ("Nov. 30, 2026", "2026-11-30T00:00:00+00:00"),
    ("Monday, November 30, 2026", "2026-11-30T00:00:00+00:00"),
    ("November 30, 2026 at 7:05 p.m. EST", "2026-11-30T19:05:00-05:00"),
    ("Sept. 3, 2026, 12:15 a.m.", "2026-09-03T00:15:00+00:00"),
    ("3rd of March 2026 12:00 PM", "2026-03-03T12:00:00+00:00"),
    ("30-Nov-2026", "2026-11-30T00:00:00+00:00"),
    ("2026/11/30 19:05", "2026-11-30T19:05:00+00:00"),
    ("Dec 1 2026 10:00 +05:30", "2026-12-01T10:00:00+05:30"),
    ("1606762800", "2020-11-30T19:00:00+00:00"),
    ("1606762800000", "2020-11-30T19:00:00+00:00"),
    ("1796065500.5", "2026-11-30T19:05:00.500000+00:00"),
    # A zone or a.m./p.m. after a date and time moves it: read, not dropped.
    ("2026-11-30T19:05:00 EST", "2026-11-30T19:05:00-05:00"),
    ("Mon, 30 Nov 2026 19:05:00 EST", "2026-11-30T19:05:00-05:00"),
    ("2026-11-30 07:05 PM", "2026-11-30T19:05:00+00:00"),
    # An offset is the time's; a zone's name after it repeats it.
    ("2026-11-30T19:05:00-05:00 EST", "2026-11-30T19:05:00-05:00"),
    ("Mon, 30 Nov 2026 19:05:00 -0500 (EST)", "2026-11-30T19:05:00-05:00"),
    ("2026-11-30T19:05:00.123 EST", "2026-11-30T19:05:00.123000-05:00"),
])
def test_parse_date_as_news_sites_spell_it(value, expected):
    assert parse_date(value).isoformat() == expected


@pytest.mark.parametrize("value", ["05/06/2026", "30/11/2026", "Feb 30, 2026", "Nov 30, 2026 13:05 PM",
                                   "Nov 30, 2026 7:05 PM XYZ", "Updated Nov 30, 2026", "2026/13/01",
                                   "2026-11-30T19:05:00 America/New_York", "2026-11-30T19:05 XYZ"])
def test_parse_date_does_not_guess(value):
    # Day and month in figures are read only year first (05/06 is May or June by country); a zone of
    # unknown letters would move the time by hours; impossible dates and times are none.
    assert parse_date(value) is None


@pytest.mark.parametrize("value", ["26-FEB-1987 15:01:01.79", "3-MAR-1987  09:15:05.40", "1-mar-1987 1:02:03",
                                   "26-FEB-1987 10:00:00.5", "27-MAR-1987 02:17:09.88T C", "27-MAR-1987 00:02:59.13RM"])
def test_parse_date_reuters_forms_read_as_strptime_reads_them(value):
    from datetime import datetime, timezone
    head = value.split("T ")[0].rstrip("RM")
    fmt = "%d-%b-%Y %H:%M:%S.%f" if "." in head else "%d-%b-%Y %H:%M:%S"
    assert parse_date(value) == datetime.strptime(head.title(), fmt).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("value", ["31-FEB-1987 10:00:00", "26-FEB-1987 24:00:00", "26-FOO-1987 10:00:00",
                                   "26-FEB-1987 15:01:01.1234567", "31-FEB-1987 10:00:00.12XY"])
def test_parse_date_impossible_reuters_dates(value):
    assert parse_date(value) is None


# ---------------------------------------------------------------- gzip with ISA-L

def _news_lines(n):
    return "".join(json.dumps({"id": f"doc{i}", "text": f"story {i} " + "words of the story " * 12}) + "\n"
                   for i in range(n)).encode()


def _read_all(stream, size=1 << 20):
    got = bytearray()
    try:
        while True:
            chunk = stream.read1(size)
            if not chunk:
                return bytes(got), None
            got += chunk
    except (OSError, EOFError, ValueError) as exc:
        return bytes(got), exc
    except Exception as exc:  # zlib.error and ISA-L's error
        return bytes(got), exc


@pytest.mark.parametrize("damage", ["trailer", "half", "middle", "none"])
def test_gzip_reader_hands_out_what_zlib_does_before_the_damage(damage):
    from dedup.decode import gzip_reader

    data = _news_lines(12000)  # several megabytes: ISA-L alone would drop the last one before the error
    whole = gzip.compress(data)
    cut = {"trailer": whole[:-10], "half": whole[: len(whole) // 2],
           "middle": whole[:len(whole) // 3] + b"\x00" * 64 + whole[len(whole) // 3 + 64:], "none": whole}[damage]
    ours, ours_exc = _read_all(gzip_reader(io.BytesIO(cut)))
    ref, ref_exc = _read_all(gzip.GzipFile(fileobj=io.BytesIO(cut), mode="rb"))
    assert ours == ref
    assert data.startswith(ours) or damage == "middle"  # zeros in the middle decode as something else first
    assert (ours_exc is None) == (ref_exc is None) == (damage == "none")
    if damage != "none":
        assert len(ours) > 1 << 20
        assert type(ours_exc) is type(ref_exc) and str(ours_exc) == str(ref_exc)


def test_a_truncated_jsonl_gz_gives_every_whole_line_before_the_end(tmp_path):
    data = _news_lines(12000)
    path = tmp_path / "news.jsonl.gz"
    path.write_bytes(gzip.compress(data)[: -4000])
    opts = ReadOptions()
    docs = list(read_documents([str(path)], opts))
    readable, _ = _read_all(gzip.GzipFile(fileobj=io.BytesIO(path.read_bytes()), mode="rb"))
    assert len(docs) == readable.count(b"\n") > 11000
    assert [d.id for d in docs[-2:]] == [f"doc{len(docs) - 2}", f"doc{len(docs) - 1}"]
    assert [s.reason for s in opts.skipped] == [
        "could not read to the end (Compressed file ended before the end-of-stream marker was reached); "
        "re-compress or repair the file"]


def test_gzip_is_read_with_isal_where_installed():
    pytest.importorskip("isal")
    from dedup.decode import gzip_reader

    reader = gzip_reader(io.BytesIO(gzip.compress(b"x\n")))
    assert type(reader).__module__ == "dedup.decode" and isinstance(reader, gzip.GzipFile)
    assert reader.read() == b"x\n"


def _reference_lines(data: bytes, limit: int) -> list:
    """The lines of ``data`` as the reader must give them: split at line feeds, no line after a final
    one, a line over ``limit`` bytes as None."""
    parts = data.split(b"\n")
    last = parts.pop()
    return [None if len(p) > limit else p for p in parts + ([last] if last else [])]


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(data=st.lists(st.sampled_from([b"a", b"bc", b"\n", b"defgh"]), max_size=40).map(b"".join),
       limit=st.integers(1, 12), chunk=st.integers(1, 9), wanted=st.sets(st.integers(1, 45), max_size=12),
       batch=st.integers(1, 4), budget=st.integers(1, 16))
def test_lines_pieces_batches_and_rereads_agree_with_a_plain_split(tmp_path_factory, data, limit, chunk, wanted,
                                                                   batch, budget):
    """Read in pieces of any size, with lines over the limit anywhere (carried across pieces or inside
    one): the lines, the batches of unparsed lines and the lines picked out again are those of a plain
    split. A batch closes at ``batch`` lines or at ``budget`` bytes (lines with their line feeds)."""
    from dedup import io as dio

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dio, "_CHUNK", chunk)
        mp.setattr(dio, "FILE_BATCH_BYTES", budget)
        _check_reading(dio, tmp_path_factory, data, limit, wanted, batch, budget)


def _check_reading(dio, tmp_path_factory, data: bytes, limit: int, wanted: set, batch: int,
                   budget: int = 1 << 30) -> None:
    want = _reference_lines(data, limit)
    opts = ReadOptions(max_document_bytes=limit)
    reader = dio._Reader(opts)
    assert list(reader._lines(io.BufferedReader(io.BytesIO(data)), "x")) == list(enumerate(want, 1))
    batches = list(reader.line_batches(io.BufferedReader(io.BytesIO(data)), "x", "x", batch))
    assert [n for b in batches for n in b.numbers] == list(range(1, len(want) + 1))
    assert [line for b in batches for line in b.lines] == want and all(len(b.numbers) <= batch for b in batches)
    size = [[1 + len(line or b"") for line in b.lines] for b in batches]
    # Each batch is closed by its count, by its bytes (which only its last line takes past the budget),
    # or by the end of the input.
    assert all(sum(s[:-1]) < budget for s in size)
    assert all(len(s) == batch or sum(s) >= budget for s in size[:-1])
    # Left as read (for workers to split): the same batches, whether or not the reader can keep them whole.
    blocks = list(reader.line_batches(io.BufferedReader(io.BytesIO(data)), "x", "x", batch, blocks=True))
    assert [list(b.numbers) for b in blocks] == [list(b.numbers) for b in batches]
    assert [list(b.lines) for b in blocks] == [list(b.lines) for b in batches]
    assert all(isinstance(b.lines, LineBlock) for b in blocks) == (limit >= dio._CHUNK) or not blocks
    assert [list(pickle.loads(pickle.dumps(b)).lines) for b in blocks] == [list(b.lines) for b in batches]
    path = tmp_path_factory.mktemp("reread") / "x.jsonl"
    path.write_bytes(data)
    lr = dio.LineReader([str(path)], ReadOptions(max_document_bytes=limit))
    again = list(lr.reread({str(path): wanted}, batch))
    picked = [(n, line) for b in again for n, line in zip(b.numbers, b.lines)]
    assert picked == [(n, want[n - 1]) for n in sorted(wanted) if n <= len(want)]
    size = [[1 + len(line or b"") for line in b.lines] for b in again]
    assert all(sum(s[:-1]) < budget and len(s) <= batch for s in size)


def test_a_date_string_met_again_gives_the_same_object_and_long_ones_are_not_kept():
    from datetime import datetime, timezone

    from dedup import decode as ddecode

    first, again = parse_date("2026-11-30"), parse_date(" 2026-11-30 ")
    assert first == datetime(2026, 11, 30, tzinfo=timezone.utc) and again is first  # shared, not made twice
    assert parse_date("26-FEB-1987 15:01:01.79") == datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=timezone.utc)
    kept = ddecode._text_date.cache_info().currsize
    long = parse_date("27-MAR-1987 02:17:09.88" + " T" * 200)  # a date followed by codes, read but not kept
    assert long == datetime(1987, 3, 27, 2, 17, 9, 880000, tzinfo=timezone.utc)
    assert parse_date("x" * 100_000) is None
    assert ddecode._text_date.cache_info().currsize == kept


def test_a_text_files_label_is_its_headline_line():
    from dedup.io import Document, headline

    assert headline(Document("a", "GM TO IDLE SIX PLANTS\n\nGeneral Motors Corp said it will idle six plants.")) \
        == "GM TO IDLE SIX PLANTS"
    long = " ".join(f"w{i}" for i in range(20)) + "\n\nmore"
    assert headline(Document("a", long)) == " ".join(f"w{i}" for i in range(12)) + " ..."
    assert headline(Document("a", "One line only")) == "One line only"


def test_a_string_cut_short_is_said_once(tmp_path):
    # JSON's own message ends "starting at": the column followed it as "at at column 40".
    from dedup.io import ReadOptions, read_documents

    (tmp_path / "cut.jsonl").write_text('{"id": "1", "text": "one two\n', encoding="utf-8")
    opts = ReadOptions()
    assert list(read_documents([str(tmp_path / "cut.jsonl")], opts)) == []
    (note,) = opts.skipped
    assert note.reason == "malformed JSON line (Unterminated string starting at: column 21); fix or remove the line"


def test_a_nul_inside_the_first_record_of_json_lines_skips_that_record_only(tmp_path):
    # One NUL byte inside line 1 made the whole file "binary, not JSON lines": 199 good records were lost, and an
    # outsider could hide a file's records so. A first line that reads as one object is a malformed record.
    lines = [json.dumps({"id": f"r{k}", "text": f"story number {k} about many different things"}) for k in range(200)]
    lines[0] = lines[0].replace("story", "sto\x00ry")
    lines[1] += "\x00"  # and one after a record's closing brace
    feed = tmp_path / "nul.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, opts = read([feed])
    assert len(docs) == 198 and [(n.line, n.reason.split(" (")[0]) for n in opts.skipped] == [
        (1, "malformed JSON line"), (2, "malformed JSON line")]
    after = tmp_path / "after.jsonl"  # a NUL after line 1's closing brace
    after.write_text("\n".join([lines[2] + "\x00"] + lines[3:6]) + "\n", encoding="utf-8")
    docs, opts = read([after])
    assert len(docs) == 3 and [n.line for n in opts.skipped] == [1]
    # Binary data is still binary data.
    junk = tmp_path / "junk.jsonl"
    junk.write_bytes(bytes(range(256)) * 8)
    docs, opts = read([junk])
    assert docs == [] and opts.skipped[0].reason.startswith("binary file, not JSON lines")


def test_a_stream_given_as_standard_input_is_read_as_standard_input_and_left_open(tmp_path):
    # scan(["-"], stdin=stream) took gzip for "binary file, not JSON lines" (only sys.stdin was looked at),
    # and closed the caller's stream.
    from dedup import scan

    lines = "".join(json.dumps({"id": f"s{k}", "text": f"story {k} about the council vote on the bridge repairs"})
                    + "\n" for k in range(6)).encode()
    for jobs in (1, 2):
        for data in (lines, gzip.compress(lines)):
            stream = io.BytesIO(data)
            result = scan(["-"], stdin=stream, jobs=jobs)
            assert [d.id for d in result.documents] == [f"s{k}" for k in range(6)] and not result.skipped
            assert not stream.closed
    stream = io.BytesIO(gzip.compress(lines))
    assert [d.id for d in read_documents(["-"], stdin=stream)] == [f"s{k}" for k in range(6)]
    assert not stream.closed
    with pytest.raises(TypeError, match="stdin must be a binary stream"):  # a bare TypeError from inside before
        list(read_documents(["-"], stdin=io.StringIO(lines.decode())))


def test_a_web_page_with_a_few_stray_bytes_is_read_as_a_browser_reads_it(tmp_path):
    # One stray byte in a UTF-8 page skipped the whole page (and --encoding latin-1, the advice, garbled
    # every other character). A few are shown as U+FFFD; a page of another encoding is still named.
    body = ("<html><head><meta charset=utf-8><title>Strike</title></head><body><article><p>"
            + "Workers joined the picket line \u201ctoday\u201d across the valley. " * 40
            + "</p></article></body></html>")
    data = body.encode("utf-8")
    (tmp_path / "stray.html").write_bytes(data.replace(b"valley", b"vall\x92y", 1))
    (tmp_path / "cp1252.html").write_bytes(body.replace("charset=utf-8", "charset=utf-8x").encode("cp1252"))
    docs, opts = read([tmp_path])
    assert [d.id for d in docs] == ["stray.html"]
    assert "vall\ufffdy" in docs[0].text and "\u201ctoday\u201d" in docs[0].text
    assert [str(n) for n in opts.skipped] == [
        f"{tmp_path / 'cp1252.html'}: could not decode as UTF-8 at byte 110 (try --encoding latin-1)"]
    # A page marked UTF-16 that does not decode is not read as UTF-8 (its zero bytes as text).
    (tmp_path / "cp1252.html").unlink()
    (tmp_path / "utf16.html").write_bytes(body.encode("utf-16") + b"\x00")
    docs, opts = read([tmp_path])
    assert [d.id for d in docs] == ["stray.html"] and [n.path for n in opts.skipped] == [str(tmp_path / "utf16.html")]


def test_binary_lines_after_a_json_first_line_are_named_binary_not_latin1(tmp_path):
    # A binary file whose first line is a JSON object was read line by line, and every line was skipped
    # with the advice --encoding latin-1, which cannot help binary data.
    import random

    rng = random.Random(5)
    noise = bytes(rng.randrange(256) for _ in range(20_000))
    (tmp_path / "bin.jsonl").write_bytes(b'{"id": "a", "text": "one two three four five"}\n' + noise)
    (tmp_path / "latin.jsonl").write_bytes('{"id": "b", "text": "caf\u00e9 au lait"}\n'.encode("latin-1"))
    docs, opts = read([tmp_path])
    reasons = [n.reason for n in opts.skipped if n.path.endswith("bin.jsonl")]
    binary = [r for r in reasons if r == "binary data, not a JSON line (is the file a JSON lines file?)"]
    assert [d.id for d in docs] == ["a"] and len(binary) >= 0.9 * len(reasons) > 10
    assert [n.reason for n in opts.skipped if n.path.endswith("latin.jsonl")] == [
        "could not decode as UTF-8 at byte 24 (try --encoding latin-1)"]
