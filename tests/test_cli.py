import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from dedup import __version__
from dedup.cli import cli

from conftest import ROOT, SEED_PAIR

A, B = SEED_PAIR


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def test_version_and_help():
    r = run("--version")
    assert r.exit_code == 0 and r.stdout == f"dedup, version {__version__}\n"
    for flag in ("-h", "--help"):
        r = run("scan", flag)
        assert r.exit_code == 0 and "Examples:" in r.stdout and "dedup scan seeds/" in r.stdout


def test_scan_seeds_text(seeds):
    r = run("scan", seeds)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0] == "5 documents from 5 files: 1 cluster of near-duplicates, 1 duplicate to drop"
    assert lines[2] == "cluster 0 (2 documents)"
    # Each document with its words, date (the file's modification time for a plain file) and first words.
    day = {p.name: datetime.fromtimestamp(p.stat().st_mtime, tz=timezone.utc).strftime("%Y-%m-%d")
           for p in seeds.glob("*.txt")}
    assert lines[3] == f"  keep  {B}  840 words  {day[B]}"
    assert lines[4] == "        This is an archived article and the information in the article may ..."
    assert lines[5] == f"  dup   {A}  611 words  {day[A]}  jaccard 0.45  containment 0.73"
    assert lines[6] == ("        date 2021-11-18 SACRAMENTO, Calif. (KTXL) — Thousands of health care workers "
                        "are ...")
    assert lines[8].startswith("settings: word 5-grams, 128 permutations (seed 1), LSH ")
    assert r.stderr == ""


def test_scan_text_shows_record_titles_and_dates(tmp_path, seed_texts):
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"id": "old", "title": "Kaiser workers to picket", "date": "2021-11-18",
                             "body": seed_texts[A]}) + "\n" +
                 json.dumps({"id": "new", "headline": "Kaiser workers picket", "date": "2021-11-18T20:00:00Z",
                             "body": seed_texts[B]}) + "\n", encoding="utf-8")
    r = run("scan", p)
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "2 documents from 1 file: 1 cluster of near-duplicates, 1 duplicate to drop"
    assert lines[3:7] == ["  keep  new  843 words  2021-11-18", "        Kaiser workers picket",
                          "  dup   old  615 words  2021-11-18  jaccard 0.44  containment 0.73",
                          "        Kaiser workers to picket"]


def test_scan_seeds_jsonl_contract(seeds):
    r = run("scan", seeds, "--format", "jsonl")
    assert r.exit_code == 0
    (line,) = r.stdout.splitlines()
    assert json.loads(line) == {
        "cluster": 0, "size": 2, "keep": B,
        "members": [{"id": B, "jaccard": 1.0, "containment": 1.0, "keep": True},
                    {"id": A, "jaccard": 0.4477, "containment": 0.7331, "keep": False}]}


def test_scan_json_and_csv(seeds):
    r = run("scan", seeds, "-f", "json")
    body = json.loads(r.stdout)
    assert body["summary"]["documents"] == 5 and body["summary"]["clusters"] == 1
    assert body["summary"]["settings"]["scheme"] == "affine32"
    assert body["clusters"][0]["keep"] == B and body["skipped"] == []
    r = run("scan", seeds, "-f", "csv")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    assert rows == [["cluster", "id", "keep", "jaccard", "containment"], ["0", B, "1", "1.0", "1.0"],
                    ["0", A, "0", "0.4477", "0.7331"]]


def test_pairs(seeds):
    r = run("scan", seeds, "--pairs", "-f", "jsonl")
    assert [json.loads(x) for x in r.stdout.splitlines()] == [
        {"a": A, "b": B, "jaccard": 0.4477, "containment_a_in_b": 0.7331, "containment_b_in_a": 0.5349,
         "rule": "shingles", "checks": {"days": None, "figures": 1.0, "subject": 0.1429, "correction": False}}]
    r = run("scan", seeds, "--pairs")
    lines = r.stdout.splitlines()
    # Both containments say which way they go, and the rule that accepted the pair is named.
    assert lines[2] == "pair 0"
    assert lines[3].startswith(f"  a  {A}  611 words  ") and lines[5].startswith(f"  b  {B}  840 words  ")
    assert lines[7] == "  jaccard 0.45  a in b 0.73  b in a 0.53  accepted by containment >= 0.55"
    r = run("scan", seeds, "--pairs", "--threshold", "0.4")
    assert "  jaccard 0.45  a in b 0.73  b in a 0.53  accepted by jaccard >= 0.4\n" in r.stdout


def test_unique_and_duplicates(seeds):
    # Paths as read, so they work from the current folder (here: the absolute seeds path).
    r = run("scan", seeds, "--duplicates")
    assert r.exit_code == 0 and r.stdout == f"{seeds / A}\n"
    r = run("scan", seeds, "--unique")
    assert r.stdout.splitlines() == sorted(str(p) for p in seeds.glob("*.txt") if p.name != A)
    r = run("scan", seeds, "--unique", "--duplicates")
    assert r.exit_code == 2 and "--unique and --duplicates exclude each other." in r.stderr


@pytest.mark.parametrize("policy,kept", [("first", A), ("longest", B), ("shortest", A)])
def test_keep(seeds, policy, kept):
    r = run("scan", seeds, "--keep", policy, "-f", "jsonl")
    assert json.loads(r.stdout)["keep"] == kept


def test_keep_newest_uses_date_field(tmp_path, seed_texts):
    p = tmp_path / "a.jsonl"
    with p.open("w") as fh:
        fh.write(json.dumps({"id": "old", "date": "2021-11-18", "text": seed_texts[B]}) + "\n")
        fh.write(json.dumps({"id": "new", "date": "2021-11-19", "text": seed_texts[A]}) + "\n")
    r = run("scan", p, "--keep", "newest", "-f", "jsonl")
    assert json.loads(r.stdout)["keep"] == "new"
    # The first publication, which an archive keeps; a copy without a date loses.
    with p.open("a") as fh:
        fh.write(json.dumps({"id": "undated", "text": seed_texts[A]}) + "\n")
    r = run("scan", p, "--keep", "oldest", "-f", "jsonl")
    assert json.loads(r.stdout)["keep"] == "old"
    r = run("scan", p, "--keep", "oldest", "--report", tmp_path / "report")
    assert "the oldest copy (2021-11-18" in (tmp_path / "report" / "cluster-0.html").read_text()


def test_threshold_containment_and_shingle_options(seeds):
    r = run("scan", seeds, "--threshold", "0.8", "--containment", "1.0")
    assert r.exit_code == 0 and r.stdout.startswith("5 documents from 5 files: 0 clusters")
    r = run("scan", seeds, "-n", "3", "-f", "jsonl")
    assert json.loads(r.stdout)["members"][1]["jaccard"] == 0.4762
    r = run("scan", seeds, "--num-perm", "64", "--seed", "7", "-f", "json")
    assert json.loads(r.stdout)["summary"]["settings"]["num_perm"] == 64


@pytest.mark.parametrize("args,message", [
    (["--threshold", "1.5"], "Invalid value for '-t' / '--threshold': must be in (0.0, 1.0]. Got 1.5 instead."),
    (["--containment", "0"], "Invalid value for '-c' / '--containment': must be in (0.0, 1.0]. Got 0.0 instead."),
    (["--shingle-size", "0"], "Invalid value for '-n' / '--shingle-size': must be an int >= 1. Got 0 instead."),
    (["--num-perm", "0"], "Invalid value for '--num-perm': must be an int in [1, 4096]. Got 0 instead."),
    (["--jobs", "-1"], "Invalid value for '-j' / '--jobs': must be an int >= 0. Got -1 instead."),
    (["--short-words", "-1"], "Invalid value for '--short-words': must be an int >= 0. Got -1 instead."),
    (["--keep", "biggest"], "'biggest' is not one of 'first', 'longest', 'newest', 'oldest', 'shortest'."),
    (["--format", "xml"], "'xml' is not one of 'text', 'json', 'jsonl', 'csv', 'parquet'."),
    (["--pairs", "--unique"], "--pairs lists pairs and --unique lists ids; give one of them."),
    (["--pairs", "--duplicates"], "--pairs lists pairs and --duplicates lists ids; give one of them."),
    (["-0"], "-0/--null ends each entry of --unique or --duplicates with a NUL byte; give one of them."),
    (["--null", "--pairs"], "-0/--null ends each entry of --unique or --duplicates"),
    (["--duplicates", "-f", "parquet", "-o", "x.parquet"], "--duplicates lists ids as text, json, jsonl or csv"),
    (["-f", "parquet"], "--format parquet writes a binary file: give it with -o FILE.parquet."),
    (["--report", "r.html"], "--report writes a folder of pages"),
])
def test_usage_errors_exit_2(seeds, args, message):
    r = run("scan", seeds, *args)
    assert r.exit_code == 2
    assert message in r.stderr


def test_missing_path_exit_1(tmp_path):
    r = run("scan", tmp_path / "nope")
    assert r.exit_code == 1
    assert r.stderr == f"Error: {tmp_path / 'nope'}: no such file or folder (check the path)\n"


def test_fail_on_duplicates(seeds, tmp_path):
    assert run("scan", seeds, "--fail-on-duplicates", "-q").exit_code == 3
    shutil.copy(seeds / A, tmp_path / A)
    r = run("scan", tmp_path, "--fail-on-duplicates")
    assert r.exit_code == 0 and "0 clusters" in r.stdout


def test_stdin(seed_texts):
    lines = "".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in seed_texts.items())
    r = run("scan", "-", "--format", "jsonl", input=lines)
    assert r.exit_code == 0 and json.loads(r.stdout)["keep"] == B


def test_gzip_jsonl_input(tmp_path, seed_texts):
    p = tmp_path / "a.jsonl.gz"
    p.write_bytes(gzip.compress("".join(json.dumps({"id": k, "text": v}) + "\n"
                                        for k, v in seed_texts.items()).encode()))
    r = run("scan", p, "--duplicates")
    assert r.stdout == f"{A}\n"


def test_undecodable_file_warns_and_strict_fails(seeds, tmp_path):
    shutil.copytree(seeds, tmp_path / "news")
    bad = tmp_path / "news" / "bad.txt"
    bad.write_bytes("Caf\u00e9 society".encode("latin-1"))
    r = run("scan", tmp_path / "news")
    assert r.exit_code == 0
    assert r.stderr == f"Warning: {bad}: could not decode as UTF-8 at byte 3 (try --encoding latin-1)\n"
    assert r.stdout.startswith("5 documents from 6 files (1 skipped): 1 cluster")
    assert run("scan", tmp_path / "news", "-q").stderr == ""
    r = run("scan", tmp_path / "news", "--strict")
    assert r.exit_code == 1
    assert r.stderr == f"Error: {bad}: could not decode as UTF-8 at byte 3 (try --encoding latin-1)\n"
    r = run("scan", tmp_path / "news", "--encoding", "latin-1")
    assert r.exit_code == 0 and r.stderr == "" and r.stdout.startswith("6 documents from 6 files:")


def test_id_and_text_field_options(tmp_path, seed_texts):
    p = tmp_path / "a.jsonl"
    p.write_text("".join(json.dumps({"key": k, "story": v}) + "\n" for k, v in seed_texts.items()))
    r = run("scan", p, "--id-field", "key", "--text-field", "story", "--duplicates")
    assert r.stdout == f"{A}\n"
    r = run("scan", p, "-q")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith(f"Error: no documents read from {p}: 5 skipped (run without -q to see the warnings).")


def test_output_file_written_atomically(seeds, tmp_path):
    out = tmp_path / "clusters.jsonl"
    r = run("scan", seeds, "-f", "jsonl", "-o", out)
    assert r.exit_code == 0 and r.stdout == ""
    assert json.loads(out.read_text())["keep"] == B
    assert [p.name for p in tmp_path.iterdir()] == ["clusters.jsonl"]


def test_move_duplicates(seeds, tmp_path):
    news = tmp_path / "news"
    shutil.copytree(seeds, news)
    r = run("scan", news, "--move-duplicates", tmp_path / "dupes")
    assert r.exit_code == 0
    assert "moved 1 duplicate file to" in r.stderr
    assert (tmp_path / "dupes" / A).read_text() == (seeds / A).read_text()
    assert not (news / A).exists() and (news / B).exists()
    # A different file already at the target: nothing moves.
    (news / A).write_text((seeds / A).read_text() + "\nOne more line.\n")
    r = run("scan", news, "--move-duplicates", tmp_path / "dupes")
    assert r.exit_code == 1 and "already exists and differs from" in r.stderr and "nothing was moved" in r.stderr
    assert (news / A).exists() and (tmp_path / "dupes" / A).read_text() == (seeds / A).read_text()


def test_move_duplicates_into_a_folder_that_holds_them_leaves_them_in_place(seeds, tmp_path, monkeypatch):
    # The duplicate's place in DEST is where it already is: moving it onto itself used to remove it.
    (tmp_path / "news").mkdir()
    shutil.copy(seeds / A, tmp_path / "news" / "a.txt")
    shutil.copy(seeds / B, tmp_path / "b.txt")
    monkeypatch.chdir(tmp_path)
    for inputs in (["news", "b.txt"], ["news/a.txt", "b.txt"]):
        r = run("scan", *inputs, "--move-duplicates", ".")
        assert r.exit_code == 0, r.stderr
        assert r.stderr == "Warning: news/a.txt: already in .; left in place\nmoved 0 duplicate files to .\n"
        assert (tmp_path / "news" / "a.txt").read_text() == (seeds / A).read_text()
        assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["a.txt", "b.txt"]


def test_move_duplicates_refuses_records(tmp_path, seed_texts):
    p = tmp_path / "a.jsonl"
    p.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in seed_texts.items()))
    r = run("scan", p, "--move-duplicates", tmp_path / "dupes")
    assert r.exit_code == 1 and "not a file of its own" in r.stderr
    assert not (tmp_path / "dupes").exists()


def test_byte_identical_output_across_runs(seeds):
    outs = {run("scan", seeds, "-f", fmt).stdout for fmt in ("json",) for _ in range(3)}
    assert len(outs) == 1


def test_python_dash_m_and_console_script(seeds):
    r = subprocess.run([sys.executable, "-m", "dedup", "scan", "seeds", "--duplicates"], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout == f"seeds/{A}\n"


def test_the_command_alone_shows_its_help_as_help():
    # A bare `dedup` showed its help on one line, line breaks as "\\n" (errors are made one line).
    for args in ([], ["index"]):
        r = subprocess.run([sys.executable, "-m", "dedup", *args], capture_output=True, text=True, cwd=ROOT)
        out = r.stdout + r.stderr
        assert r.returncode == 2 and "\\n" not in out
        assert out.startswith(f"Usage: dedup {' '.join(args) + ' ' if args else ''}[OPTIONS] COMMAND [ARGS]...\n\n")
        assert "\nCommands:\n" in out


def test_output_file_gets_the_usual_mode(seeds, tmp_path):
    out = tmp_path / "c.json"
    old = os.umask(0o022)
    try:
        assert run("scan", seeds, "-f", "json", "-o", out).exit_code == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_boilerplate_share_option(seeds):
    r = run("scan", seeds, "--boilerplate-share", "0", "-q")
    assert r.exit_code == 2 and ("Invalid value for '--boilerplate-share': must be in (0.0, 1.0]. Got 0.0 instead."
                                 in r.output)
    r = run("scan", seeds, "--boilerplate-share", "1", "--format", "json", "-q")
    assert r.exit_code == 0
    body = json.loads(r.stdout)
    assert body["summary"]["settings"]["boilerplate_share"] == 1.0 and body["summary"]["clusters"] == 1


def test_a_document_with_no_words_is_counted_once(tmp_path):
    # Four files: two empty (skipped), one of punctuation only (read, but nothing to compare), one story.
    # The summary adds up to the files read instead of counting the third as a document and as skipped.
    (tmp_path / "punct.txt").write_text("...   !!! ---\n")
    (tmp_path / "spaces.txt").write_text("   \n\n  \n")
    (tmp_path / "zero.txt").write_text("")
    (tmp_path / "one.txt").write_text("Hello.\n")
    r = run("scan", tmp_path)
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0] == ("2 documents from 4 files (2 skipped, 1 document with no words to compare): "
                                        "0 clusters of near-duplicates, 0 duplicates to drop")
    assert f"Warning: {tmp_path / 'punct.txt'}: no words to compare (empty after normalization)" in r.stderr


def test_no_output_replaces_an_input_the_index_or_another_output(seeds, tmp_path, monkeypatch):
    news = tmp_path / "news"
    shutil.copytree(seeds, news)
    monkeypatch.chdir(tmp_path)
    original = {p.name: p.read_bytes() for p in news.iterdir()}
    assert run("index", "add", "q.db", "news", "-q").exit_code == 0
    db = (tmp_path / "q.db").read_bytes()
    cases = [
        (["index", "query", "q.db", "news", "-f", "jsonl", "-o", "q.db"], 2, "the index and -o both name q.db"),
        (["index", "query", "q.db", "news", "-o", "./q.db-wal"], 2, "the index's log and -o both name ./q.db-wal"),
        (["scan", "news", "-q", "--script", f"news/{A}"], 1, f"news/{A} is one of the inputs"),
        (["scan", "news", "-o", "same.txt", "--script", "same.txt"], 2, "-o and --script both name same.txt"),
        (["scan", "news", "-o", "rep/index.html", "--report", "rep"], 2, "-o rep/index.html is inside --report rep"),
        (["diff", f"news/{A}", f"news/{B}", "--corpus", "news", "-o", f"news/{sorted(original)[2]}"], 1,
         "is one of the inputs"),
    ]
    for args, code, message in cases:
        r = run(*args)
        assert r.exit_code == code and message in r.stderr, (args, r.stderr)
        assert r.stderr.count("Error:") == 1
    assert {p.name: p.read_bytes() for p in news.iterdir()} == original
    assert (tmp_path / "q.db").read_bytes() == db
    assert not (tmp_path / "same.txt").exists() and not (tmp_path / "rep").exists()


def test_the_json_summary_counts_every_check_even_at_zero(seeds):
    # A pipeline reads summary.rejected.figures: the key is there on a night with none.
    r = run("scan", seeds, "-f", "json")
    assert json.loads(r.stdout)["summary"]["rejected"] == {"dates": 0, "figures": 0, "subject": 0}


def test_an_output_option_that_names_a_folder_or_nothing_is_a_usage_error(seeds, tmp_path, monkeypatch):
    # "-o newfile/" wrote a file called newfile, and "-o ''" wrote to standard output, without a word.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir").mkdir()
    for args, message in ((["-o", "newfile/"], "-o newfile/ names a folder"), (["-o", ""], "-o needs a file name"),
                          (["--script", "new/"], "--script new/ names")):
        r = run("scan", seeds, *args)
        assert r.exit_code == 2 and message in r.stderr, (args, r.stderr)
    r = run("scan", seeds, "-o", "dir")  # one that exists: the error that suggests a name in it
    assert r.exit_code == 1 and "Error: dir is a folder; give a file name, such as dir/dedup.out" in r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir"]


def test_json_summary_counts_a_document_with_no_words_once(tmp_path):
    # Three records: punctuation only (read, no words), an article, blank text (skipped). The summary said
    # documents 2 and skipped 2: the wordless document counted twice.
    records = tmp_path / "r.jsonl"
    records.write_text(json.dumps({"id": "p", "text": "!!! ..."}) + "\n"
                       + json.dumps({"id": "n", "text": "the quick brown fox jumps over the lazy dog"}) + "\n"
                       + json.dumps({"id": "w", "text": "   "}) + "\n")
    r = run("scan", records, "-f", "json", "-q")
    body = json.loads(r.stdout)
    assert {k: body["summary"][k] for k in ("documents", "skipped", "no_words")} == {
        "documents": 2, "skipped": 1, "no_words": 1}
    assert [n["line"] for n in body["skipped"]] == [3, 1]
    assert run("scan", records, "-q").stdout.startswith(
        "2 documents from 1 file (1 skipped, 1 document with no words to compare):")


def test_a_file_of_no_records_is_named_as_such(tmp_path):
    # "no documents read from empty.json: no files" for a file read whole.
    empty = tmp_path / "empty.json"
    empty.write_text("[]\n")
    for args in (["scan", empty], ["index", "add", tmp_path / "x.db", empty]):
        r = run(*args)
        assert r.exit_code == 1
        assert r.stderr == (f"Error: no documents read from {empty}: the file holds no records; give it files that "
                            "hold articles\n")
    # Beside an empty file, both were called empty.
    blank = tmp_path / "blank.txt"
    blank.write_text("")
    r = run("scan", empty, blank)
    assert r.exit_code == 1 and r.stderr.endswith(
        f"Error: no documents read from {empty}, {blank}: 1 of the 2 files empty (see the warnings above), the "
        "others holding no records; give it files that hold articles\n")


def test_index_query_help_does_not_speak_of_a_new_index():
    # Its settings were described as "[new index: 0.5]"; query never makes an index.
    text = " ".join(run("index", "query", "--help").stdout.split())  # help lines wrap
    assert "new index" not in text and text.count("(the index's; a different one is an error)") == 5
    assert " ".join(run("index", "add", "--help").stdout.split()).count("[new index: ") == 5


def test_standard_input_given_twice_is_read_once():
    # "3 documents from 2 files": - counted as two files (and a stream given as stdin read twice failed).
    lines = "".join(json.dumps({"id": k, "text": f"story {k} about the council vote on the bridge"}) + "\n"
                    for k in ("a", "b", "c"))
    r = run("scan", "-", "-", "-f", "json", input=lines)
    body = json.loads(r.stdout)
    assert r.exit_code == 0 and (body["summary"]["documents"], body["summary"]["files_read"]) == (3, 1)
    assert [(s["path"], s["reason"]) for s in body["skipped"]] == [("-", "standard input given twice; read once")]
