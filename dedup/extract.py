"""Main text and metadata of saved web pages.

The article is extracted with trafilatura (Barbaresi, ACL 2021: "Trafilatura:
A Web Scraping Library and Command-Line Tool for Text Discovery and
Extraction"), which separates a page's main text from its navigation,
sidebars and footers; pages it returns nothing for fall back to
:func:`dedup.decode.html_to_text`. Each :class:`Page` says which extractor gave
its text. trafilatura is imported inside the functions that use it.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Optional, Sequence
from urllib.parse import urlsplit

from .errors import DedupError
from .decode import html_to_text, parse_date, unread_date
from .io import Document
from .normalize import words

# "blocks": the page's text blocks that are neither links nor its site's
# template, for a page whose extracted text was all template (dedup.pages).
EXTRACTORS = ("trafilatura", "html", "blocks")

# htmldate (trafilatura's date finder) ignores dates before 1995 unless told
# otherwise; archives of older news are common.
DATE_PARAMS = {"original_date": True, "extensive_search": False, "min_date": "1900-01-01",
                "outputformat": "%Y-%m-%dT%H:%M:%S"}

# Pages laid out with tables keep the story in one cell, its paragraphs split
# by <br><br>; trafilatura reads a table cell as one line, menu and "Most
# read" cells included. On a page with table cells and <br><br> paragraph
# breaks the tables are taken as layout, not data: their tags read as <div>s.
_PARAGRAPH_BREAK = re.compile(r"<br\s*/?>\s*(?:&nbsp;\s*)?<br\s*/?>", re.IGNORECASE)
_TABLE_TAG = re.compile(r"<(/?)(?:table|tbody|thead|tfoot|tr|td|th)\b", re.IGNORECASE)

# Browsers mark a saved page with the address it came from
# ("<!-- saved from url=(0042)https://... -->"); a <base href> says the same.
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)\s*([^\s>]+)|<base\s[^>]*href=[\"']?([^\"'\s>]+)",
                         re.IGNORECASE)


class DependencyError(DedupError):
    """A library that web pages need is missing or broken."""


@dataclass(frozen=True)
class Page:
    """The article of one web page and what the page says about itself.

    Attributes:
        text: the main text, one paragraph a line.
        extractor: ``"trafilatura"``, or ``"html"`` when trafilatura found
            nothing and the built-in parser gave the text.
        title: the headline, if known.
        date: the publication date as the page gives it (ISO 8601), if known.
        updated: the last modification as its meta tags (or JSON-LD) give it, if any.
        site: the site's name or host (see :func:`site_key`), if known.
        url: the canonical address, if known.
        blocks: every text block of the page (paragraphs, list items, menu
            entries, cells; scripts and styles left out), main text or not:
            what :mod:`dedup.template` counts to find a site's template.
        links: the normalized text of every link on the page.
    """

    text: str
    extractor: str
    title: Optional[str] = None
    date: Optional[str] = None
    site: Optional[str] = None
    url: Optional[str] = None
    blocks: tuple[str, ...] = ()
    links: frozenset[str] = frozenset()
    updated: Optional[str] = None


def host(url: Optional[str]) -> Optional[str]:
    """The lower-case host of an absolute http(s) URL, without ``www.``; None otherwise."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    name = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not name:
        return None
    return name[4:] if name.startswith("www.") else name


def saved_from(html: str) -> Optional[str]:
    """The address a browser recorded when the page was saved (or its ``<base href>``), if any."""
    m = _SAVED_FROM.search(html, 0, 65536)
    return (m.group(1) or m.group(2)) if m else None


def site_key(url: Optional[str], site_name: Optional[str], html: str = "") -> Optional[str]:
    """Which site a page belongs to: the host of its canonical URL, else its
    ``og:site_name``, else the host it was saved from; None when the page
    does not say. A republished story's canonical link may name the
    original publisher (the usual practice for syndicated copies): when the
    page was saved from another host, that host is its site."""
    key = host(url)
    if key:
        saved = host(saved_from(html)) if html else None
        return saved if saved and saved != key else key
    if site_name and site_name.strip():
        return "name:" + " ".join(site_name.split()).casefold()
    return host(saved_from(html)) if html else None


_BLOCK_TAGS = frozenset({"p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "form",
                         "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                         "pre", "table", "tr", "td", "th", "caption", "figure", "figcaption", "br", "hr", "body",
                         "address", "details", "summary", "option", "button", "label", "time"})
_NO_TEXT = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object", "canvas"})


def page_blocks(tree: object) -> tuple[str, ...]:
    """Every text block of a parsed page (an lxml element), in order, whitespace collapsed.

    Blocks are split at block-level tags and ``<br>``; scripts, styles and
    the ``<head>`` give none.
    """
    from lxml import etree

    parts: list[str] = []
    skipping = 0
    for event, el in etree.iterwalk(tree, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if skipping or tag in _NO_TEXT:
                skipping += 1
                continue
            if tag in _BLOCK_TAGS:
                parts.append("\n")
            if tag and el.text:
                parts.append(el.text)
        else:
            if skipping:
                skipping -= 1
                if skipping:
                    continue
            elif tag in _BLOCK_TAGS:
                parts.append("\n")
            if el.tail and el is not tree:
                parts.append(el.tail)
    return tuple(line for line in (" ".join(x.split()) for x in "".join(parts).split("\n")) if line)


def link_texts(tree: object) -> frozenset[str]:
    """The normalized text of every link (``<a>``) of a parsed page."""
    out = set()
    for a in tree.iter("a"):  # type: ignore[attr-defined]
        key = " ".join(words(a.text_content()))
        if key:
            out.add(key)
    return frozenset(out)


def without_link_lines(text: str, links: frozenset[str]) -> str:
    """The text without the lines that are nothing but the text of one link on the page.

    A list of links inside the story ("Related", "Most read", "Read more")
    is kept by extractors as lines of the text; a story's paragraph is not
    one link. (Link density is the boilerplate feature of Kohlschuetter et
    al., "Boilerplate Detection using Shallow Text Features", WSDM 2010.)

    Example:
        >>> without_link_lines("Oil rose 2 pct.\\nWheat falls", frozenset({"wheat falls"}))
        'Oil rose 2 pct.'
    """
    if not links:
        return text
    return "\n".join(line for line in text.split("\n") if " ".join(words(line)) not in links).strip()


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def date_forms(date: Optional[str]) -> frozenset[str]:
    """The ways a page prints its own publication date, normalized (ISO, "March 5, 1987", "5 Mar 1987", ...)."""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", date or "")
    if not m:
        return frozenset()
    y, mo, d = m.group(1), int(m.group(2)), int(m.group(3))
    if not 1 <= mo <= 12:
        return frozenset()
    month = _MONTHS[mo - 1]
    forms = {f"{y}-{mo:02d}-{d:02d}", f"{month} {d}, {y}", f"{month[:3]} {d}, {y}", f"{d} {month} {y}",
             f"{d} {month[:3]} {y}", f"{d:02d}/{mo:02d}/{y}", f"{mo:02d}/{d:02d}/{y}", f"{d}.{mo}.{y}"}
    return frozenset(" ".join(words(f)) for f in forms)


def without_date_lines(text: str, date: Optional[str], max_words: int = 12) -> str:
    """The text without short lines that carry the page's own publication
    date: a timestamp or a byline ("By Reuters staff | March 5, 1987"),
    page furniture that differs from one copy of a story to the next. A
    line that ends as a sentence does (a full stop, a question or an
    exclamation mark) is the story's, and stays.

    Example:
        >>> without_date_lines("Posted on 1987-03-05\\nOil rose.", "1987-03-05T10:00:00")
        'Oil rose.'
    """
    forms = date_forms(date)
    if not forms:
        return text
    kept = []
    for line in text.split("\n"):
        key = " ".join(words(line))
        if (len(key.split()) <= max_words and not line.rstrip().rstrip("\"'”)").endswith((".", "!", "?"))
                and any(f in key for f in forms)):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def layout_tables_as_divs(html: str) -> str:
    """The page with its table tags read as ``<div>`` when it has table cells and ``<br><br>`` paragraph breaks.

    Example:
        >>> layout_tables_as_divs("<table><tr><td>Menu</td><td>One.<br><br>Two.</td></tr></table>")
        '<div><div><div>Menu</div><div>One.<br><br>Two.</div></div></div>'
    """
    lower = html.lower()
    if "<td" not in lower or not _PARAGRAPH_BREAK.search(html):
        return html
    return _TABLE_TAG.sub(lambda m: f"<{m.group(1)}div", html)


def extract_page(html: str, fast: bool = False) -> Page:
    """Extract the article and its metadata from one HTML page.

    Args:
        html: the page.
        fast: skip trafilatura's second-opinion extractors (readability,
            jusText): less thorough, and on the pages of
            ``benchmarks/saved_pages.py`` about a fifth faster.

    Returns:
        Page; its text is empty when neither extractor found any.

    Example:
        >>> page = extract_page("<html><body><nav>Home</nav><article><p>" + "Oil rose. " * 20
        ...                     + "</p></article></body></html>")
        >>> page.extractor, page.text.split()[:2]
        ('trafilatura', ['Oil', 'rose.'])
    """
    if not isinstance(html, str):
        raise TypeError(f"extract_page takes the page as text (str), not {type(html).__name__}: decode it first "
                        "(dedup.decode.decode(data) reads it as dedup does).")
    try:
        import trafilatura
    except ImportError as exc:
        raise DependencyError(f"web pages need trafilatura, which could not be imported ({exc}); "
                              "reinstall dedup (pip install dedup) or run: pip install 'trafilatura>=2,<3' "
                              "lxml_html_clean") from exc

    found = None
    blocks: tuple[str, ...] = ()
    links: frozenset[str] = frozenset()
    try:
        tree = trafilatura.load_html(layout_tables_as_divs(html))
        if tree is not None:
            blocks = page_blocks(tree)
            links = link_texts(tree)
            found = trafilatura.bare_extraction(tree, with_metadata=True, include_comments=False, fast=fast,
                                                date_extraction_params=DATE_PARAMS)
    except Exception:  # noqa: BLE001 - a page trafilatura cannot parse falls back below
        found = None
    text = (getattr(found, "text", None) or "").strip() if found is not None else ""
    if text and not without_link_lines(text, links):
        # Every line is the text of a link: a section front or a list of links, not an article.
        return Page("", "trafilatura", _clean(found.title), found.date, site_key(None, found.sitename, html), None,
                    blocks, links)
    text = without_link_lines(text, links)
    text = without_date_lines(text, getattr(found, "date", None)) or text
    published, updated = meta_dates(html)
    if text:
        url = found.url if host(found.url) else None
        return Page(text, "trafilatura", _clean(found.title), published or found.date,
                    site_key(url, found.sitename, html), url, blocks, links, updated)
    fallback, date = html_to_text(html)
    title = _clean(getattr(found, "title", None)) if found is not None else None
    url = getattr(found, "url", None) if found is not None and host(getattr(found, "url", None)) else None
    site = site_key(url, getattr(found, "sitename", None) if found is not None else None, html)
    if title is None and fallback:
        first = fallback.split("\n\n", 1)[0]
        title = first if len(first.split()) <= 30 else None
    return Page(fallback, "html", title, date or (getattr(found, "date", None) if found is not None else None),
                site, url, blocks or tuple(b for b in fallback.split("\n\n") if b), links, updated)


_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]{1,80})"')
_LD_UPDATED = re.compile(r'"dateModified"\s*:\s*"([^"]{1,80})"')
#: The meta tags that give a page's publication date, the surest first.
DATE_META = ("article:published_time", "og:published_time", "datepublished", "pubdate", "date")
#: The meta tags that give its last modification.
UPDATED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified")
_DATE_KEYS = frozenset(DATE_META + UPDATED_META)


def meta_date(html: str) -> Optional[str]:
    """The publication date a page's meta tags (else its JSON-LD ``datePublished``) give, as written: read
    by :func:`dedup.decode.parse_date` with its time of day and zone, which the date finder drops, and
    left unread (and named in a warning) where it is ambiguous, as ``05/06/2026`` is. None when there is none.
    """
    return meta_dates(html)[0]


def meta_dates(html: str) -> tuple[Optional[str], Optional[str]]:
    """:func:`meta_date`, and the last modification the meta tags (else JSON-LD ``dateModified``) give,
    from one pass over the page's head."""
    import html as markup

    head = html[:300_000]
    found: dict[str, str] = {}
    for tag in _META_TAG.finditer(head):
        attrs = {k.lower(): a or b for k, a, b in _ATTRIBUTE.findall(tag.group())}
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key in _DATE_KEYS and (attrs.get("content") or "").strip():
            found.setdefault(key, markup.unescape(attrs["content"]).strip())

    def first(keys: tuple[str, ...], ld_pattern: re.Pattern[str]) -> Optional[str]:
        for key in keys:
            if key in found:
                return found[key]
        ld = ld_pattern.search(head)
        return markup.unescape(ld.group(1)).strip() if ld else None

    return first(DATE_META, _LD_DATE), first(UPDATED_META, _LD_UPDATED)


def extract_pages(htmls: Sequence[str], fast: bool = False) -> list[Page]:
    """:func:`extract_page` over a batch of pages (what a worker process runs)."""
    if isinstance(htmls, str):
        raise TypeError("Iterable over HTML pages expected, string object received.")
    return [extract_page(h, fast) for h in htmls]


def apply_page(doc: Document, page: Page) -> Document:
    """The document with the page's text and metadata; the page's date
    replaces the document's (the file's time) when the page gives one."""
    published = parse_date(page.date)
    updated = parse_date(page.updated) if published is not None else None  # an update of a known publication
    return dataclasses.replace(doc, text=page.text, date=published or doc.date,
                               date_is_mtime=doc.date_is_mtime and published is None, title=page.title,
                               site=page.site, url=page.url, extractor=page.extractor, html=None,
                               date_text=None if published is not None else unread_date(page.date),
                               updated=updated if updated is not None and updated > published else None)


def _clean(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    text = " ".join(value.split())
    return text or None
