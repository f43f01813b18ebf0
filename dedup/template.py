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

Two pages of one site that are versions of one story (a site's update of
its own article) share most of their lines and nothing else does: a group
of lines found on exactly the same pages, when it makes up at least
``versions_share`` of the words of each of them, is kept as story text,
unless the group is found on every page of a site of three or more pages
(that is what a template looks like).

Functions here work on lists of texts and site keys; no I/O.
"""

from __future__ import annotations

from collections import defaultdict
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
        groups: dict[frozenset[int], list[str]] = defaultdict(list)
        for key, pages in repeated.items():
            groups[pages].append(key)
        template = set()
        everywhere = frozenset(members)
        for pages, lines in groups.items():
            if pages != everywhere or len(members) == 2:
                if all(sum(len(k.split()) for k in lines if k in keys[i]) >= versions_share * page_words[i] > 0
                       for i in pages):
                    continue
            template.update(lines)
        if template:
            out[site] = frozenset(template)
    return out


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
