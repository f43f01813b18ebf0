"""`dedup explain`: each check of the rule with its value, threshold and reason, on the seeds and on
Reuters-21578."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import REUTERS, SEEDS, need
from dedup import read_documents
from dedup.cli import cli
from dedup.explain import explain


def test_explain_prints_each_check_with_value_and_threshold():
    r = CliRunner().invoke(cli, ["explain", str(SEEDS / "000_cc67e4122e3a257f.txt"),
                                 str(SEEDS / "001_fbcee2db9c98bcf0.txt")])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[2].split()[:4] == ["jaccard", "0.45", ">=", "0.5"] and lines[2].split()[4] == "FAIL"
    assert lines[3].split()[:5] == ["containment", "0.73", ">=", "0.55", "pass"]
    assert lines[-1] == "verdict: near-duplicates; in one cluster (keep " + str(SEEDS / "001_fbcee2db9c98bcf0.txt") + ")"
    r = CliRunner().invoke(cli, ["explain", str(SEEDS / "000_cc67e4122e3a257f.txt"),
                                 str(SEEDS / "002_31e9bada26c2e9f7.txt"), "--format", "json"])
    body = json.loads(r.output)
    assert body["near_duplicates"] is False and body["candidate"] is False
    assert [c["name"] for c in body["checks"]] == ["jaccard", "containment", "short-text rule", "dates", "figures",
                                                   "subject"]


def test_explain_in_a_collection_names_the_failed_checks():
    r = CliRunner().invoke(cli, ["explain", "1503", "475", "--in", str(need(REUTERS))])
    assert r.exit_code == 0, r.output
    assert "verdict: not near-duplicates: dates and figures say another occasion or subject" in r.output
    # The details name A first, as the header does, whatever the order of the two in the collection.
    assert "(1503 in 475: 0.56; 475 in 1503: 0.31)" in r.output and "(only in 1503: 1.5, 6.22, 6; only" in r.output
    swapped = CliRunner().invoke(cli, ["explain", "475", "1503", "--in", str(REUTERS)]).output
    assert "(475 in 1503: 0.31; 1503 in 475: 0.56)" in swapped and "(only in 475: 2, 6.02" in swapped
    r = CliRunner().invoke(cli, ["explain", "nosuchid", "475", "--in", str(REUTERS)])
    assert r.exit_code == 1 and "nosuchid: no document with this id" in r.output
    # Reuters has 737 records without a body: one warning, which -q leaves out.
    assert "737 records skipped" in r.stderr
    quiet = CliRunner().invoke(cli, ["explain", "1503", "475", "--in", str(REUTERS), "-q"])
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == CliRunner().invoke(
        cli, ["explain", "1503", "475", "--in", str(REUTERS)]).stdout
    # An article against itself is no question: a usage error, not a verdict.
    same = CliRunner().invoke(cli, ["explain", "475", "475", "--in", str(REUTERS)])
    assert same.exit_code == 2 and "A and B are the same article (475); give two articles of the collection" \
        in same.stderr
    same = CliRunner().invoke(cli, ["explain", str(REUTERS) + "#475", str(REUTERS) + "#475"])
    assert same.exit_code == 2 and "A and B are the same article" in same.stderr
    with pytest.raises(ValueError, match="same document"):
        explain(read_documents([str(REUTERS)]), "475", "475")


def test_explain_says_why_a_subject_over_its_bound_passes():
    # Reuters 4 and 16: one story under two headlines; "subject 0.31 <= 0.2 pass" gave no reason.
    r = CliRunner().invoke(cli, ["explain", "4", "16", "--in", str(need(REUTERS))])
    line = next(x for x in r.output.splitlines() if x.lstrip().startswith("subject"))
    assert "pass" in line and "(waived: one text is found almost whole in the other, containment >= 0.8)" in line


def test_explain_verdict_with_one_failed_check_says_says():
    from dedup.explain import Check, Explanation
    from dedup.features import DocInfo
    from dedup.report import render_explanation

    doc = DocInfo("a", "a.txt", 0, 100, 96, None, True)
    checks = [Check("jaccard", 0.8, ">= 0.5", True), Check("dates", 3.0, "within 1 day", False)]
    text = "".join(render_explanation(Explanation(doc, doc, tuple(checks), True, False, False, None)))
    assert "verdict: not near-duplicates: dates says another occasion or subject;" in text


def test_explain_says_why_a_short_flash_is_not_excused_as_an_update():
    r = CliRunner().invoke(cli, ["explain", "13562", "14204", "--in", str(need(REUTERS))])
    assert r.exit_code == 0, r.output
    (figures_line,) = [line for line in r.output.splitlines() if line.lstrip().startswith("figures")]
    assert "FAIL" in figures_line and "(not an update that keeps most of the text: a text has fewer than 30 words)" \
        in figures_line


def test_explain_names_the_times_of_day_of_two_reports():
    r = CliRunner().invoke(cli, ["explain", "13562", "14206", "--in", str(need(REUTERS))])
    assert r.exit_code == 0, r.output
    (dates_line,) = [line for line in r.output.splitlines() if line.lstrip().startswith("dates")]
    assert "FAIL" in dates_line and "(another time of day: 13562: -; 14206: afternoon)" in dates_line
    assert "not near-duplicates: dates says" in r.output
