"""Web pages: main text with trafilatura (the built-in parser as fallback), metadata, and site keys."""

import os

import pytest

from dedup.extract import (Page, date_forms, extract_page, extract_pages, host, layout_tables_as_divs, site_key,
                           without_date_lines, without_link_lines)
from dedup.io import ReadOptions, read_documents

STORY = ["Oil prices rose sharply on Monday after OPEC members agreed to cut output by a larger amount than "
         "expected, traders in London and New York said.",
         "The benchmark crude contract gained two dollars to 18.50 dlrs a barrel in New York, its highest level "
         "since January, before easing slightly in late trading.",
         "Analysts said the agreement would hold at least until the summer, when demand for heating oil falls "
         "and producers are tempted to sell more than their quotas."]


def page(paras=STORY, headline="Oil prices rise on OPEC cut", date="1987-03-02T10:15:00Z",
         canonical="https://www.dailyplanet.com/news/oil-up", site_name="Daily Planet", extra_head="") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    og = f'<meta property="og:site_name" content="{site_name}">' if site_name else ""
    body = "".join(f"<p>{p}</p>" for p in paras)
    return f"""<!DOCTYPE html><html><head><title>{headline} | Daily Planet</title>{link}{og}{extra_head}
<meta property="article:published_time" content="{date}">
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "{headline}"}}</script>
<style>body {{ color: #222 }}</style><script>var consent = localStorage.getItem("c");</script></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/markets">Markets</a></nav></header>
<div class="cookie">We use cookies to improve your experience on our site. Accept all cookies to continue.</div>
<main><article><h1>{headline}</h1><time>{date[:10]}</time>{body}</article>
<aside><h3>Most read</h3><ol><li><a href="/a">Bank raises prime rate to 7.5 pct</a></li>
<li><a href="/b">Wheat exports fall in February</a></li></ol></aside></main>
<footer><p>Copyright 1987 Daily Planet. All rights reserved.</p></footer></body></html>"""


def test_article_text_and_metadata():
    p = extract_page(page())
    assert p.extractor == "trafilatura"
    for para in STORY:
        assert para in p.text
    for chrome in ("Home", "Most read", "prime rate", "Copyright", "consent", "color"):
        assert chrome not in p.text
    assert p.title == "Oil prices rise on OPEC cut"
    assert p.date.startswith("1987-03-02")  # dates before 1995 are kept
    assert (p.site, p.url) == ("dailyplanet.com", "https://www.dailyplanet.com/news/oil-up")
    # Every text block of the page, the chrome included, is kept for the template stage.
    assert "Copyright 1987 Daily Planet. All rights reserved." in p.blocks
    assert "Bank raises prime rate to 7.5 pct" in p.blocks
    assert not any("consent" in b or "color" in b for b in p.blocks)


def test_site_from_site_name_then_saved_from_address():
    assert extract_page(page(canonical=None)).site == "name:daily planet"
    saved = "<!-- saved from url=(0040)https://news.example.org/story/1 -->\n" + page(canonical=None, site_name=None)
    assert extract_page(saved).site == "news.example.org"
    assert extract_page(page(canonical=None, site_name=None)).site is None


def test_site_key_and_host():
    assert host("https://WWW.Example.com:8080/a?b") == "example.com"
    assert host("ftp://example.com/x") is None and host("/relative/path") is None and host(None) is None
    assert site_key("https://www.a.com/x", "Site A") == "a.com"
    assert site_key(None, "  The  Site ") == "name:the site"
    assert site_key(None, None, '<html><base href="http://b.net/">') == "b.net"
    # A syndicated copy whose canonical link names the original: the site is where it was saved from.
    saved = "<!-- saved from url=(0030)https://www.c.org/wire/oil -->\n<html>"
    assert site_key("https://www.wire.com/oil", "C News", saved) == "c.org"
    assert site_key("https://c.org/oil", None, saved) == "c.org"


def test_fallback_when_trafilatura_finds_nothing():
    p = extract_page("Thousands of workers joined the picket line on Thursday, union officials said.")
    assert p.extractor == "html"
    assert p.text == "Thousands of workers joined the picket line on Thursday, union officials said."
    empty = extract_page("<html><body><script>var x = 1;</script></body></html>")
    assert empty.text == "" and empty.blocks == ()


def test_layout_table_paragraphs_become_lines():
    cells = "<br><br>".join(STORY)
    html = (f"<!DOCTYPE html><html><head><title>Oil</title></head><body><table><tr><td>Home World Markets</td>"
            f"<td><b>Oil prices rise</b><br><br>{cells}</td><td>Most read<br>Wheat exports fall</td></tr>"
            f"</table></body></html>")
    lines = extract_page(html).text.split("\n")
    for para in STORY:
        assert para in lines  # each paragraph its own line, not one table cell with the menu
    data = "<table><tr><td>Shr</td><td>1.20</td></tr></table>"
    assert layout_tables_as_divs(data) == data


def test_link_and_date_lines_dropped():
    text = "Oil rose.\nBy Reuters staff | March 2, 1987\nRelated story here\nIt rose on March 2, 1987, too."
    assert without_link_lines(text, frozenset({"related story here"})).split("\n") == [
        "Oil rose.", "By Reuters staff | March 2, 1987", "It rose on March 2, 1987, too."]
    out = without_date_lines(text, "1987-03-02T10:00:00")
    assert "By Reuters staff" not in out and "Related story here" in out
    assert "It rose on March 2, 1987, too." in out  # a sentence of the story that names the date stays
    assert without_date_lines(text, None) == text
    assert "1987 03 02" in date_forms("1987-03-02") and date_forms("garbage") == frozenset()


def test_a_page_of_links_only_has_no_article_text():
    # A section front: 40 links and nothing else, in a plain <div> (not <nav>, which extractors drop anyway).
    links = "".join(f'<li><a href="/s{k}">Section number {k} news and more</a></li>' for k in range(40))
    found = extract_page(f"<html><head><title>Sections</title></head><body><div><ul>{links}</ul></div></body></html>")
    assert found.text == "" and len(found.links) == 40
    # A story with a line of links under it keeps the story.
    story = extract_page(page(extra_head="").replace("</article>", f"<ul>{links[:200]}</ul></article>"))
    assert STORY[0] in story.text and "Section number 0" not in story.text


def test_a_page_given_as_bytes_is_refused_plainly():
    with pytest.raises(TypeError, match=r"extract_page takes the page as text \(str\), not bytes: decode it first"):
        extract_page(page().encode())


def test_extract_pages_batch_and_refuses_a_string():
    pages = extract_pages([page(), page(headline="Second")])
    assert [p.title for p in pages] == ["Oil prices rise on OPEC cut", "Second"]
    assert all(isinstance(p, Page) for p in pages)
    with pytest.raises(TypeError):
        extract_pages(page())


def test_read_documents_extracts_pages_and_leaves_text_alone(tmp_path):
    (tmp_path / "a.html").write_text(page(), encoding="utf-8")
    (tmp_path / "b.txt").write_text(STORY[0], encoding="utf-8")
    os.utime(tmp_path / "a.html", (2e9, 2e9))
    docs = {d.id: d for d in read_documents([tmp_path])}
    a, b = docs["a.html"], docs["b.txt"]
    assert a.extractor == "trafilatura" and a.title == "Oil prices rise on OPEC cut" and a.site == "dailyplanet.com"
    assert a.date.year == 1987  # the page's date, not the file's
    assert STORY[1] in a.text and "Copyright" not in a.text and a.html is None
    assert (b.extractor, b.title, b.site, b.url, b.html, b.text) == (None, None, None, None, None, STORY[0])
    deferred = {d.id: d for d in read_documents([tmp_path], ReadOptions(defer_html=True))}
    assert deferred["a.html"].text == "" and deferred["a.html"].html.startswith("<!DOCTYPE html>")
    assert deferred["b.txt"] == b


def test_importing_the_cli_does_not_load_trafilatura():
    import subprocess
    import sys

    code = "import sys, dedup.cli; print(any(m.startswith(('trafilatura', 'lxml')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_meta_date_is_read_with_its_time_and_zone_and_an_ambiguous_one_is_not():
    from dedup.extract import meta_date

    page = ('<html><head><meta content="2026-11-30T23:05:00-05:00" property="article:published_time">'
            '<meta name="date" content="2026-11-29"></head><body><p>Text.</p></body></html>')
    assert meta_date(page) == "2026-11-30T23:05:00-05:00"  # the surest tag first, whatever the attribute order
    assert meta_date('<script type="application/ld+json">{"datePublished": "2026-11-30T19:05:00Z"}</script>') == \
        "2026-11-30T19:05:00Z"
    assert meta_date("<html><head><title>x</title></head></html>") is None
    assert meta_date("<meta property='og:published_time' content='05/06/2026'>") == "05/06/2026"


def test_pages_are_dated_by_their_meta_tags_to_the_minute(tmp_path):
    # The date finder read "2026-11-30T23:05:00-05:00" as 2026-11-30 (midnight, no zone): --keep newest kept the
    # earlier copy. An ambiguous "05/06/2026" was read as 5 June; now it is named in the warning.
    import json as jsonlib

    from dedup.cli import cli
    from click.testing import CliRunner

    body = "".join(f"<p>{'Paragraph %d of the council story about the library budget vote. ' % k * 4}</p>"
                   for k in range(8))
    for name, date in (("utc.html", "2026-11-30T19:05:00Z"), ("offset.html", "2026-11-30T23:05:00-05:00"),
                       ("ambiguous.html", "05/06/2026")):
        (tmp_path / name).write_text(f'<html><head><title>Budget</title><meta property="article:published_time" '
                                     f'content="{date}"></head><body><article>{body}</article></body></html>',
                                     encoding="utf-8")
    # The page whose date is not read is dated by its file's time: an old one, or the test fails once the clock
    # passes the newest date above (2026-12-01 04:05 UTC).
    os.utime(tmp_path / "ambiguous.html", (1e9, 1e9))
    r = CliRunner().invoke(cli, ["scan", str(tmp_path), "--keep", "newest", "-f", "json"])
    assert r.exit_code == 0
    [cluster] = jsonlib.loads(r.stdout)["clusters"]
    assert cluster["keep"] == "offset.html"
    assert "1 article gives a date dedup cannot read (first: " in r.stderr and "'05/06/2026'" in r.stderr


def test_an_updated_page_counts_from_its_update_for_keep_newest_and_the_diff(tmp_path):
    # An update keeps its publication time and changes article:modified_time: --keep newest kept the
    # original, and the diff read the update as the older version (its new paragraphs as removed).
    import json as jsonlib

    from click.testing import CliRunner

    from dedup.cli import cli

    more = STORY + ["Late on Monday the ministers agreed to meet again in June to review the quotas, officials said."]
    update = page(more, date="1987-03-02T09:15:00Z",
                  extra_head='<meta property="article:modified_time" content="1987-03-02T18:40:00Z">')
    (tmp_path / "a-updated.html").write_text(update, encoding="utf-8")
    (tmp_path / "b-copy.html").write_text(page(date="1987-03-02T10:00:00Z", canonical="https://wire.example/oil"),
                                          encoding="utf-8")
    p = extract_page(update)
    assert (p.date, p.updated) == ("1987-03-02T09:15:00Z", "1987-03-02T18:40:00Z")
    r = CliRunner().invoke(cli, ["scan", str(tmp_path), "--keep", "newest", "-f", "json"])
    [cluster] = jsonlib.loads(r.stdout)["clusters"]
    assert cluster["keep"] == "a-updated.html"
    # The text output shows the update beside the publication date (the kept copy looked the older one).
    r = CliRunner().invoke(cli, ["scan", str(tmp_path), "--keep", "newest"])
    assert "  keep  a-updated.html  " in r.stdout and " words  1987-03-02 (updated 1987-03-02)\n" in r.stdout
    r = CliRunner().invoke(cli, ["diff", str(tmp_path / "a-updated.html"), str(tmp_path / "b-copy.html"), "-f", "json"])
    got = jsonlib.loads(r.stdout)
    assert got["older"]["side"] == "b" and "modified" in got["older"]["reason"]
    # In time order (a report's diffs): the copy first, the update's new sentence added.
    from dedup.versions import diff_older_first, read_version

    ordered = diff_older_first(read_version(str(tmp_path / "a-updated.html")),
                               read_version(str(tmp_path / "b-copy.html")))
    assert [s.text for s in ordered.added] == [more[-1]] and not ordered.removed
    # The date check still reads the publication: 09:15 and 10:00, one occasion.
    r = CliRunner().invoke(cli, ["scan", str(tmp_path), "--keep", "oldest", "-f", "json"])
    assert jsonlib.loads(r.stdout)["clusters"][0]["keep"] == "a-updated.html"
