"""Per-site template removal (dedup.template): plain functions over texts and site keys."""

import doctest

import pytest

import dedup.template
from dedup.template import line_keys, site_templates, strip_lines, strip_templates

NEWSLETTER = "Sign up for the Courier morning briefing, free every weekday."
FOOTER = "Copyright 1987 The Courier. All rights reserved."
OIL = ["Oil prices rose sharply on Monday after OPEC agreed to cut output, traders said.",
       "The benchmark contract gained two dollars to 18.50 dlrs a barrel in New York.",
       "Analysts said the agreement would hold at least until the summer."]
WHEAT = ["Wheat exports fell 12 pct in February as Soviet buying slowed, the department said.",
         "Shipments to China were unchanged from January at 1.2 mln tonnes."]
GOLD = ["Gold was steady in quiet trading in Zurich ahead of the U.S. jobs figures.",
        "Dealers said the market lacked direction after last week's rally."]


def test_doctests():
    assert doctest.testmod(dedup.template).failed == 0


def test_lines_repeated_on_two_pages_of_a_site_are_dropped():
    texts = ["\n".join(OIL + [NEWSLETTER, FOOTER]), "\n".join(WHEAT + [FOOTER, NEWSLETTER.upper()])]
    out = strip_templates(texts, ["courier.com", "courier.com"])
    assert out == ["\n".join(OIL), "\n".join(WHEAT)]


def test_lines_shared_across_sites_are_story_text():
    # One wire story on three sites, each adding its own footer once.
    texts = ["\n".join(OIL + ["Copyright A."]), "\n".join(OIL[:2] + ["Copyright B."]), "\n".join(OIL)]
    assert strip_templates(texts, ["a.com", "b.com", "c.com"]) == texts
    assert site_templates(texts, ["a.com", "b.com", "c.com"]) == {}


def test_pages_without_a_site_are_left_out():
    texts = ["\n".join(OIL + [FOOTER]), "\n".join(WHEAT + [FOOTER])]
    assert strip_templates(texts, [None, None]) == texts


def test_versions_of_one_story_on_one_site_are_kept():
    update = OIL + ["Prices eased later in the day as traders took profits."]
    texts = ["\n".join(OIL + [FOOTER]), "\n".join(update + [FOOTER]), "\n".join(WHEAT + [FOOTER]),
             "\n".join(GOLD + [FOOTER])]
    found = site_templates(texts, ["c.com"] * 4)
    assert found == {"c.com": frozenset(line_keys(FOOTER))}
    # With only two pages on the site, both versions of one story.
    two = site_templates(texts[:2], ["c.com"] * 2)
    assert two == {}


STORY = [f"Paragraph {k} of the developing story: bankers and {k + 3} creditor nations met again on Friday "
         f"to discuss point {k} of the rescheduling plan, officials said." for k in range(9)]


@pytest.mark.parametrize("site", ["ledger.com", "folder:pages"])
def test_a_story_saved_as_it_grew_is_kept_on_every_version(site):
    # Saved three times as it grew (4, 6 and 9 paragraphs) beside other stories of the site, or, with no
    # site named, copies of one wire story in one folder: the shorter versions share most of their words
    # with the longer ones, the first four paragraphs only 4/9 of the longest. Only the footer is template.
    texts = ["\n".join(STORY[:n] + [FOOTER]) for n in (9, 6, 4)] + \
        ["\n".join(t + [FOOTER]) for t in (OIL, WHEAT, GOLD)]
    assert site_templates(texts, [site] * 6) == {site: frozenset(line_keys(FOOTER))}
    assert strip_templates(texts, [site] * 6)[2] == "\n".join(STORY[:4])
    # A line shared by two versions and by a page of another story is template still.
    texts[4] = "\n".join(WHEAT + [STORY[0], FOOTER])
    assert site_templates(texts, [site] * 6)[site] == frozenset(line_keys(FOOTER) + line_keys(STORY[0]))


def test_on_a_site_of_two_pages_a_short_story_does_not_make_its_template_story_text():
    # Every shared line is on every page: both pages must be mostly shared lines to be versions.
    texts = ["Oil rose 2 pct.\nSubscribe now", "Wheat fell.\nSubscribe now"]
    assert site_templates(texts, ["a.com"] * 2) == {"a.com": frozenset({"subscribe now"})}


def test_a_banner_the_extractor_kept_on_one_page_only_is_still_found():
    texts = ["\n".join([NEWSLETTER] + OIL), "\n".join(WHEAT), "\n".join(GOLD)]
    blocks = [(), ("Home", NEWSLETTER, "Markets"), ("Home", NEWSLETTER)]
    assert strip_templates(texts, ["c.com"] * 3) == texts
    out = strip_templates(texts, ["c.com"] * 3, blocks=blocks)
    assert out[0] == "\n".join(OIL) and out[1:] == texts[1:]


def test_min_pages_and_arguments():
    texts = ["\n".join(OIL + [FOOTER]), "\n".join(WHEAT + [FOOTER]), "\n".join(GOLD + [FOOTER])]
    assert site_templates(texts, ["c.com"] * 3, min_pages=4) == {}
    assert site_templates(texts, ["c.com"] * 3, min_pages=3) == {"c.com": frozenset(line_keys(FOOTER))}
    with pytest.raises(TypeError):
        site_templates("one text", ["c.com"])
    with pytest.raises(ValueError, match="same length"):
        site_templates(texts, ["c.com"])
    assert strip_lines("A line.\n\nB line.", frozenset()) == "A line.\n\nB line."


LIBRARY = [
    "The city council voted seven to two on Monday night to close the Eastside library branch at the end of the "
    "fiscal year, citing a budget shortfall of four million dollars that the mayor says cannot be closed any "
    "other way.",
    "Residents who packed the chamber for more than three hours urged members to delay the vote, saying the branch "
    "is the only place in the neighborhood where children can study after school and adults can use a computer.",
    "The council's finance chair said the savings would keep two fire stations open and that mobile library service "
    "would visit the neighborhood twice a week starting in September, though no schedule has been published yet.",
]


def test_a_site_whose_every_page_is_one_story_keeps_it():
    # Three saves of one article from one site, each with a footer of its own: the story's paragraphs are on every
    # page, as a template's lines are, and were removed as the site's template (nothing was left to group).
    pages = ["\n".join(LIBRARY + [NEWSLETTER, f"Page saved at {h}:00."]) for h in (9, 12, 18)]
    found = site_templates(pages, ["courier.com"] * 3)
    assert found == {} or not any(line in found["courier.com"] for line in line_keys("\n".join(LIBRARY)))
    # A long template paragraph on every page beside short stories that differ is the site's template: the
    # stories are more than a twentieth of each page.
    chrome = ("About us: the Courier is an independent newspaper serving the valley since 1921; we use cookies to "
              "measure our audience and to show you offers, and you can read how in our privacy policy and change "
              "your choices at any time from the link at the bottom of every page.")
    shorts = ["\n".join([OIL[0], chrome]), "\n".join([WHEAT[0], chrome]), "\n".join([GOLD[0], chrome])]
    assert line_keys(chrome)[0] in site_templates(shorts, ["courier.com"] * 3)["courier.com"]
    # A template on every page beside stories that differ is still found, long line or not.
    others = ["\n".join(OIL + [NEWSLETTER, LIBRARY[0]]), "\n".join(WHEAT + [NEWSLETTER, LIBRARY[0]]),
              "\n".join(GOLD + [NEWSLETTER, LIBRARY[0]])]
    template = site_templates(others, ["courier.com"] * 3)["courier.com"]
    assert set(line_keys("\n".join([NEWSLETTER, LIBRARY[0]]))) <= template
