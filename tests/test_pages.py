"""Saved web pages in a scan (dedup.pages): extraction in workers, template removal, and the results
on saved pages generated from Reuters-21578 (benchmarks/saved_pages.py, a small sample)."""

import importlib.util
import json
import os
import sys
from itertools import combinations

import pytest
from click.testing import CliRunner

import dedup
from dedup import Document, ScanConfig, scan_documents
from dedup.cli import cli
from dedup.decode import html_to_text
from dedup.io import ReadOptions, read_documents
from dedup.pages import label, prepare_pages

from conftest import REUTERS, ROOT, need
from test_extract import STORY, page


@pytest.fixture(scope="module")
def saved_pages():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location("saved_pages", ROOT / "benchmarks" / "saved_pages.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reuters(saved_pages):
    return saved_pages.load_reuters(need(REUTERS))


def found_pairs(result):
    return {frozenset(p) for c in result.clusters for p in combinations([m.id for m in c.members], 2)}


def test_text_documents_stream_through_untouched():
    docs = [Document("a", "one two three"), Document("b", "four five six", is_file=True)]
    out = list(prepare_pages(iter(docs), workers=2))
    assert len(out) == 2 and all(x is y for x, y in zip(out, docs))


def test_workers_give_what_one_process_gives(tmp_path):
    for i in range(40):
        paras = [f"Story number {i} opens with its own first paragraph about item {i}."] + STORY[i % 3:]
        (tmp_path / f"p{i:02d}.html").write_text(page(paras=paras, headline=f"Headline {i}"), encoding="utf-8")
    (tmp_path / "z_note.txt").write_text("A plain text file among the pages.", encoding="utf-8")

    def run(workers):
        opts = ReadOptions(defer_html=True)
        return list(prepare_pages(read_documents([tmp_path], opts), workers, opts.skipped)), opts.skipped

    one, skipped_one = run(1)
    two, skipped_two = run(2)
    assert one == two and [d.text for d in one] == [d.text for d in two] and skipped_one == skipped_two == []
    assert [d.id for d in one] == [f"p{i:02d}.html" for i in range(40)] + ["z_note.txt"]
    first = one[0]
    assert first.extractor == "trafilatura" and first.title == "Headline 0" and first.site == "dailyplanet.com"
    assert first.html is None
    # The menu, cookie notice and footer are on every page of the site: gone, whatever the extractor kept.
    assert all("cookies" not in d.text and "Copyright" not in d.text for d in one)
    assert one[-1].text == "A plain text file among the pages." and one[-1].extractor is None


def test_site_falls_back_to_the_folder_and_empty_pages_are_skipped(tmp_path):
    (tmp_path / "a.html").write_text(page(canonical=None, site_name=None), encoding="utf-8")
    (tmp_path / "empty.html").write_text("<html><body><script>x()</script></body></html>", encoding="utf-8")
    opts = ReadOptions(defer_html=True)
    docs = list(prepare_pages(read_documents([tmp_path], opts), 1, opts.skipped))
    assert [d.site for d in docs] == ["folder:" + str(tmp_path)]
    assert [(s.path, s.reason) for s in opts.skipped] == [(str(tmp_path / "empty.html"), "no article text found")]


def test_strict_refuses_a_page_without_text(tmp_path):
    (tmp_path / "a.html").write_text(page(), encoding="utf-8")
    (tmp_path / "empty.html").write_text("<html><body><script>x()</script></body></html>", encoding="utf-8")
    r = CliRunner().invoke(cli, ["scan", str(tmp_path), "--strict"])
    assert r.exit_code == 1
    assert r.output.strip() == f"Error: {tmp_path / 'empty.html'}: no article text found"
    r = CliRunner().invoke(cli, ["scan", str(tmp_path)])
    assert r.exit_code == 0 and "empty.html: no article text found" in r.stderr


def test_page_whose_extracted_text_is_all_template_takes_its_own_blocks(monkeypatch):
    import dedup.pages
    from dedup.extract import Page

    banner, footer = "We use cookies on this site. Accept all.", "Copyright 1987 The Courier."
    stories = {"a": STORY[0], "b": STORY[1], "c": STORY[2]}

    def fake_extract(html, fast=False):
        text = banner if html == "c" else f"{stories[html]}\n{banner}"  # the extractor missed c's story
        blocks = ("Home", banner, stories[html], "Bank raises prime rate", footer)
        return Page(text, "trafilatura", None, None, "courier.com", None, blocks, frozenset({"bank raises prime rate"}))

    monkeypatch.setattr(dedup.pages, "extract_page", fake_extract)
    docs = [Document(k, "", f"{k}.html", html=k) for k in "abc"]
    out = {d.id: d for d in prepare_pages(docs, workers=1)}
    assert out["a"].text == STORY[0] and out["a"].extractor == "trafilatura"
    assert out["c"].text == STORY[2] and out["c"].extractor == "blocks"  # no banner, menu, link or footer


def test_label_is_title_else_first_words():
    assert label(Document("a", "x", title="Oil prices rise")) == "Oil prices rise"
    assert label(Document("a", "\n\nFirst line here\nsecond")) == "First line here"
    long = " ".join(f"w{i}" for i in range(20))
    assert label(Document("a", long)) == " ".join(f"w{i}" for i in range(12)) + " ..."


def test_keep_newest_uses_the_page_date(tmp_path):
    old, new = tmp_path / "old.html", tmp_path / "new.html"
    old.write_text(page(date="1987-03-02T10:00:00Z"), encoding="utf-8")
    new.write_text(page(date="1987-03-02T20:00:00Z", paras=STORY[:2]), encoding="utf-8")
    os.utime(old, (2e9, 2e9))  # the file times say the opposite
    os.utime(new, (1e9, 1e9))
    result = dedup.scan([tmp_path], keep="newest")
    assert [c.keep for c in result.clusters] == ["new.html"]
    assert dedup.scan([tmp_path]).clusters[0].keep == "old.html"  # longest


def test_cli_shows_titles_and_extractors(tmp_path):
    (tmp_path / "a.html").write_text(page(), encoding="utf-8")
    (tmp_path / "b.html").write_text(page(headline="UPDATE 1-Oil jumps", paras=STORY[:2],
                                          canonical="https://other.net/x", site_name="Other"), encoding="utf-8")
    r = CliRunner().invoke(cli, ["scan", str(tmp_path)])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    keep = next(k for k, line in enumerate(lines) if line.startswith("  keep  a.html  "))
    assert lines[keep].endswith("1987-03-02") and lines[keep + 1] == "        Oil prices rise on OPEC cut"
    r = CliRunner().invoke(cli, ["scan", str(tmp_path), "-f", "json"])
    pages = json.loads(r.stdout)["pages"]
    assert [(p["id"], p["extractor"], p["site"], p["title"]) for p in pages] == [
        ("a.html", "trafilatura", "dailyplanet.com", "Oil prices rise on OPEC cut"),
        ("b.html", "trafilatura", "other.net", "UPDATE 1-Oil jumps")]
    assert pages[0]["date"].startswith("1987-03-02")


def test_text_input_json_has_no_pages(seeds):
    r = CliRunner().invoke(cli, ["scan", str(seeds), "-f", "json"])
    assert r.exit_code == 0 and "pages" not in json.loads(r.stdout)


@pytest.mark.parametrize("layout", ["mixed", "small"])
def test_saved_pages_sample(saved_pages, reuters, tmp_path, layout):
    sp = saved_pages.build(reuters, seed=5, layout=layout, wire=25, single=50)
    assert len(sp.positives) >= 25
    sp.write(tmp_path)
    result = dedup.scan([tmp_path], ScanConfig(jobs=2))
    pairs = found_pairs(result)
    site = sp.site_of
    wrong = pairs - sp.positives
    assert not [p for p in wrong if len({site[i] for i in p}) == 1]  # no wrong pair within one site
    assert len(pairs & sp.positives) / len(pairs) >= 0.99
    assert len(pairs & sp.positives) / len(sp.positives) >= 0.95
    assert {d.extractor for d in result.documents} == {"trafilatura"}
    # The hazard is real in this sample: the built-in parser's text, template and all, pairs wrong stories
    # on shingles alone (the occasion check then has to catch them).
    docs = [Document(pid, html_to_text(h)[0]) for pid, h in sp.pages.items()]
    before = found_pairs(scan_documents(docs, ScanConfig(occasion=False)))
    assert len(before - sp.positives) > len(wrong)


def test_a_page_is_read_by_the_charset_it_declares(tmp_path):
    # One French story saved as Latin-1 (declared in an http-equiv meta), as UTF-8, and a Japanese page in
    # Shift_JIS: each decoded by its own declaration, also when --encoding names another for the folder.
    story = ("Grève au café: les serveurs de Montréal ont cessé le travail lundi pour réclamer de meilleurs "
             "salaires, a indiqué le syndicat. ") * 3
    head = '<html><head><meta http-equiv="Content-Type" content="text/html; charset={}"><title>{}</title></head>'
    body = f"<body><article><p>{story}</p></article></body></html>"
    (tmp_path / "latin1.html").write_bytes((head.format("iso-8859-1", "Grève") + body).encode("cp1252"))
    (tmp_path / "utf8.html").write_bytes((head.format("utf-8", "Grève") + body).encode("utf-8"))
    japanese = "東京の交通計画について、市は新しい路線を発表した。" * 8
    (tmp_path / "sjis.html").write_bytes(
        (head.format("Shift_JIS", "交通計画") + f"<body><article><p>{japanese}</p></article></body></html>")
        .encode("shift_jis"))
    for encoding in (None, "latin-1"):
        docs = list(prepare_pages(read_documents([tmp_path], ReadOptions(encoding=encoding))))
        assert [d.id for d in docs] == ["latin1.html", "sjis.html", "utf8.html"]
        assert docs[0].text == docs[2].text and "Grève au café" in docs[0].text
        assert docs[1].title == "交通計画" and "東京の交通計画" in docs[1].text


def test_the_midday_and_evening_draws_of_one_day_are_two_reports(tmp_path):
    def draws(session: str, numbers: tuple[str, ...], when: str) -> str:
        paras = [f"Here are the winning numbers from the state lottery's {session.lower()} drawings on Tuesday, "
                 "Oct. 14, 2025.",
                 f"Pick 3 {session}: {numbers[0]}. Fireball: {numbers[1]}.",
                 f"Pick 4 {session}: {numbers[2]}. Fireball: {numbers[3]}.",
                 f"Daily Cash 5 {session}: {numbers[4]}.",
                 "The Powerball jackpot for Wednesday's drawing is an estimated $412 million, with a cash option "
                 "of $191.6 million. The Mega Millions jackpot for Friday is an estimated $88 million."]
        return page(paras=paras, headline=f"Lottery results: {session} drawings for Tuesday, Oct. 14",
                    date=f"2025-10-14T{when}:00-05:00", canonical=f"https://www.dailyplanet.com/lottery/{session}")

    (tmp_path / "midday.html").write_text(draws("Midday", ("4-7-1", "9", "0-3-3-8", "2", "06-11-19-27-33"), "12:45"),
                                          encoding="utf-8")
    (tmp_path / "evening.html").write_text(draws("Evening", ("2-2-9", "5", "7-1-4-0", "6", "03-14-19-30-35"), "19:45"),
                                           encoding="utf-8")
    assert not dedup.scan([tmp_path]).clusters
    # One day has two draws; and their numbers differ, as whole draws, not as single digits.
    r = CliRunner().invoke(cli, ["explain", "midday.html", "evening.html", "--in", str(tmp_path)])
    (dates,) = [line for line in r.output.splitlines() if line.lstrip().startswith("dates")]
    assert "FAIL" in dates and "(another time of day: midday.html: midday; evening.html: evening)" in dates  # A first
    (figures,) = [line for line in r.output.splitlines() if line.lstrip().startswith("figures")]
    assert "only in evening.html: 2-2-9, 7-1-4-0, 6, 03-14-19-30-35" in figures
