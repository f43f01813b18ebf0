"""CLI tests of ``dedup diff`` and ``dedup scan --report``: exact exit codes
and output, on the seeds and on files written to tmp_path."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import cli
from dedup.diff import split_sentences

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
OLD = str(SEEDS / "000_cc67e4122e3a257f.txt")
NEW = str(SEEDS / "001_fbcee2db9c98bcf0.txt")


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


def test_text_output_on_the_seeds() -> None:
    r = run("diff", OLD, NEW)
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0] == (f"{OLD} -> {NEW}: jaccard 0.45, containment A in B 0.73, B in A 0.53 | "
                        "17 added, 8 removed, 7 changed, 0 moved (7 trivial) | "
                        "added terms: gaskill, hames, fox40, newell, askew | removed terms: golik, stan, 11, 18, 2021")
    assert lines[1].startswith(f"older: A ({OLD}): likely A: 73%")
    assert "- [8.22] “Just a fair wage." in lines
    assert any(line.startswith("+ [") and "Sonia Askew" in line for line in lines)
    assert ("~ [2.27] “My message today is that we are standing strong with our brothers and sisters of Local 39,” "
            "explained Kaiser {+Permanente+} medical assistant Kim Samuel.") in lines
    assert "\x1b[" not in r.output  # not a terminal: no colour


def test_colour_on_request_and_never_in_files(tmp_path: Path) -> None:
    r = run("diff", OLD, NEW, "--color")
    assert r.exit_code == 0
    assert "\x1b[32m+\x1b[0m" in r.output and "\x1b[32;1m{+Permanente+}\x1b[0m" in r.output
    out = tmp_path / "d.txt"
    r = run("diff", OLD, NEW, "--color", "-o", str(out))
    assert r.exit_code == 0 and r.output == ""
    assert "\x1b[" not in out.read_text(encoding="utf-8")


def test_json_contract() -> None:
    r = run("diff", OLD, NEW, "--format", "json")
    assert r.exit_code == 0
    d = json.loads(r.output)
    for key in ("similarity", "added", "removed", "changed", "moved", "added_terms", "removed_terms"):
        assert key in d
    assert set(d["similarity"]) >= {"jaccard", "containment_a_in_b", "containment_b_in_a"}
    assert all(set(x) >= {"text", "score"} for x in d["added"] + d["removed"])
    assert all(set(x) >= {"before", "after", "score", "edits"} for x in d["changed"])
    assert all(set(x) == {"term", "score"} for x in d["added_terms"] + d["removed_terms"])
    assert {"askew", "newell"} <= {t["term"] for t in d["added_terms"]}
    assert d["removed_terms"][0]["term"] == "golik"
    samuel = next(c for c in d["changed"] if "Kim Samuel" in c["after"])
    assert samuel["edits"] == [{"op": "insert", "before": "", "after": "Permanente"}]
    assert d["older"] == {"side": "a", "id": OLD, "reason": d["older"]["reason"]}


def test_markdown_and_html(tmp_path: Path) -> None:
    r = run("diff", OLD, NEW, "-f", "markdown")
    assert r.exit_code == 0
    assert r.output.startswith("# ")
    assert "## Added" in r.output and "## Removed" in r.output and "**Permanente**" in r.output
    page = tmp_path / "rev.html"
    r = run("diff", OLD, NEW, "-f", "html", "-o", str(page))
    assert r.exit_code == 0 and r.output == ""
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "<ins>Permanente</ins>" in html and "Side by side" in html and "Inline" in html


def test_article_markup_is_escaped_everywhere(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("The mayor spoke today. Roads are closed.", encoding="utf-8")
    b.write_text("The mayor spoke today. <script>alert(1)</script> Roads are **closed** | now.", encoding="utf-8")
    html = run("diff", str(a), str(b), "-f", "html").output
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = run("diff", str(a), str(b), "-f", "markdown").output
    assert "<script>" not in md and "&lt;script&gt;" in md and "\\*\\*closed\\*\\*" in md


def test_records_of_a_json_file(tmp_path: Path) -> None:
    f = tmp_path / "news.jsonl"
    f.write_text(json.dumps({"id": "s1", "text": "Five people died in the fire."}) + "\n"
                 + json.dumps({"id": "s2", "text": "Seven people died in the fire."}) + "\n", encoding="utf-8")
    r = run("diff", f"{f}#s1", f"{f}#s2", "-f", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert (d["a"], d["b"]) == (f"{f}#s1", f"{f}#s2")  # as given: records 1 of two files are not both "1"
    assert d["changed"][0]["edits"] == [{"op": "replace", "before": "Five", "after": "Seven"}]
    r = run("diff", str(f), f"{f}#s2")
    assert r.exit_code == 1
    assert r.output == f"Error: {f} holds more than one article; pick one as {f}#ID\n"


def test_a_record_without_an_id_by_the_id_a_folder_scan_lists(tmp_path: Path, monkeypatch) -> None:
    # A scan of the folder names the CSV's records semi.csv:2 and semi.csv:3 (FILE:LINE, the file relative
    # to the folder); FILE#ID takes those ids as they are listed, and the file's own path:LINE too.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "news").mkdir()
    story = (" people died in the fire that swept through the apartment block on Monday night, the city's fire "
             "chief said, adding that twenty residents were taken to hospital and three remain in a serious state.")
    (tmp_path / "news" / "semi.csv").write_text(f"title;text\nFire;Five{story}\nFire;Seven{story}\n", encoding="utf-8")
    listed = [m["id"] for m in json.loads(run("scan", "news", "-f", "jsonl").output)["members"]]
    assert sorted(listed) == ["semi.csv:2", "semi.csv:3"]
    for a, b in [("semi.csv:2", "semi.csv:3"), ("news/semi.csv:2", "news/semi.csv:3")]:
        r = run("diff", f"news/semi.csv#{a}", f"news/semi.csv#{b}", "-f", "json")
        assert r.exit_code == 0, r.output
        assert json.loads(r.output)["changed"][0]["edits"] == [{"op": "replace", "before": "Five", "after": "Seven"}]
    r = run("diff", "news/semi.csv#other.csv:2", "news/semi.csv#semi.csv:3")
    assert r.exit_code == 1 and r.output == ("Error: news/semi.csv: no record with id 'other.csv:2' (a record's id is "
                                             "its --id-field, or FILE:LINE when it has none, as dedup scan lists it)\n")


def test_corpus_folder(tmp_path: Path) -> None:
    r = run("diff", OLD, NEW, "--corpus", str(SEEDS), "-f", "json")
    assert r.exit_code == 0
    assert json.loads(r.output)["idf"] == {"from": "corpus", "documents": 7}
    r = run("diff", OLD, NEW, "-f", "json")
    # Without --corpus the IDF comes from the two versions' sentences, one document each.
    sentences = sum(len(split_sentences(p.read_text(encoding="utf-8"))) for p in (Path(OLD), Path(NEW)))
    assert json.loads(r.output)["idf"] == {"from": "versions", "documents": sentences}


def test_a_corpus_that_gives_no_article_is_an_error(tmp_path: Path) -> None:
    # Before, the diff went on with weights from the two versions alone and said "a corpus of 0 documents".
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run("diff", OLD, NEW, "--corpus", str(empty))
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == (f"Error: no articles read from the corpus {empty}: give --corpus a folder or file of articles, "
                        "or leave it out to weigh the changes by the two versions' own sentences\n")
    (empty / "x.txt").write_bytes(b"\x00\x01 not text")
    r = run("diff", OLD, NEW, "--corpus", str(empty), "-q")
    assert r.exit_code == 1 and "(1 input skipped): give" in r.stderr and "Warning" not in r.stderr
    r = run("diff", OLD, NEW, "--corpus", str(empty))
    assert r.stderr.splitlines()[0] == f"Warning: {empty / 'x.txt'}: binary file, not text (remove it or give text " \
                                       "files only)"


def test_an_empty_corpus_list_is_an_error_from_python() -> None:
    from dedup.errors import InputError
    from dedup.versions import diff_sources

    with pytest.raises(InputError, match="the corpus names no file or folder"):
        diff_sources(OLD, NEW, corpus=[])


def test_unreadable_file_is_one_line_exit_1(tmp_path: Path) -> None:
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02 not text")
    r = run("diff", str(binary), NEW)
    assert r.exit_code == 1
    assert r.output == f"Error: {binary}: binary file, not text (remove it or give text files only)\n"
    latin = tmp_path / "l.txt"
    latin.write_bytes("Caf\xe9 opens.".encode("latin-1"))
    r = run("diff", str(latin), NEW)
    assert r.exit_code == 1 and r.output.count("\n") == 1 and "--encoding latin-1" in r.output
    assert run("diff", str(latin), NEW, "--encoding", "latin-1").exit_code == 0
    r = run("diff", str(tmp_path / "missing.txt"), NEW)
    assert r.exit_code == 1
    assert r.output == f"Error: {tmp_path / 'missing.txt'}: no such file or folder (check the path)\n"


def test_usage_errors_exit_2() -> None:
    assert run("diff", OLD).exit_code == 2
    assert run("diff", OLD, NEW, "--format", "pdf").exit_code == 2
    assert run("diff", OLD, NEW, "--cutoff", "0").exit_code == 2
    assert run("diff", OLD, NEW, "--terms", "-1").exit_code == 2
    r = run("scan", "-", "--report", "r.html")
    assert r.exit_code == 2 and "standard input cannot be read twice" in r.output


def test_output_is_written_atomically_over_an_old_file(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    out.write_text("old", encoding="utf-8")
    assert run("diff", OLD, NEW, "-f", "json", "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["counts"]["removed"] == 8
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json"]


def test_help_has_examples() -> None:
    r = run("diff", "-h")
    assert r.exit_code == 0
    assert "  dedup diff old.html new.html --format html -o revision.html\n" in r.output
    assert "--report DIR" in run("scan", "--help").output


def test_scan_report(tmp_path: Path) -> None:
    report = tmp_path / "report"
    r = run("scan", str(SEEDS), "--report", str(report), "-f", "json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["summary"]["clusters"] == 1
    assert sorted(p.name for p in report.iterdir()) == [".dedup-report", "cluster-0.html", "index.html"]
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "5 documents from 5 files: <b>1</b> cluster of near-duplicates, <b>1</b> duplicate to drop." in index
    assert '<a href="cluster-0.html">This is an archived article and the information in the article may ...</a>' \
        in index
    page = (report / "cluster-0.html").read_text(encoding="utf-8")
    # The copy kept (001) is the newer version, and the diff reads older -> newer.
    assert "000_cc67e4122e3a257f.txt → 001_fbcee2db9c98bcf0.txt" in page
    assert "<ins>Permanente</ins>" in page and "<del>Permanente</del>" not in page
    assert "<del>will hold</del>" in page and "<ins>held</ins>" in page
    assert "Just a fair wage." in page and "the scanned collection (5 documents)" in page
    assert "<script" not in index + page
    # A second report replaces the first; a folder dedup did not write is refused.
    assert run("scan", str(SEEDS), "--report", str(report), "-q").exit_code == 0
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me", encoding="utf-8")
    r = run("scan", str(SEEDS), "--report", str(other))
    assert r.exit_code == 1
    assert r.stderr == f"Error: {other} is a folder with files dedup did not write; choose a new or empty folder\n"
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "report"]
    # Nor is a report folder someone added a file to since: the file would go with the old report.
    (report / "editor-notes.txt").write_text("keep me too", encoding="utf-8")
    r = run("scan", str(SEEDS), "--report", str(report), "-q")
    assert r.exit_code == 1 and r.stderr == (f"Error: {report} holds files dedup did not write (editor-notes.txt); "
                                             "move them out, or choose another folder\n")
    assert (report / "editor-notes.txt").read_text(encoding="utf-8") == "keep me too"
    (report / "editor-notes.txt").unlink()
    (report / ".dedup-report").write_text("written by dedup; the next report into this folder replaces it\n")
    assert run("scan", str(SEEDS), "--report", str(report), "-q").exit_code == 0  # a marker listing no files


def test_scan_report_inside_the_scanned_folder_is_refused(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("Some words to read here.", encoding="utf-8")
    r = run("scan", str(news), "--report", str(news / "report"))
    assert r.exit_code == 2
    assert (f"--report {news / 'report'} is inside the scanned folder {news}, so a later scan would read its pages "
            "as articles; choose a folder outside it.") in " ".join(r.stderr.split())
    assert sorted(p.name for p in news.iterdir()) == ["a.txt"]


def test_scan_report_with_no_clusters(tmp_path: Path) -> None:
    report = tmp_path / "r"
    r = run("scan", str(SEEDS / "002_31e9bada26c2e9f7.txt"), str(SEEDS / "003_e8e1f807b790b2ad.txt"),
            "--report", str(report))
    assert r.exit_code == 0
    assert "No near-duplicates found." in (report / "index.html").read_text(encoding="utf-8")


def test_a_correction_marker_says_more_than_file_times(tmp_path: Path) -> None:
    # The corrected version was saved first (its file is older), yet it says it corrects the other.
    story = ("GAF Corp said it offered {} dlrs a share for the company, in a bid that values it at about "
             "1.1 billion dlrs, and that financing was in place.")
    a, b = tmp_path / "original.txt", tmp_path / "corrected.txt"
    a.write_text(story.format(36), encoding="utf-8")
    b.write_text("CORRECTED - " + story.format(46), encoding="utf-8")
    os.utime(b, (1_700_000_000, 1_700_000_000))
    os.utime(a, (1_700_000_600, 1_700_000_600))
    d = json.loads(run("diff", str(a), str(b), "-f", "json").output)
    assert d["older"]["side"] == "a" and d["older"]["reason"] == "B starts with CORRECTED, so it is the later version"
    # Both marked: the reason says so (it said "no correction marker").
    a.write_text("RPT - " + story.format(36), encoding="utf-8")
    os.utime(a, (1_700_000_000, 1_700_000_000))
    d = json.loads(run("diff", str(a), str(b), "-f", "json").output)
    assert d["older"]["side"] is None and "both start with a marker (RPT, CORRECTED)" in d["older"]["reason"]


def test_markdown_and_html_show_the_figures_and_names_line_as_text_does() -> None:
    text = run("diff", OLD, NEW, "--no-color").output
    line = next(x for x in text.splitlines() if x.startswith("figures: "))
    assert "- 2021, 11, 18, 5" in line and "gaskill" in line
    escaped = line.replace("|", "\\|")
    assert f"**Figures and names:** {escaped}" in run("diff", OLD, NEW, "-f", "markdown").output
    html = run("diff", OLD, NEW, "-f", "html").output
    assert f'<div class="meta">{line}</div>' in html


def test_short_versions_with_a_sentence_in_common_are_not_called_unrelated(tmp_path: Path) -> None:
    # Two headlines share no 5-gram, yet one is mostly the other: no "share almost no text" warning.
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("LONDON GOLD FIXING DELAYED ONE HOUR TO 1200 GMT\n", encoding="utf-8")
    b.write_text("CORRECTED-LONDON GOLD FIXING DELAYED AN HOUR TO 1000 GMT (NOT 1200 GMT)\n", encoding="utf-8")
    r = run("diff", str(a), str(b))
    assert r.exit_code == 0 and "share almost no text" not in r.stderr
    r = run("diff", OLD, str(SEEDS / "002_31e9bada26c2e9f7.txt"))
    assert "share almost no text (jaccard 0.00, containment 0.00): they may not be versions" in r.stderr


def test_terms_0_lists_no_terms_rather_than_none() -> None:
    first = run("diff", OLD, NEW, "--terms", "0", "--no-color").output.splitlines()[0]
    assert first.endswith("(7 trivial)") and "terms" not in first


def test_the_report_says_older_only_when_it_can_tell(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    story = ("The council voted on Tuesday to close three branch libraries after a long and bitter debate that "
             "ran past midnight, officials said, and the mayor is expected to sign the measure {} week.")
    for name, word in (("a.txt", "this"), ("b.txt", "next")):
        (news / name).write_text(story.format(word), encoding="utf-8")
        os.utime(news / name, (1_700_000_000, 1_700_000_000))  # the same time: the order is unknown
    report = tmp_path / "report"
    assert run("scan", str(news), "--report", str(report), "-q").exit_code == 0
    page = (report / "cluster-0.html").read_text(encoding="utf-8")
    assert "cannot tell" in page and "(older)" not in page


def test_a_right_to_left_override_in_a_name_cannot_turn_the_page_around(tmp_path: Path) -> None:
    a = tmp_path / "rtl\u202egnp.txt"
    a.write_text((SEEDS / "000_cc67e4122e3a257f.txt").read_text(encoding="utf-8"), encoding="utf-8")
    html = run("diff", str(a), NEW, "-f", "html").output
    assert "\u202e" not in html and "rtl\\u202egnp.txt" in html


def test_the_report_says_why_a_copy_is_kept(tmp_path: Path) -> None:
    report = tmp_path / "report"
    assert run("scan", str(SEEDS), "--report", str(report), "-q").exit_code == 0
    page = (report / "cluster-0.html").read_text(encoding="utf-8")
    assert "keep 001_fbcee2db9c98bcf0.txt: the longest copy (840 words; the others 611)" in page
    news = tmp_path / "news"
    news.mkdir()
    old = (SEEDS / "000_cc67e4122e3a257f.txt").read_text(encoding="utf-8")
    (news / "a.txt").write_text(old + " More words at the end of the original story.", encoding="utf-8")
    (news / "b.txt").write_text("CORRECTED - " + old.replace("700", "800"), encoding="utf-8")
    report2 = tmp_path / "report2"
    assert run("scan", str(news), "--report", str(report2), "-q").exit_code == 0
    page = (report2 / "cluster-0.html").read_text(encoding="utf-8")
    assert ("keep b.txt: it says it corrects an earlier version, so it is kept before the copies it supersedes "
            "(by --keep longest alone, a.txt would be)") in page


def test_markdown_shows_a_bidirectional_override_in_a_name_as_an_escape(tmp_path):
    # As the HTML page does: a raw U+202E in the heading turned "A → B" around on screen.
    a, b = tmp_path / "evil\u202etxt.a", tmp_path / "b.txt"
    a.write_text("The council met on Monday. It approved the budget.", encoding="utf-8")
    b.write_text("The council met on Monday. It approved the new budget.", encoding="utf-8")
    r = CliRunner().invoke(cli, ["diff", str(a), str(b), "-f", "markdown"])
    assert r.exit_code == 0 and "\u202e" not in r.stdout and "u202e" in r.stdout


def test_the_html_diff_says_what_each_page_is(tmp_path):
    # It named the two files only: which was the update had to be worked out from the paths.
    head = ('<html><head><title>{t}</title><meta property="article:published_time" content="2021-11-18T09:15:00Z">'
            '{extra}</head><body><article>{body}</article></body></html>')
    body = "".join(f"<p>Paragraph {k} of the council story about the library budget vote, said the clerk.</p>"
                   for k in range(12))
    (tmp_path / "a.html").write_text(head.format(t="Library budget passes", extra="", body=body), encoding="utf-8")
    (tmp_path / "b.html").write_text(head.format(
        t="Library budget passes after long debate", body=body + "<p>The mayor signed it on Friday.</p>",
        extra='<meta property="article:modified_time" content="2021-11-19T08:00:00Z">'), encoding="utf-8")
    out = tmp_path / "d.html"
    r = run("diff", str(tmp_path / "a.html"), str(tmp_path / "b.html"), "-o", str(out))
    assert r.exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert '<div class="meta">A: Library budget passes · published 2021-11-18 09:15 UTC</div>' in page
    assert ('<div class="meta">B: Library budget passes after long debate · published 2021-11-18 09:15 UTC · '
            'updated 2021-11-19 08:00 UTC</div>') in page


def test_many_skipped_corpus_files_point_to_a_way_of_naming_them(tmp_path):
    # "(--format json lists them all)" before: a diff's JSON has no list of skipped inputs.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for k in range(30):
        (corpus / f"empty{k:02}.txt").write_text("")
    shutil.copy(SEEDS / "002_31e9bada26c2e9f7.txt", corpus)  # and one article
    r = run("diff", OLD, NEW, "--corpus", str(corpus), "-f", "json")
    assert r.exit_code == 0
    last = r.stderr.splitlines()[-1]
    assert last.startswith("Warning: ") and last.endswith(" more inputs skipped (dedup scan --format json on the "
                                                          "same inputs lists them all)"), last
    assert "skipped" not in json.loads(r.stdout)
