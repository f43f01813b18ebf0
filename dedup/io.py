"""Reading articles: files, folders, JSON, JSON lines, CSV/TSV, Parquet, HTML,
gzip, stdin.

Every reader yields :class:`Document` records in a deterministic order
(folders sorted by path, records in file order). Problems with one file or
one record are :class:`Skipped` notes, not exceptions, unless ``strict``.
"""

from __future__ import annotations

import csv
import fnmatch
import dataclasses
import gzip
import io
import json
import os
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from itertools import chain
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Optional, Sequence, Union

from .errors import InputError

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSON_SUFFIXES = (".json",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv", ".tsv")
PARQUET_SUFFIXES = (".parquet",)
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES + JSONL_SUFFIXES + CSV_SUFFIXES + PARQUET_SUFFIXES
#: Rows of a Parquet file converted to records at a time: memory holds one
#: batch of rows, not the file.
PARQUET_BATCH_ROWS = 1024
PARQUET_MISSING = 'reading Parquet needs pyarrow: pip install "dedup[parquet]"'

ID_FIELDS = ("id", "_id", "doc_id", "docid", "newid", "url")
TEXT_FIELDS = ("text", "content", "article", "body_text")
TITLE_FIELDS = ("title", "headline")
BODY_FIELDS = ("body", "description", "summary")
DATE_FIELDS = ("date", "published", "published_at", "datePublished", "pubdate", "timestamp", "updated")

Source = Union[str, os.PathLike]


@dataclass(frozen=True)
class Document:
    """One article.

    Attributes:
        id: unique id: a file's path relative to the scanned folder, a JSON
            record's id field, or ``FILE:LINE`` for records without one.
        text: the article text (for HTML, the extracted main text).
        path: the file it came from (``-`` for stdin).
        line: 1-based record number within a JSON/JSONL file, else 0.
        date: publication or modification time, if known (UTC).
        is_file: True when the document is a whole file (it can be moved).
        date_is_mtime: True when ``date`` is the file's modification time
            rather than a date the document carries (the occasion check
            uses only the latter).
        title: the record's title field (``title``, ``headline``), if any.
        site: the site a web page belongs to (host of its canonical URL,
            its ``og:site_name``, the host it was saved from, or
            ``folder:`` and its folder), if known.
        url: a web page's canonical address, if known.
        extractor: for web pages, what extracted the text:
            ``"trafilatura"`` or ``"html"`` (the built-in parser).
        html: a web page not yet extracted (``ReadOptions.defer_html``);
            None once extracted and for every other input.
    """

    id: str
    text: str
    path: str = ""
    line: int = 0
    date: Optional[datetime] = None
    is_file: bool = False
    date_is_mtime: bool = False
    title: Optional[str] = None
    site: Optional[str] = None
    url: Optional[str] = None
    extractor: Optional[str] = None
    html: Optional[str] = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Skipped:
    """A file or record that was not read, and why (one line, with the fix)."""

    path: str
    reason: str
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass
class ReadOptions:
    """How to read inputs.

    Args:
        encoding: text encoding; None means UTF-8 with or without a BOM.
        id_field: JSON field holding the id (default: the first present of
            ``id, _id, doc_id, docid, newid, url``).
        text_field: JSON field holding the text (default: ``text``,
            ``content``, ``article``, or ``title`` + ``body``).
        date_field: JSON field with the publication date (default: ``date``
            and common alternatives).
        strict: raise InputError on the first unreadable file or record.
        include, exclude: shell-style patterns (``*.txt``, ``2026-*/*``)
            matched against the path of each file found in a folder
            (relative to the folder) and against its name: a file is read
            when it matches an include pattern (if any are given) and no
            exclude pattern. Files named on the command line are always read.
        defer_html: yield web pages unextracted (``Document.html`` set,
            ``text`` empty) for the caller to extract, as the scan does in
            its worker processes (:func:`dedup.pages.prepare_pages`).
    """

    encoding: Optional[str] = None
    id_field: Optional[str] = None
    text_field: Optional[str] = None
    date_field: Optional[str] = None
    strict: bool = False
    defer_html: bool = False
    skipped: list[Skipped] = field(default_factory=list)
    files_read: int = 0
    files_ignored: int = 0
    # Progress: bytes of input files (compressed size for .gz) read so far,
    # and in all; stdin counts in neither.
    bytes_done: int = 0
    bytes_total: int = 0
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def wanted(self, rel: str) -> bool:
        """Whether a file found in a folder (``rel``: its path relative to
        the folder) passes the include and exclude patterns."""
        name = rel.rsplit("/", 1)[-1]

        def hit(patterns: tuple[str, ...]) -> bool:
            return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(name, p) for p in patterns)

        return (not self.include or hit(self.include)) and not hit(self.exclude)


# ---------------------------------------------------------------- dates

_DATE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d-%b-%Y %H:%M:%S.%f",  # Reuters-21578: 26-FEB-1987 15:01:01.79
    "%d-%b-%Y %H:%M:%S",
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 2822
    "%a, %d %b %Y %H:%M:%S %Z",
    "%d %B %Y",
    "%B %d, %Y",
)


_last_format = [_DATE_FORMATS[0]]
#: the formats in the order tried after each one matched: that one first.
_FORMAT_ORDER = {last: (last,) + tuple(f for f in _DATE_FORMATS if f != last) for last in _DATE_FORMATS}
# A date and time at the start of a longer value: Reuters-21578 appends
# codes to some ("27-MAR-1987 02:17:09.88T C").
_LEADING_DATE = re.compile(r"^(\d{1,2}-[A-Za-z]{3}-\d{4} \d{1,2}:\d{2}:\d{2}(?:\.\d+)?|"
                           r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)")


def parse_date(value: object) -> Optional[datetime]:
    """Parse a date from a JSON value or HTML meta tag; None when unknown.

    ISO 8601 first, then the common formats of :data:`_DATE_FORMATS` (the
    one that matched last is tried first: a file uses one format), then a
    date and time at the start of a longer value.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):  # Parquet timestamp columns
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)):
        try:
            secs = value / 1000 if value > 1e11 else value
            return datetime.fromtimestamp(secs, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        dt = _reuters_date(text)
        if dt is None:
            lead = _LEADING_DATE.match(text)
            if lead and lead.group() != text and _REUTERS_DATE.fullmatch(lead.group()):
                # A Reuters date and time followed by codes, which no format reads.
                dt = _reuters_date(lead.group())
            else:
                dt = _strptime_any(text)
                if dt is None and lead and lead.group() != text:
                    dt = _strptime_any(lead.group())
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


_REUTERS_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), start=1)}


def _reuters_date(text: str) -> Optional[datetime]:
    """``26-FEB-1987 15:01:01.79`` without strptime: what ``%d-%b-%Y
    %H:%M:%S[.%f]`` gives, or None (then strptime decides)."""
    m = _REUTERS_DATE.fullmatch(text)
    month = _MONTHS.get(m.group(2).lower()) if m else None
    if month is None:
        return None
    day, _, year, hour, minute, second, fraction = m.groups()
    try:
        return datetime(int(year), month, int(day), int(hour), int(minute), int(second),
                        int(fraction.ljust(6, "0")) if fraction else 0)
    except ValueError:
        return None


def _strptime_any(text: str) -> Optional[datetime]:
    last = _last_format[0]
    for fmt in _FORMAT_ORDER[last]:
        try:
            dt = datetime.strptime(text.title() if "%b" in fmt or "%B" in fmt else text, fmt)
        except ValueError:
            continue
        _last_format[0] = fmt
        return dt
    return None


# ---------------------------------------------------------------- HTML

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "nav", "header", "footer", "aside", "form",
              "iframe", "button", "select", "menu", "figure", "object", "canvas"}
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
               "h6", "blockquote", "pre", "table", "tr", "td", "th", "dd", "dt", "hr", "title", "body"}
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "base", "col", "embed",
              "param", "track"}


class _ArticleParser(HTMLParser):
    """Collects text by container: the whole body, <main> and <article>,
    skipping scripts, styles, navigation, headers, footers and forms."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip_depth = 0
        self.stack: list[str] = []
        self.parts: dict[str, list[str]] = {"body": [], "main": [], "article": [], "title": [], "h1": []}
        self.inside = {"main": 0, "article": 0, "title": 0, "h1": 0}
        self.date: Optional[str] = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        if tag == "meta":
            a = {k: v for k, v in attrs}
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key in ("article:published_time", "datepublished", "date", "pubdate", "og:published_time",
                       "article:modified_time") and a.get("content") and self.date is None:
                self.date = a.get("content")
            return
        if tag in _VOID_TAGS:
            if tag in ("br", "hr"):
                self._add("\n")
            return
        self.stack.append(tag)
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        if tag in self.inside:
            self.inside[tag] += 1
        if tag in _BLOCK_TAGS:
            self._add("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_TAGS or tag not in self.stack:
            return
        # Close everything opened after this tag too (tolerates bad nesting).
        while self.stack:
            top = self.stack.pop()
            if top in _SKIP_TAGS:
                self.skip_depth -= 1
            if top in self.inside:
                self.inside[top] -= 1
            if top in _BLOCK_TAGS:
                self._add("\n\n")
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.inside["title"]:
            self.parts["title"].append(data)
            return
        if self.skip_depth:
            return
        if self.inside["h1"]:
            self.parts["h1"].append(data)
        self._add(data)

    def _add(self, data: str) -> None:
        if self.inside["title"] or self.skip_depth:
            return
        self.parts["body"].append(data)
        if self.inside["main"]:
            self.parts["main"].append(data)
        if self.inside["article"]:
            self.parts["article"].append(data)


def _tidy(chunks: list[str]) -> str:
    text = "".join(chunks)
    paragraphs = []
    for block in text.split("\n\n"):
        line = " ".join(block.split())
        if line:
            paragraphs.append(line)
    return "\n\n".join(paragraphs)


def html_to_text(html: str) -> tuple[str, Optional[str]]:
    """Extract an article's main text from HTML.

    Takes the ``<article>`` element when there is one, else ``<main>``, else
    the body; drops scripts, styles, navigation, headers, footers, asides and
    forms; keeps paragraph breaks. A page's ``<h1>`` is kept as the title
    when it lies outside the chosen element.

    Returns:
        ``(text, date)`` where date is the ``article:published_time`` style
        meta value, if any.
    """
    parser = _ArticleParser()
    parser.feed(html)
    parser.close()
    for part in ("article", "main", "body"):
        text = _tidy(parser.parts[part])
        if len(text.split()) >= 20 or (part == "body" and text):
            break
    title = " ".join("".join(parser.parts["h1"]).split()) or " ".join("".join(parser.parts["title"]).split())
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}" if text else title
    return text, parser.date


# ---------------------------------------------------------------- decoding

def _open_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.suffix.lower() == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"not a valid gzip file ({exc}); re-compress it or remove the .gz suffix",
                             str(path)) from exc
    return data


def decode(data: bytes, encoding: Optional[str] = None) -> str:
    """Decode bytes as UTF-8 (BOM stripped) or the given encoding.

    Raises:
        InputError: when the bytes are not valid in that encoding; its
            message says what failed and which option fixes it, without the
            path (the caller knows where the bytes came from).
    """
    enc = encoding or "utf-8-sig"
    if enc.lower().replace("_", "-") in ("utf-8", "utf8"):
        enc = "utf-8-sig"
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        shown = encoding or "UTF-8"
        hint = "try --encoding latin-1" if shown.lower() not in ("latin-1", "latin1") else "check the file's encoding"
        raise InputError(f"could not decode as {shown} at byte {exc.start} ({hint})") from exc
    except LookupError as exc:
        raise InputError(f"unknown encoding {encoding!r} (use a Python codec name such as utf-8 or latin-1)") from exc


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data[:8192]


def _base_suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return os.path.splitext(name)[1]


# ---------------------------------------------------------------- records

def _pick(record: dict, explicit: Optional[str], candidates: Sequence[str]) -> object:
    if explicit is not None:
        return record.get(explicit)
    for name in candidates:
        value = record.get(name)
        if value not in (None, ""):
            return value
    return None


def headline(doc: Document, words: int = 12) -> str:
    """A one-line label for people: the document's title, else its first
    ``words`` words (with "..." when the text goes on)."""
    if doc.title:
        return doc.title
    first = doc.text.split(None, words)
    return " ".join(first[:words]) + (" ..." if len(first) > words else "")


def record_title(record: dict) -> Optional[str]:
    """The title of a record (``title`` or ``headline`` field), one line, or None."""
    value = _pick(record, None, TITLE_FIELDS)
    if isinstance(value, str):
        line = " ".join(value.split())
        return line or None
    return None


def record_text(record: dict, text_field: Optional[str]) -> Optional[str]:
    """The article text of a JSON record, or None if it has none."""
    if text_field is not None:
        value = record.get(text_field)
        return value if isinstance(value, str) and value.strip() else None
    value = _pick(record, None, TEXT_FIELDS)
    if isinstance(value, str) and value.strip():
        return value
    parts = [v.strip() for v in (_pick(record, None, TITLE_FIELDS), _pick(record, None, BODY_FIELDS))
             if isinstance(v, str) and v.strip()]
    return "\n\n".join(parts) if parts else None


class _Reader:
    def __init__(self, opts: ReadOptions, on_file: Optional[Callable[[str], None]] = None) -> None:
        self.opts = opts
        self.on_file = on_file
        self.seen: set[str] = set()

    def skip(self, path: str, reason: str, line: int = 0) -> None:
        note = Skipped(path, reason, line)
        if self.opts.strict:
            raise InputError(str(note), path)
        self.opts.skipped.append(note)

    def emit(self, doc: Document) -> Iterator[Document]:
        if doc.id in self.seen:
            note = duplicate_id(doc)
            self.skip(note.path, note.reason, note.line)
            return
        self.seen.add(doc.id)
        yield doc

    def records(self, items: Iterable[tuple[int, object]], path: str, rel: str) -> Iterator[Document]:
        opts = self.opts
        for number, rec in items:
            if not isinstance(rec, dict):
                self.skip(path, "record is not a JSON object (expected {\"id\": ..., \"text\": ...})", number)
                continue
            body = record_text(rec, opts.text_field)
            if body is None:
                looked = repr(opts.text_field) if opts.text_field else "text, content, article, title or body"
                self.skip(path, f"record has no text in {looked} (choose the field with --text-field)", number)
                continue
            rid = _pick(rec, opts.id_field, ID_FIELDS)
            if rid is None or isinstance(rid, (dict, list)):
                if opts.id_field is not None:
                    self.skip(path, f"record has no id in field {opts.id_field!r} (choose one with --id-field)",
                              number)
                    continue
                doc_id = f"{rel}:{number}"
            else:
                doc_id = str(rid)
            date = parse_date(_pick(rec, opts.date_field, DATE_FIELDS))
            yield from self.emit(Document(doc_id, body, path, number, date, False, title=record_title(rec)))

    def json_items(self, text: str, path: str) -> list[tuple[int, object]]:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            self.skip(path, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
                            " (fix the file, or name it .jsonl if it holds one object a line)")
            return []
        items = value if isinstance(value, list) else [value]
        return list(enumerate(items, 1))

    def jsonl_items(self, stream: IO[bytes], path: str) -> Iterator[tuple[int, object]]:
        """Parse JSON lines one at a time, so memory does not grow with the file."""
        numbered = enumerate(stream, 1)
        for number, raw in numbered:
            if number == 1 and _looks_binary(raw):
                self.skip(path, "binary file, not JSON lines (remove it or give text files only)")
                return
            yield from self.line_items(chain([(number, raw)], numbered), path)
            return

    def line_items(self, numbered: Iterable[tuple[int, bytes]], path: str) -> Iterator[tuple[int, object]]:
        enc = self.opts.encoding
        for number, raw in numbered:
            if not raw.strip():
                continue
            try:
                line = decode(raw, enc)
            except InputError as exc:
                self.skip(path, exc.message, number)
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                self.skip(path, f"malformed JSON line ({exc.msg} at column {exc.colno}); fix or remove the line",
                          number)

    def file(self, path: Path, rel: str) -> Iterator[Document]:
        shown = str(path)
        if self.on_file:
            self.on_file(shown)
        if _base_suffix(path) in JSONL_SUFFIXES:
            yield from self.jsonl_file(path, shown, rel)
            return
        if _base_suffix(path) in CSV_SUFFIXES:
            yield from self.csv_file(path, shown, rel)
            return
        if _base_suffix(path) in PARQUET_SUFFIXES:
            yield from self.parquet_file(path, shown, rel)
            return
        try:
            self.opts.bytes_done += path.stat().st_size
            data = _open_bytes(path)
        except InputError as exc:
            self.skip(shown, exc.message)
            return
        except OSError as exc:
            self.skip(shown, f"could not read ({exc.strerror or exc}); check the path and permissions")
            return
        self.opts.files_read += 1
        if not data.strip():
            self.skip(shown, "empty file")
            return
        if _looks_binary(data):
            self.skip(shown, "binary file, not text (remove it or give text files only)")
            return
        try:
            text = decode(data, self.opts.encoding)
        except InputError as exc:
            self.skip(shown, exc.message)
            return
        suffix = _base_suffix(path)
        if suffix in JSON_SUFFIXES:
            yield from self.records(self.json_items(text, shown), shown, rel)
        elif suffix in HTML_SUFFIXES:
            yield from self.html_page(path, shown, rel, text)
        else:
            if not text.strip():
                self.skip(shown, "no article text found")
                return
            date = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
            yield from self.emit(Document(rel, text, shown, 0, date, True, date_is_mtime=True))

    def html_page(self, path: Path, shown: str, rel: str, html: str) -> Iterator[Document]:
        """A web page: its main text and metadata (:mod:`dedup.extract`), or the page itself when deferred."""
        mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
        doc = Document(rel, "", shown, 0, mtime, True, date_is_mtime=True)
        if self.opts.defer_html:
            yield from self.emit(dataclasses.replace(doc, html=html))
            return
        from .extract import apply_page, extract_page

        page = extract_page(html)
        if not page.text.strip():
            self.skip(shown, "no article text found")
            return
        yield from self.emit(apply_page(doc, page))

    def jsonl_file(self, path: Path, shown: str, rel: str) -> Iterator[Document]:
        try:
            raw = open(path, "rb")
        except OSError as exc:
            self.skip(shown, f"could not read ({exc.strerror or exc}); check the path and permissions")
            return
        self.opts.files_read += 1
        count = len(self.seen) + len(self.opts.skipped)
        base = self.opts.bytes_done
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if path.suffix.lower() == ".gz" else raw
        try:
            with raw, stream:
                for k, doc in enumerate(self.records(self.jsonl_items(stream, shown), shown, rel)):
                    if not k % 64:  # progress; tell() is a system call, dearer than a short record
                        self.opts.bytes_done = base + raw.tell()
                    yield doc
                self.opts.bytes_done = base + raw.tell()
        except (OSError, EOFError) as exc:
            self.skip(shown, f"could not read to the end ({exc}); re-compress or repair the file")
        if count == len(self.seen) + len(self.opts.skipped):
            self.skip(shown, "empty file")

    def csv_rows(self, stream: IO[bytes], path: str, delimiter: str) -> Iterator[tuple[int, object]]:
        """Rows of a CSV/TSV file with a header row, as records numbered by
        the line each starts on (a quoted field may span lines). A ``.csv``
        file whose header row has more semicolons (or bars) than commas is
        read with that delimiter, as spreadsheets in many locales write it."""
        head = stream.peek(8192)[:8192] if hasattr(stream, "peek") else b""
        if _looks_binary(head):
            self.skip(path, "binary file, not CSV (remove it or give text files only)")
            return
        if delimiter == ",":
            header = head.split(b"\n", 1)[0]
            delimiter = max((",", ";", "|"), key=lambda d: (header.count(d.encode()), d == ","))
        enc = self.opts.encoding or "utf-8-sig"
        if enc.lower().replace("_", "-") in ("utf-8", "utf8"):
            enc = "utf-8-sig"
        try:
            text = io.TextIOWrapper(stream, encoding=enc, newline="")
        except LookupError:
            self.skip(path, f"unknown encoding {self.opts.encoding!r} (use a Python codec name such as utf-8 or "
                            "latin-1)")
            return
        _raise_csv_field_limit()
        rows = csv.reader(text, delimiter=delimiter)
        try:
            header = next(rows, None)
            if header is None:
                return
            names = [h.strip() for h in header]
            if len(set(names)) != len(names):
                self.skip(path, "the header row repeats a column name (rename the columns)")
                return
            start = rows.line_num + 1
            for row in rows:
                if row:
                    if len(row) > len(names):
                        self.skip(path, f"row has {len(row)} fields but the header has {len(names)} "
                                        "(quote fields that hold the delimiter)", start)
                    else:
                        yield start, dict(zip(names, row))
                start = rows.line_num + 1
        except UnicodeDecodeError:
            shown = self.opts.encoding or "UTF-8"
            hint = "try --encoding latin-1" if shown.lower() not in ("latin-1", "latin1") else "check the encoding"
            self.skip(path, f"could not decode as {shown} ({hint})")
        except csv.Error as exc:
            self.skip(path, f"malformed CSV at line {rows.line_num} ({exc}); fix the quoting")
        finally:
            text.detach()

    def csv_file(self, path: Path, shown: str, rel: str) -> Iterator[Document]:
        """A CSV (comma) or TSV (tab) file with a header row, optionally gzipped,
        read one row at a time."""
        try:
            raw = open(path, "rb")
        except OSError as exc:
            self.skip(shown, f"could not read ({exc.strerror or exc}); check the path and permissions")
            return
        self.opts.files_read += 1
        count = len(self.seen) + len(self.opts.skipped)
        base = self.opts.bytes_done
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if path.suffix.lower() == ".gz" else raw
        delimiter = "\t" if _base_suffix(path) == ".tsv" else ","
        try:
            with raw, stream, io.BufferedReader(stream) as buffered:  # type: ignore[arg-type]
                for doc in self.records(self.csv_rows(buffered, shown, delimiter), shown, rel):
                    self.opts.bytes_done = base + raw.tell()
                    yield doc
        except (OSError, EOFError) as exc:
            self.skip(shown, f"could not read to the end ({exc}); re-compress or repair the file")
        if count == len(self.seen) + len(self.opts.skipped):
            self.skip(shown, "empty file (a CSV file needs a header row and at least one row)")

    def parquet_file(self, path: Path, shown: str, rel: str) -> Iterator[Document]:
        """A Parquet file, read in batches of rows with pyarrow (an optional
        dependency), so memory holds one batch at a time."""
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise InputError(f"{shown}: {PARQUET_MISSING}", shown) from exc
        try:
            pfile = pq.ParquetFile(path)
        except OSError as exc:
            self.skip(shown, f"could not read as Parquet ({exc}); check the file")
            return
        except Exception as exc:  # pyarrow raises ArrowInvalid (a ValueError) on a damaged file
            self.skip(shown, f"not a valid Parquet file ({str(exc).splitlines()[0]}); check the file")
            return
        self.opts.files_read += 1
        count = len(self.seen) + len(self.opts.skipped)
        size = path.stat().st_size
        base = self.opts.bytes_done
        total_rows = max(pfile.metadata.num_rows, 1)

        def rows() -> Iterator[tuple[int, object]]:
            number = 0
            for batch in pfile.iter_batches(batch_size=PARQUET_BATCH_ROWS):
                for rec in batch.to_pylist():
                    number += 1
                    yield number, rec
                self.opts.bytes_done = base + size * number // total_rows

        try:
            yield from self.records(rows(), shown, rel)
        except (OSError, ValueError) as exc:
            self.skip(shown, f"could not read to the end ({str(exc).splitlines()[0]}); repair the file")
        with_close = getattr(pfile, "close", None)
        if with_close is not None:
            with_close()
        if count == len(self.seen) + len(self.opts.skipped):
            self.skip(shown, "empty file")

    def stdin(self, stream: IO[bytes]) -> Iterator[Document]:
        if self.on_file:
            self.on_file("-")
        self.opts.files_read += 1
        yield from self.records(self.jsonl_items(stream, "-"), "-", "-")


def _raise_csv_field_limit() -> None:
    # The csv module refuses fields over 128 KiB by default; a long article is one field.
    if csv.field_size_limit() < 1 << 30:
        csv.field_size_limit(1 << 30)


def _walk(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                found.append(Path(root) / name)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def expand_sources(sources: Sequence[Source]) -> list[tuple[Optional[Path], str]]:
    """Resolve files, folders and ``-`` into ``(path, id_prefix)`` pairs, in order.

    Raises:
        InputError: when a path does not exist.
    """
    if isinstance(sources, (str, bytes, os.PathLike)):
        raise TypeError("Iterable over paths expected, single path received: wrap it in a list.")
    out: list[tuple[Optional[Path], str]] = []
    folders = [s for s in sources if str(s) != "-" and Path(s).is_dir()]
    for src in sources:
        if str(src) == "-":
            out.append((None, "-"))
            continue
        path = Path(src)
        if path.is_dir():
            for f in _walk(path):
                rel = f.relative_to(path).as_posix()
                out.append((f, rel if len(folders) == 1 else (Path(src) / rel).as_posix()))
        elif path.exists():
            out.append((path, str(src)))
        else:
            raise InputError(f"{src}: no such file or folder (check the path)", str(src))
    return out


def duplicate_id(doc: Document) -> Skipped:
    """The note for a record whose id an earlier record has."""
    return Skipped(doc.path, f"duplicate id {doc.id!r} (ids must be unique; pick another with --id-field)",
                   doc.line)


def json_line_batches(sources: Sequence[Source], options: ReadOptions, size: int,
                      on_file: Optional[Callable[[str], None]] = None
                      ) -> Optional[Iterator[Union[tuple[str, str, list[tuple[int, bytes]]], Skipped]]]:
    """The raw lines of JSON-lines files, numbered, in batches of ``size``
    non-blank lines, for :func:`parse_json_lines` to read in other processes.

    None unless every source is a JSON-lines file (then
    :func:`read_documents` reads them). Yields ``(path, id prefix, lines)``
    batches and, in their place in the input, the notes of files that cannot
    be read (the caller appends them to ``options.skipped`` in that order);
    counters and progress are updated as :func:`read_documents` does.
    Parsing the batches with :func:`parse_json_lines` and dropping records
    whose id an earlier record has (:func:`duplicate_id`) gives what
    :func:`read_documents` gives, when not strict.
    """
    expanded = expand_sources(sources)
    if not expanded or any(p is None or rel != str(p) or _base_suffix(p) not in JSONL_SUFFIXES for p, rel in expanded):
        return None
    for path, _ in expanded:
        try:
            options.bytes_total += path.stat().st_size  # type: ignore[union-attr]
        except OSError:
            pass
    return _json_line_batches(expanded, options, size, on_file)  # type: ignore[arg-type]


def _json_line_batches(expanded: list[tuple[Path, str]], opts: ReadOptions, size: int,
                       on_file: Optional[Callable[[str], None]]
                       ) -> Iterator[Union[tuple[str, str, list[tuple[int, bytes]]], Skipped]]:
    for path, rel in expanded:
        shown = str(path)
        if on_file:
            on_file(shown)
        try:
            raw = open(path, "rb")
        except OSError as exc:
            yield Skipped(shown, f"could not read ({exc.strerror or exc}); check the path and permissions")
            continue
        opts.files_read += 1
        base = opts.bytes_done
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="rb") if path.suffix.lower() == ".gz" else raw
        batch: list[tuple[int, bytes]] = []
        nonblank = False
        try:
            with raw, stream:
                for number, line in enumerate(stream, 1):
                    if number == 1 and _looks_binary(line):
                        yield Skipped(shown, "binary file, not JSON lines (remove it or give text files only)")
                        nonblank = True
                        break
                    if not line.strip():
                        continue
                    batch.append((number, line))
                    if len(batch) == size:
                        nonblank = True
                        opts.bytes_done = base + raw.tell()
                        yield shown, rel, batch
                        batch = []
                opts.bytes_done = base + raw.tell()
        except (OSError, EOFError) as exc:
            if batch:
                yield shown, rel, batch
            yield Skipped(shown, f"could not read to the end ({exc}); re-compress or repair the file")
            continue
        if batch:
            yield shown, rel, batch
        elif not nonblank:
            yield Skipped(shown, "empty file")


def parse_json_lines(lines: Sequence[tuple[int, bytes]], path: str, rel: str,
                     options: ReadOptions) -> tuple[list[Document], list[Skipped]]:
    """The documents of numbered JSON lines of one file (from
    :func:`json_line_batches`) and the notes of the lines skipped, in order.

    Ids are checked against each other only: the caller checks them against
    other batches. Never strict.
    """
    opts = dataclasses.replace(options, skipped=[], strict=False)
    reader = _Reader(opts)
    docs = list(reader.records(reader.line_items(lines, path), path, rel))
    return docs, opts.skipped


def read_documents(sources: Sequence[Source], options: Optional[ReadOptions] = None,
                   on_file: Optional[Callable[[str], None]] = None,
                   stdin: Optional[IO[bytes]] = None) -> Iterator[Document]:
    """Read articles from files, folders (recursively) and ``-`` (JSON lines on stdin).

    Folders yield files with a known suffix (``.txt .md .html .htm .json
    .jsonl .csv .tsv``, each optionally ``.gz``, and ``.parquet``), sorted
    by path, that pass ``options.include`` / ``options.exclude``; a file named
    explicitly is read whatever its suffix (as text unless it is HTML or
    JSON). Skipped files and records are appended to ``options.skipped``.

    Args:
        sources: paths, folders or ``"-"``.
        options: decoding and field options; counters are updated in place.
        on_file: called with each file's path as it is opened (progress).
        stdin: the byte stream ``-`` reads (default: ``sys.stdin.buffer``).

    Yields:
        Document, in input order.

    Raises:
        InputError: for a missing path, or any skipped input when strict.
    """
    opts = options if options is not None else ReadOptions()
    reader = _Reader(opts, on_file)
    expanded = expand_sources(sources)
    for path, _ in expanded:
        try:
            opts.bytes_total += path.stat().st_size if path is not None else 0
        except OSError:
            pass
    for path, rel in expanded:
        if path is None:
            yield from reader.stdin(stdin if stdin is not None else sys.stdin.buffer)
            continue
        in_folder = rel != str(path)
        if in_folder and (_base_suffix(path) not in SUFFIXES or not opts.wanted(rel)):
            opts.files_ignored += 1
            continue
        yield from reader.file(path, rel)
