"""CLI conventions: scans that read nothing, summarized warnings, the
removal script, id lists in every format, refused option combinations,
the recall warning, help defaults built from the code, dedup diff on
stdin with --exit-code, and the index's exit code, stdin ids and JSON."""

from __future__ import annotations

import json
import platform
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import cli
from dedup.io import BODY_FIELDS, DATE_FIELDS, ID_FIELDS, TEXT_FIELDS, TITLE_FIELDS

from conftest import REUTERS, ROOT, SEED_PAIR, SEEDS, need

A, B = SEED_PAIR


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


# ---------------------------------------------------------------- reading nothing

def test_empty_folder_and_all_skipped_exit_1(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run("scan", empty)
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == (f"Error: no documents read from {empty}: no files. Point it at files of a supported kind "
                        "(.txt .md .html .json .jsonl .csv .tsv .parquet), or choose the fields with --text-field\n")
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n", encoding="utf-8")
    r = run("scan", blank)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [f"Warning: {blank}: empty file",
                                     f"Error: no documents read from {blank}: the file is empty (see the warnings "
                                     "above); give it files that hold articles"]
    feed = tmp_path / "x.jsonl"
    feed.write_text("", encoding="utf-8")
    r = run("scan", blank, feed)
    assert r.exit_code == 1 and r.stderr.splitlines()[-1] == (
        f"Error: no documents read from {blank}, {feed}: all 2 files are empty (see the warnings above); give it "
        "files that hold articles")
    feed.write_text(json.dumps({"id": 1, "body": ""}) + "\n", encoding="utf-8")
    r = run("scan", feed)
    assert r.exit_code == 1 and r.stderr.splitlines()[-1] == (
        f"Error: no documents read from {feed}: 1 skipped (see the warnings above). Point it at files of a supported "
        "kind (.txt .md .html .json .jsonl .csv .tsv .parquet), or choose the fields with --text-field")
    r = run("scan", feed, "-q")  # the warnings were not shown
    assert r.exit_code == 1 and r.stderr == (
        f"Error: no documents read from {feed}: 1 skipped (run without -q to see the warnings). Point it at files of a "
        "supported kind (.txt .md .html .json .jsonl .csv .tsv .parquet), or choose the fields with --text-field\n")
    # Skipped for a reason of their own (binary data): the note says what to do, not "choose the fields".
    binary = tmp_path / "logo.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    r = run("scan", binary)
    assert r.exit_code == 1 and r.stderr.splitlines()[-1] == (
        f"Error: no documents read from {binary}: 1 skipped (see the warnings above: each says what to do)")
    (empty / "notes.xyz").write_text("not an article", encoding="utf-8")
    r = run("scan", empty)
    assert r.exit_code == 1 and ": 1 file ignored (suffix not read, or --include/--exclude)." in r.stderr
    r = run("scan", "-", input="")
    assert r.exit_code == 1 and r.stderr.startswith("Error: no documents read from -: standard input was empty.")


def test_index_add_and_query_that_read_nothing_exit_1(tmp_path):
    # A wrong folder or pattern must not pass for "nothing new" (add) or "not seen before" (query), and an
    # add that reads nothing makes no index: the command meant, with its own settings, is not refused.
    db, empty = tmp_path / "archive.db", tmp_path / "incoming"
    empty.mkdir()
    nothing = (f"Error: no documents read from {empty}: no files. Point it at files of a supported kind "
               "(.txt .md .html .json .jsonl .csv .tsv .parquet), or choose the fields with --text-field\n")
    r = run("index", "add", db, empty)
    assert r.exit_code == 1 and r.stderr.endswith(nothing)
    r = run("index", "add", db, SEEDS, "--exclude", "*")
    assert r.exit_code == 1 and "5 files ignored (suffix not read, or --include/--exclude)" in r.stderr
    r = run("index", "add", db, tmp_path / "nope.txt", "-f", "json")
    assert r.exit_code == 1 and r.stdout == "" and "no such file or folder" in r.stderr
    assert not db.exists()
    assert run("index", "add", db, SEEDS, "--num-perm", "64").exit_code == 0
    r = run("index", "query", db, empty, "--fail-on-matches", "-f", "json")
    assert r.exit_code == 1 and r.stdout == "" and r.stderr.endswith(nothing)  # no summary of nothing
    r = run("index", "query", db, SEEDS / "000_cc67e4122e3a257f.txt", "--fail-on-matches")
    assert r.exit_code == 3


def test_records_without_text_are_one_warning(tmp_path):
    p = tmp_path / "feed.jsonl"
    lines = [{"id": i, "text": ""} for i in range(40)] + [{"id": "x", "text": "one story with some words"}]
    p.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    r = run("scan", p)
    assert r.exit_code == 0
    assert r.stderr == (f"Warning: {p}: 40 records skipped (lines 1, 2, 3, ...): record has no text in text, "
                        "content, article, title or body (choose the field with --text-field)\n")


def test_reuters_empty_records_are_one_warning():
    r = run("scan", need(REUTERS), "--format", "jsonl")
    assert r.exit_code == 0
    # Record 17192 is dated "31-MAR-1987 605:12:19.12": it is said, not taken silently as undated.
    assert r.stderr == (f"Warning: {REUTERS}: 737 records skipped (lines 99, 101, 102, ...): record has no text in "
                        "text, content, article, title or body (choose the field with --text-field)\n"
                        f"Warning: 1 article gives a date dedup cannot read (first: {REUTERS}:17192: "
                        "'31-MAR-1987 605:12:19.12'), taken as undated (--keep newest or oldest and the check for "
                        "another day's report go without them): give dates as 2026-11-30T19:05:00Z or 'Nov 30, "
                        "2026 7:05 PM EST', or choose the field with --date-field\n")


def test_dates_that_cannot_be_read_are_one_warning_and_others_are_read(tmp_path):
    p = tmp_path / "feed.jsonl"
    texts = [(SEEDS / n).read_text(encoding="utf-8") for n in ("000_cc67e4122e3a257f.txt", "001_fbcee2db9c98bcf0.txt")]
    dates = ["Nov 30, 2026 7:05 PM EST", "yesterday at noon", "05/06/2026", "", None]
    lines = [{"id": f"r{k}", "text": texts[k % 2] if k < 2 else f"story {k} about something else", "date": d}
             for k, d in enumerate(dates)]
    p.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    r = run("scan", p, "--keep", "newest", "--format", "json")
    assert r.exit_code == 0
    assert r.stderr == (f"Warning: 2 articles give dates dedup cannot read (first: {p}:2: 'yesterday at noon'), "
                        "taken as undated (--keep newest or oldest and the check for another day's report go without "
                        "them): give dates as 2026-11-30T19:05:00Z or 'Nov 30, 2026 7:05 PM EST', or choose the field "
                        "with --date-field\n")
    # The spelled-out date is read: the shorter version, the only one dated, is the newest and kept.
    assert [c["keep"] for c in json.loads(r.stdout)["clusters"]] == ["r0"]
    assert run("scan", p, "-q").stderr == ""
    # A --date-field no record has leaves every article undated: said, not silent.
    r = run("scan", p, "--date-field", "published_on", "--keep", "newest")
    assert r.exit_code == 0 and r.stderr == ("Warning: no record has a date in 'published_on', so all are undated: "
                                             "check --date-field\n")
    r = run("index", "add", tmp_path / "i.db", p)
    assert r.exit_code == 0 and r.stderr.startswith("Warning: 2 articles give dates dedup cannot read (first: ")


# ---------------------------------------------------------------- removal script

def test_script_removes_or_moves_duplicates_when_run(tmp_path, seeds, monkeypatch):
    work = tmp_path / "work"
    (work / "news").mkdir(parents=True)
    for p in seeds.glob("*.txt"):
        (work / "news" / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(work)
    r = run("scan", "news", "--script", "dupes.sh", "-q")
    assert r.exit_code == 0
    script = (work / "dupes.sh").read_text(encoding="utf-8")
    assert os.access(work / "dupes.sh", os.X_OK)
    # Nothing is removed by the scan itself.
    assert (work / "news" / A).exists()
    assert (f"handle news/{A} news/{B} {A}  # keeps news/{B} (jaccard 0.45, containment 0.73)\n") in script
    assert f"cd -- {work}\n" in script
    # Run from another folder: the script goes to the folder of the scan; DIR is taken from where it is run.
    done = subprocess.run(["sh", str(work / "dupes.sh"), "--move", "set-aside"], cwd=tmp_path, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "set-aside" / A).exists() and not (work / "news" / A).exists()
    done = subprocess.run(["sh", str(work / "dupes.sh")], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == f"not found, passed over: news/{A}\n"
    (work / "news" / A).write_text("back again", encoding="utf-8")
    done = subprocess.run(["sh", str(work / "dupes.sh")], capture_output=True, text=True)
    assert done.returncode == 0 and not (work / "news" / A).exists()
    assert sorted(p.name for p in (work / "news").iterdir()) == sorted(p.name for p in seeds.glob("*.txt")
                                                                      if p.name != A)
    assert subprocess.run(["sh", str(work / "dupes.sh"), "--bogus"], capture_output=True).returncode == 2


def test_script_quotes_hostile_file_names(tmp_path, seed_texts):
    folder = tmp_path / "in"
    folder.mkdir()
    keep_name = "kept $(touch PWNED).txt"
    dup_name = "dup'; touch PWNED2 #\ntouch PWNED3.txt"
    (folder / keep_name).write_text(seed_texts[B], encoding="utf-8")
    (folder / dup_name).write_text(seed_texts[A], encoding="utf-8")
    script = tmp_path / "s.sh"
    r = run("scan", folder, "--script", script, "-q")
    assert r.exit_code == 0
    text = script.read_text(encoding="utf-8")
    comment_lines = [line for line in text.splitlines() if line.startswith("# cluster")]
    assert comment_lines == [f"# cluster 0: keep {folder}/{keep_name}"]
    done = subprocess.run(["sh", str(script)], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in folder.iterdir()) == [keep_name]
    assert not any(p.name.startswith("PWNED") for p in tmp_path.rglob("*"))


def test_script_lists_records_as_comments(tmp_path, seed_texts):
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"id": "old", "text": seed_texts[A]}) + "\n" +
                 json.dumps({"id": "new", "text": seed_texts[B]}) + "\n", encoding="utf-8")
    r = run("scan", p, "--script", tmp_path / "s.sh", "-q")
    assert r.exit_code == 0
    text = (tmp_path / "s.sh").read_text(encoding="utf-8")
    assert "\nhandle " not in text
    assert f"# old in {p}: keeps new (jaccard 0.45, containment 0.73)\n" in text


# ---------------------------------------------------------------- ids and options

def test_id_lists_follow_the_format(seeds):
    # Whole files are listed by their path as read, which works from the current folder.
    a = str(seeds / A)
    assert run("scan", seeds, "--duplicates", "-f", "json").stdout == "[\n  " + json.dumps(a) + "\n]\n"
    assert run("scan", seeds, "--duplicates", "-f", "jsonl").stdout == json.dumps(a) + "\n"
    assert run("scan", seeds, "--duplicates", "-f", "csv").stdout == f"id\n{a}\n"
    r = run("scan", seeds, "--unique", "-f", "json")
    assert json.loads(r.stdout) == sorted(str(p) for p in seeds.glob("*.txt") if p.name != A)


def test_num_perm_too_small_for_the_recall_target_warns(seeds):
    r = run("scan", seeds, "--num-perm", "1")
    assert r.exit_code == 0
    assert r.stderr == ("Warning: with --num-perm 1 the LSH bands (1 x 1) find a pair at jaccard 0.22 with "
                        "probability 0.22, below 0.95: near-duplicates may be missed (use --num-perm 128 or more)\n")
    assert run("scan", seeds, "--num-perm", "1", "-q").stderr == ""
    assert run("scan", seeds).stderr == ""
    # The advice is one round count whatever was given (doubling what was given said 192 for 3, 224 for 7).
    for n in ("3", "5", "7", "100"):
        assert run("scan", seeds, "--num-perm", n).stderr.endswith("(use --num-perm 128 or more)\n")
    r = run("scan", seeds, "--num-perm", "100", "--threshold", "0.2", "--containment", "0.25")
    assert r.stderr.endswith("(use --num-perm 768 or more)\n")


def test_a_scan_with_fewer_permutations_than_the_short_text_rule_bands_runs(tmp_path: Path):
    # The short-text rule bands its own signatures 42 x 3: a scan of fewer permutations gives it that many.
    notice = "{} CORP <{}> SETS QUARTERLY\nQtly div {} cts vs {} cts prior\nPay April {}\nRecord March {}\n"
    feed = tmp_path / "notices.jsonl"
    rows = [notice.format(name, name[:3], k, k, 3 + k % 20, 1 + k % 28) for k, name in enumerate(
        ["ACME", "BOLT", "CREST", "DELTA", "EAGLE", "FJORD", "GLOBE", "HAVEN"])]
    rows.append(rows[2].replace("SETS QUARTERLY", "QTLY DIVIDEND"))  # the same notice again, retitled
    feed.write_text("".join(json.dumps({"id": f"n{k}", "text": t}) + "\n" for k, t in enumerate(rows)))
    for jobs in ("1", "2"):
        got = [run("scan", feed, "--num-perm", n, "-j", jobs, "-q", "--unique", "-f", "json")
               for n in ("8", "100", "128")]
        assert [r.exit_code for r in got] == [0, 0, 0], got[0].output
        assert json.loads(got[0].stdout) == json.loads(got[2].stdout) == [f"n{k}" for k in range(8)]


def test_csv_or_text_piped_in_is_one_error_not_a_warning_a_line(tmp_path: Path):
    csv_text = "id,title,text\n" + "".join(f"{k},Story {k},The council met on day {k} to vote.\n" for k in range(40))
    expected = ('Error: no documents read from standard input: it is read as JSON lines (one object a line, such as '
                '{"id": "1", "text": "..."}), and none of its 41 lines is one; to read a CSV or text file, give its '
                "path instead\n")
    for args in (("scan", "-"), ("scan", "-", "-q"), ("index", "add", str(tmp_path / "a.db"), "-")):
        r = run(*args, input=csv_text)
        assert (r.exit_code, r.stderr) == (1, expected), args
    # A line that happens to be JSON (a year) is no record either.
    r = run("scan", "-", input=csv_text.replace("0,Story 0,The council met on day 0 to vote.", "2026"))
    assert (r.exit_code, r.stderr) == (1, expected)
    assert not (tmp_path / "a.db").exists()
    # A JSON lines stream with a broken line keeps its warning and its documents.
    r = run("scan", "-", input='{"id": "a", "text": "one story"}\nnot json\n')
    assert r.exit_code == 0 and r.stderr.startswith("Warning: -:2: malformed JSON line")


def test_help_defaults_come_from_the_code():
    scan_help = " ".join(run("scan", "--help").output.split())
    for names in (ID_FIELDS, TEXT_FIELDS, DATE_FIELDS, TITLE_FIELDS, BODY_FIELDS):
        for name in names:
            assert name in scan_help
    assert "Record field with the date (for --keep newest or oldest and the date check)" in scan_help
    diff_help = " ".join(run("diff", "--help").output.split())
    assert "for --keep newest" not in diff_help and "(to tell the older version)" in diff_help
    index_help = " ".join(run("index", "add", "--help").output.split())
    assert "for --keep newest" not in index_help


# ---------------------------------------------------------------- dedup diff

def test_diff_reads_plain_text_on_stdin(seeds):
    old = (seeds / A).read_text(encoding="utf-8")
    r = run("diff", "-", seeds / B, "-f", "json", input=old)
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["a"] == "-" and d["counts"] == {"added": 17, "removed": 8, "changed": 7, "moved": 0, "trivial": 7}
    r = run("diff", seeds / A, "-", input=json.dumps({"id": "new", "text": (seeds / B).read_text(encoding="utf-8")}))
    assert r.exit_code == 0 and r.stdout.startswith(f"{seeds / A} -> new: jaccard 0.45")
    r = run("diff", "-", "-", input="x")
    assert r.exit_code == 1 and "only one version can come from standard input" in r.stderr
    r = run("diff", "-", seeds / B, input="")
    assert r.exit_code == 1 and r.stderr == "Error: -: standard input is empty (pipe the article's text in)\n"


def test_diff_warns_on_unrelated_texts_and_exit_code(seeds, tmp_path):
    r = run("diff", seeds / A, seeds / "002_31e9bada26c2e9f7.txt")
    assert r.exit_code == 0
    assert r.stderr.startswith(f"Warning: {seeds / A} and {seeds / '002_31e9bada26c2e9f7.txt'} share almost no "
                               "text (jaccard 0.00, containment 0.0")
    assert run("diff", seeds / A, seeds / B).stderr == ""
    assert run("diff", seeds / A, seeds / B, "--exit-code").exit_code == 3
    # An error is 1, as for every command: a script tells "changed" from "failed".
    assert run("diff", tmp_path / "nosuch.txt", seeds / B, "--exit-code").exit_code == 1
    same = tmp_path / "same.txt"
    same.write_text((seeds / A).read_text(encoding="utf-8").replace("  ", " "), encoding="utf-8")
    assert run("diff", seeds / A, same, "--exit-code").exit_code == 0
    assert run("diff", seeds / A, seeds / B).exit_code == 0


def test_markdown_escapes_markup_only(seeds):
    r = run("diff", seeds / A, seeds / B, "-f", "markdown")
    assert "SACRAMENTO, Calif. (KTXL)" in r.stdout and "Calif\\." not in r.stdout and "\\(KTXL\\)" not in r.stdout
    text = "A *bold* claim [link](x) | cell.\n\n1) Item <b>x</b> here."
    r = run("diff", "-", seeds / B, "-f", "markdown", input=text)
    assert "A \\*bold\\* claim \\[link\\](x) \\| cell." in r.stdout
    assert "- ~~1\\) Item &lt;b&gt;x&lt;/b&gt; here.~~" in r.stdout


# ---------------------------------------------------------------- dedup index

def test_index_query_exit_code_remove_from_stdin_and_add_json(tmp_path, seeds):
    db = str(tmp_path / "a.db")
    r = run("index", "add", db, seeds / A, "--format", "json")
    assert r.exit_code == 0
    body = json.loads(r.stdout)
    assert body["summary"] == {"added": 1, "unchanged": 0, "replaced": 0, "conflict": 0, "duplicate": 0,
                               "empty": 0, "documents": 1}
    assert [o["status"] for o in body["outcomes"]] == ["added"] and body["skipped"] == []
    r = run("index", "query", db, seeds / B, "--fail-on-matches")
    assert r.exit_code == 3 and f"~ {seeds / A}" in r.stdout
    r = run("index", "query", db, seeds / "002_31e9bada26c2e9f7.txt", "--fail-on-matches")
    assert r.exit_code == 0
    assert run("index", "query", db, seeds / B).exit_code == 0
    assert run("index", "add", db, seeds / "002_31e9bada26c2e9f7.txt", "-q").exit_code == 0
    r = run("index", "remove", db, "-", input=f"{seeds / A}\n\n{seeds / '002_31e9bada26c2e9f7.txt'}\n")
    assert r.exit_code == 0 and r.stdout == "removed 2; the index holds 0 documents\n"


# ---------------------------------------------------------------- packaging

def test_shell_completion_and_version():
    r = CliRunner().invoke(cli, [], prog_name="dedup", env={"_DEDUP_COMPLETE": "bash_source"})
    assert r.exit_code == 0 and "_dedup_completion()" in r.stdout and "_DEDUP_COMPLETE=bash_complete" in r.stdout
    r = CliRunner().invoke(cli, [], prog_name="dedup",
                           env={"_DEDUP_COMPLETE": "bash_complete", "COMP_WORDS": "dedup sc", "COMP_CWORD": "1"})
    assert r.exit_code == 0 and r.stdout.splitlines() == ["plain,scan"]
    r = CliRunner().invoke(cli, [], prog_name="dedup", env={
        "_DEDUP_COMPLETE": "bash_complete", "COMP_WORDS": "dedup scan x --format p", "COMP_CWORD": "4"})
    assert r.stdout.splitlines() == ["plain,parquet"]


def test_license_file_matches_setup_cfg():
    cfg = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    assert "\nlicense = MIT\n" in cfg and "\nlicense_files = LICENSE\n" in cfg
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def test_readme_documents_the_options_it_names():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in (["scan"], ["diff"], ["index", "add"], ["index", "query"], ["index", "remove"]):
        help_text = run(*command, "--help").output
        for option in re.findall(r"(--[a-z][a-z-]+)", help_text):
            if option != "--help":
                assert option in readme, f"{' '.join(command)} {option} is not in README.md"
    assert "DEDUP_DATA" in readme and "_DEDUP_COMPLETE" in readme
    # Usage comes before the internals.
    assert readme.index("## `dedup scan`") < readme.index("## How it works")


def test_readme_scan_table_defaults_match_the_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## `dedup scan`"):readme.index("### Output")]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.replace("\\|", "/").split("|")[1:-1]] if line.startswith("| `") else []
        if len(cells) == 3:
            for name in re.findall(r"(--[a-z][a-z-]+)", cells[0]):
                rows[name] = cells[1]
    scan = cli.commands["scan"]  # type: ignore[attr-defined]
    checked = 0
    for param in scan.params:
        long = [o for o in param.opts if o.startswith("--")]
        # Options without a default (click marks them with a sentinel or None) are not compared.
        if not long or param.is_flag or not isinstance(param.default, (int, float, str)) or long[0] == "--help":
            continue
        assert long[0] in rows, f"{long[0]} has no row in README.md's option table"
        assert f"`{param.default}`" in rows[long[0]], f"{long[0]}: README says {rows[long[0]]}, code {param.default}"
        checked += 1
    assert checked >= 10


_ALLOCATIONS = """
import random, resource, sys
import numpy as np
if sys.argv[1] == "steady":
    from dedup.cli_options import steady_allocator
    steady_allocator()
keep = []

def batches(rng):
    for i in range(300):  # blocks of 128 KB to 32 MB made and freed, as batches do, a few small ones kept
        block = np.ones(rng.randrange(1 << 14, 1 << 22))
        if i % 10 == 0:
            keep.append(np.ones(1000))
        del block

batches(random.Random(1))  # the first batches fault their memory in, whatever the allocator
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
batches(random.Random(2))
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_scan_and_index_add_keep_freed_memory_for_the_next_batch():
    """steady_allocator (called by scan and index add): memory freed is used again, not faulted in anew."""
    faults = {how: int(subprocess.run([sys.executable, "-c", _ALLOCATIONS, how], capture_output=True, text=True,
                                      check=True, cwd=ROOT).stdout) for how in ("plain", "steady")}
    # In the steady state (the second run of batches) the steady allocator faults almost nothing (about 20
    # pages here, against 1,000-2,000 plain): measured there, the figure does not hang on where the first
    # run left the heap's top, which any change to what is imported moves.
    assert faults["steady"] * 5 < faults["plain"], faults


def test_the_output_suffix_chooses_the_format_unless_f_is_given(tmp_path, seeds):
    # "-o revision.html" wrote plain text into a .html file.
    r = run("diff", seeds / A, seeds / B, "-o", tmp_path / "revision.html")
    assert r.exit_code == 0 and (tmp_path / "revision.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    run("diff", seeds / A, seeds / B, "-o", tmp_path / "d.json")
    assert json.loads((tmp_path / "d.json").read_text(encoding="utf-8"))["a"] == str(seeds / A)
    run("diff", seeds / A, seeds / B, "-f", "text", "-o", tmp_path / "t.html")  # -f given: it decides
    assert (tmp_path / "t.html").read_text(encoding="utf-8").startswith(f"{seeds / A} -> {seeds / B}: jaccard")
    run("scan", seeds, "-o", tmp_path / "c.csv")
    assert (tmp_path / "c.csv").read_text(encoding="utf-8").splitlines()[0] == "cluster,id,keep,jaccard,containment"
    run("scan", seeds, "-o", tmp_path / "c.jsonl")
    assert [json.loads(x)["keep"] for x in (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()] == [B]
    run("scan", seeds, "-o", tmp_path / "c.out")  # a suffix that names no format: the default
    assert (tmp_path / "c.out").read_text(encoding="utf-8").startswith("5 documents from 5 files: 1 cluster")


def test_versions_taken_for_boilerplate_are_named_in_a_warning(tmp_path, seeds):
    # Five versions of one story, each with a long passage of its own, are the whole folder: the story is in
    # more than half the documents, so it is boilerplate to the scan, and the versions were silently apart.
    import random

    text = (seeds / B).read_text(encoding="utf-8")
    vocab = " ".join(p.read_text(encoding="utf-8") for p in sorted(seeds.glob("00[234]_*.txt"))).split()
    folder = tmp_path / "versions"
    folder.mkdir()
    for k in range(5):
        rnd = random.Random(k)
        (folder / f"v{k}.txt").write_text(text + "\n\n" + " ".join(rnd.choice(vocab) for _ in range(350)),
                                          encoding="utf-8")
    r = run("scan", folder)
    assert r.exit_code == 0 and r.stdout.startswith("5 documents from 5 files: 0 clusters")
    assert r.stderr == ("Warning: 5 of the 5 documents in candidate pairs are mostly text that more than 0.5 of the "
                        "input shares, taken as boilerplate and not compared: if that text is one story they all "
                        "carry (they are its versions), scan again with --boilerplate-share 1; if it is a notice or "
                        "template beside different stories, they are rightly apart\n")
    r = run("scan", folder, "--boilerplate-share", "1")
    assert r.stderr == "" and r.stdout.startswith("5 documents from 5 files: 1 cluster of near-duplicates")
    assert run("scan", seeds).stderr == ""  # two versions among other stories: no boilerplate to speak of
    copies = tmp_path / "copies"  # copies of one story are grouped all the same: nothing to warn of
    copies.mkdir()
    for k in range(5):
        (copies / f"c{k}.txt").write_text(text + f"\n\nBy staff writer {k}.", encoding="utf-8")
    r = run("scan", copies)
    assert r.stderr == "" and r.stdout.startswith("5 documents from 5 files: 1 cluster of near-duplicates")


def test_records_listed_among_files_are_named_file_hash_id(tmp_path):
    # A folder of articles and a JSON lines file: --duplicates printed the record's bare id among the paths,
    # and `xargs rm` would remove a file of that name in the current folder.
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copy(SEEDS / A, folder / A)
    shutil.copy(SEEDS / B, folder / B)
    text = sorted(SEEDS.glob("002_*"))[0].read_text(encoding="utf-8")
    (folder / "feed.jsonl").write_text(json.dumps({"id": "a", "text": text}) + "\n"
                                       + json.dumps({"id": "b", "text": text}) + "\n")
    r = run("scan", folder, "--duplicates")
    assert r.exit_code == 0
    assert sorted(r.stdout.splitlines()) == sorted([f"{folder / A}", f"{folder / 'feed.jsonl'}#b"])
    r = run("scan", folder / "feed.jsonl", "--duplicates")  # records alone: their ids, as before
    assert r.exit_code == 0 and r.stdout == "b\n"
    # Never taken for an option: a record of standard input, or of a file whose name starts with "-".
    r = run("scan", folder / A, "-", "--duplicates", input=(folder / "feed.jsonl").read_text())
    assert r.exit_code == 0 and r.stdout == "./-#b\n"
    r = run("scan", folder, "--move-duplicates", tmp_path / "aside")  # the message says how to move the others
    assert r.exit_code == 1 and "leave such files out (--exclude '*.jsonl') to move the others" in r.stderr
    r = run("scan", folder / A, "-", "-q", "--move-duplicates", tmp_path / "aside",
            input=(folder / "feed.jsonl").read_text())  # not --exclude '*', which leaves every file out
    assert r.exit_code == 1 and "whole files only: scan standard input apart to move the others" in r.stderr
    assert run("scan", folder, "-q", "--exclude", "*.jsonl", "--move-duplicates", tmp_path / "aside").exit_code == 0
    assert [p.name for p in (tmp_path / "aside").iterdir()] == [A]
