"""Per-site template removal: text a site repeats on several of its pages.

A saved page's extracted text can still hold some of its site's template:
a newsletter prompt, a cookie notice, a "Most read" list, a footer line.
Two short stories from one site then share that text and look alike, and a
footer found on thousands of pages fills the LSH buckets. This stage drops,
before any signature is computed, every line (paragraph) that occurs on at
least ``min_pages`` pages of the same site. It needs no share of the
collection, so it works when a site has only two or three pages in the
folder. Text shared by pages of *different* sites (one wire story
republished by several sites) is never touched: lines are counted per site.

Pages of one site that are versions of one story (a site's update of its
own article, saved as it grew; copies of one wire story in a folder with no
site named) share most of the lines of the shorter one. On a site of three
or more pages, two pages are versions when the lines they share hold at
least ``versions_share`` of the words of the shorter page, not counting
lines found on every page (that is what a template looks like); on a site
of two pages, where every shared line is on every page, of the words of
each. All pages of a site are versions when the lines found on every page,
one of :data:`STORY_LINE_WORDS` words or more among them, hold
:data:`SAVES_SHARE` of each page's words (every page of the site is one
story, saved again and again). A repeated line is story
text, and kept, when every two pages it is on are versions.

Functions here work on lists of texts and site keys; no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations
from typing import Iterable, Optional, Sequence

from .normalize import words

MIN_PAGES = 2
VERSIONS_SHARE = 0.5


def line_keys(text: str) -> list[str]:
    """The normalized lines of a text, in order (empty lines left out).

    Example:
        >>> line_keys("Oil rose.\\n\\nSign up for our NEWSLETTER!\\n")
        ['oil rose', 'sign up for our newsletter']
    """
    out = []
    for line in text.split("\n"):
        key = " ".join(words(line))
        if key:
            out.append(key)
    return out


def site_templates(texts: Sequence[str], sites: Sequence[Optional[str]], min_pages: int = MIN_PAGES,
                   versions_share: float = VERSIONS_SHARE,
                   blocks: Optional[Sequence[Iterable[str]]] = None) -> dict[str, frozenset[str]]:
    """The template lines of each site.

    Args:
        texts: page texts, one paragraph a line.
        sites: the site of each page (None: the page belongs to no site and
            is left out).
        min_pages: a line on at least this many pages of one site is template.
        versions_share: a group of lines found on exactly the same pages is
            kept when it holds at least this share of each page's words
            (see the module's description).
        blocks: for each page, the other text blocks of the whole page
            (menus, banners, sidebars an extractor left out): counted with
            the page's lines, so a banner the extractor kept on one page
            and dropped on the others is still found on several pages.

    Returns:
        For each site with template, the normalized lines to drop.

    Example:
        >>> pages = ["Oil rose 2 pct.\\nSubscribe now", "Wheat fell.\\nSubscribe now", "Gold flat."]
        >>> site_templates(pages, ["a.com", "a.com", "b.com"])
        {'a.com': frozenset({'subscribe now'})}
    """
    if isinstance(texts, str):
        raise TypeError("Iterable over raw text documents expected, string object received.")
    if len(texts) != len(sites):
        raise ValueError(f"texts and sites must have the same length. Got {len(texts)} and {len(sites)} instead.")
    by_site: dict[str, list[int]] = defaultdict(list)
    for i, site in enumerate(sites):
        if site is not None:
            by_site[site].append(i)
    out: dict[str, frozenset[str]] = {}
    for site, members in by_site.items():
        if len(members) < min_pages:
            continue
        keys = {i: set(line_keys(texts[i])) for i in members}
        pages_of: dict[str, list[int]] = defaultdict(list)
        for i in members:
            seen = keys[i] if blocks is None else keys[i] | set(line_keys("\n".join(blocks[i])))
            for key in seen:
                pages_of[key].append(i)
        repeated = {k: frozenset(p) for k, p in pages_of.items() if len(p) >= min_pages}
        if not repeated:
            continue
        page_words = {i: sum(len(k.split()) for k in keys[i]) for i in members}
        linked = _versions(members, keys, repeated, page_words, versions_share)
        template = {k for k, pages in repeated.items() if len(pages) > MAX_VERSIONS
                    or any((i, j) not in linked for i, j in combinations(sorted(pages), 2))}
        if template:
            out[site] = frozenset(template)
    return out


#: Lines on more pages of a site than this do not link versions (a story is not saved that often): it
#: bounds the pairs counted per line.
MAX_VERSIONS = 32


def _versions(members: Sequence[int], keys: dict[int, set[str]], repeated: dict[str, frozenset[int]],
              page_words: dict[int, int], share: float) -> set[tuple[int, int]]:
    """The pairs ``(i, j)``, i < j, of pages of one site that are versions of one story (see the module's
    description)."""
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for key, pages in repeated.items():
        if len(pages) > MAX_VERSIONS or (len(members) > 2 and len(pages) == len(members)):
            continue
        n = len(key.split())
        for pair in combinations(sorted(i for i in pages if key in keys[i]), 2):
            shared[pair] += n
    size = min if len(members) > 2 else max
    linked = {(i, j) for (i, j), n in shared.items() if n >= share * size(page_words[i], page_words[j]) > 0}
    # Every page of the site is one story (three saves of an article, nothing else of the site): the lines on
    # every page, a paragraph among them, hold nearly all of each page's words. A template beside short
    # stories does not: the stories are the rest.
    every = [key for key, pages in repeated.items()
             if len(pages) == len(members) and all(key in keys[i] for i in members)]
    story = sum(len(key.split()) for key in every)
    if len(members) > 2 and any(len(key.split()) >= STORY_LINE_WORDS for key in every) and \
            all(story >= SAVES_SHARE * page_words[i] for i in members):
        linked |= set(combinations(sorted(members), 2))
    return linked


#: The share of each page's words that the lines on every page of a site must hold for its pages to be
#: saves of one story (what is left: a footer, a time saved).
SAVES_SHARE = 0.95


#: Words from which a line on every page of a site can be a story's paragraph rather than its template
#: (menus, bylines, prompts and banners are shorter).
STORY_LINE_WORDS = 25


def strip_lines(text: str, template: frozenset[str]) -> str:
    """The text without the lines whose normalized form is in ``template``.

    Example:
        >>> strip_lines("Oil rose.\\nSUBSCRIBE now!", frozenset({"subscribe now"}))
        'Oil rose.'
    """
    if not template:
        return text
    kept = [line for line in text.split("\n") if " ".join(words(line)) not in template]
    return "\n".join(kept).strip("\n")


def strip_templates(texts: Sequence[str], sites: Sequence[Optional[str]], min_pages: int = MIN_PAGES,
                    versions_share: float = VERSIONS_SHARE,
                    blocks: Optional[Sequence[Iterable[str]]] = None) -> list[str]:
    """Each text without its site's template lines (:func:`site_templates`)."""
    found = site_templates(texts, sites, min_pages, versions_share, blocks)
    return [strip_lines(t, found[s]) if s in found else t for t, s in zip(texts, sites)]
