"""Saved web pages in a scan: extraction in worker processes, then per-site
template removal, before anything is hashed.

Documents read with ``ReadOptions(defer_html=True)`` carry their page in
``Document.html``. :func:`prepare_pages` extracts them (:mod:`dedup.extract`)
in batches over worker processes, then drops each site's template lines
(:mod:`dedup.template`), which needs every page of a site, so from the first
web page on the documents are held in memory (their extracted text only) until
the input ends. Documents before the first page, and every input with no web
page in it, stream through untouched.
"""

from __future__ import annotations

import os
from dataclasses import replace
from itertools import chain
from typing import Iterable, Iterator, Optional

from .extract import Page, apply_page, extract_page, extract_pages
from .errors import InputError
from .io import Document, Skipped
from .template import site_templates, strip_lines

BATCH = 16
LABEL_WORDS = 12


def label(doc: Document, max_words: int = LABEL_WORDS) -> str:
    """What a person reads to recognise a document: its title, else its first line, cut to ``max_words`` words."""
    text = doc.title
    if not text:
        body, start = doc.text, 0
        while True:  # the first non-blank line, without splitting a long text into all its lines
            end = body.find("\n", start)
            text = body[start:] if end < 0 else body[start:end]
            if end < 0 or text.strip():
                break
            start = end + 1
    cut = 50 * max_words
    head = text[:cut].split(None, max_words)
    more = len(head) > max_words or bool(text[cut:].strip())
    return " ".join(head[:max_words]) + (" ..." if more else "")


def _batches(docs: Iterable[Document]) -> Iterator[list[Document]]:
    batch: list[Document] = []
    for doc in docs:
        batch.append(doc)
        if sum(d.html is not None for d in batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _no_setup() -> None:
    """Page workers need nothing set up."""


def _extracted(docs: Iterable[Document], workers: int, fast: bool) -> Iterator[tuple[Document, Optional[Page]]]:
    """(document, Page or None) in input order; pages are extracted in ``workers`` processes."""
    if workers <= 1:
        for doc in docs:
            yield doc, (extract_page(doc.html, fast) if doc.html is not None else None)
        return
    import trafilatura  # noqa: F401 - loaded once here, so that forked workers do not each import it

    from .pool import process_pool

    pending: list[tuple[list[Document], object]] = []

    def results(batch: list[Document], res: object) -> Iterator[tuple[Document, Optional[Page]]]:
        got = iter(res.get())  # type: ignore[attr-defined]
        for doc in batch:
            yield doc, (next(got) if doc.html is not None else None)

    # Workers that ignore Ctrl-C, end on SIGTERM and with this process, as the scan's do.
    with process_pool(workers, _no_setup, ()) as pool:
        for batch in _batches(docs):
            htmls = [d.html for d in batch if d.html is not None]
            pending.append((batch, pool.apply_async(extract_pages, (htmls, fast))))
            # Bound the pages in flight, so memory holds extracted text, not raw pages.
            while len(pending) > 2 * workers:
                yield from results(*pending.pop(0))
        for batch, res in pending:
            yield from results(batch, res)


def prepare_pages(docs: Iterable[Document], workers: int = 1, skipped: Optional[list[Skipped]] = None,
                  fast: bool = False, strict: bool = False) -> Iterator[Document]:
    """Extract deferred web pages and drop their sites' templates.

    Args:
        docs: documents; those with ``html`` set are web pages to extract.
        workers: processes that extract pages (1: this process).
        skipped: where pages with no article text (or nothing but their
            site's template) are noted; they are not yielded.
        fast: passed to :func:`dedup.extract.extract_page`.
        strict: raise InputError for such a page instead of noting it.

    Yields:
        Documents in input order, web pages with their text, title, date,
        site (the folder, as ``folder:PATH``, when the page names none),
        URL and extractor.
    """
    notes = skipped if skipped is not None else []

    def skip(doc: Document, reason: str) -> None:
        if strict:
            raise InputError(f"{doc.path}: {reason}", doc.path)
        notes.append(Skipped(doc.path, reason, doc.line))

    it = iter(docs)
    for first in it:
        if first.html is None:
            yield first
            continue
        held: list[Document] = []
        blocks: dict[int, tuple[str, ...]] = {}
        links: dict[int, frozenset[str]] = {}
        for doc, page in _extracted(chain([first], it), workers, fast):
            if page is None:
                held.append(doc)
                continue
            if not page.text.strip():
                skip(doc, "no article text found")
                continue
            doc = apply_page(doc, page)
            blocks[len(held)] = page.blocks
            links[len(held)] = page.links
            if doc.site is None:
                doc = replace(doc, site="folder:" + (os.path.dirname(doc.path) or "."))
            held.append(doc)
        web = [i for i, d in enumerate(held) if d.extractor is not None]
        found = site_templates([held[i].text for i in web], [held[i].site for i in web],
                               blocks=[blocks.get(i, ()) for i in web])
        for i, doc in enumerate(held):
            if doc.extractor is not None and doc.site in found:
                text = strip_lines(doc.text, found[doc.site])
                if not text.strip():
                    # The extractor kept only template (it can miss a one-paragraph story): the page's
                    # own blocks, less its links and its site's template, are the story.
                    text = strip_lines("\n".join(blocks.get(i, ())), found[doc.site] | links.get(i, frozenset()))
                    doc = replace(doc, extractor="blocks")
                if not text.strip():
                    skip(doc, f"only the template of its site {doc.site} (text found on its other pages)")
                    continue
                doc = replace(doc, text=text)
            yield doc
        return
