"""Reading articles: files, folders, JSON, JSON lines, CSV/TSV, Parquet, HTML,
gzip, stdin.

Every reader yields :class:`Document` records in a deterministic order
(folders sorted by path, records in file order). Problems with one file or
one record are :class:`Skipped` notes, not exceptions, unless ``strict``.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import fcntl
import fnmatch
import gzip
import io
import json
import os
import re
import stat
import sys
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Optional, Sequence, Union

from .errors import ConfigError, InputError

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

# Limits on what one input may hold (README, "Limits"). A news article is a
# few kilobytes; these are far above any, and keep a hostile or broken input
# (a gzip bomb, a multi-gigabyte line, /dev/zero) from taking the machine's
# memory. What is over a limit is skipped with a warning.
MAX_DOCUMENT_BYTES = 16 << 20   # one text/HTML file, one JSON line, one record's text
MAX_FILE_BYTES = 256 << 20      # one .json file read whole, after decompression

# Errors a truncated or corrupt gzip stream raises while it is read.
_GZIP_ERRORS = (OSError, EOFError, zlib.error)


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
        max_document_bytes: the largest document read: a text, Markdown or
            HTML file (after decompression), one JSON line, one record's
            text; larger ones are skipped with a warning.
        max_file_bytes: the largest ``.json`` file read whole (after
            decompression); JSON lines files are streamed and have no limit.
        path_ids: give files in folders their path as given (``news/a.txt``
            for ``news/``) instead of their path relative to the folder, so
            ids stay unique across runs over different folders.
    """

    encoding: Optional[str] = None
    id_field: Optional[str] = None
    text_field: Optional[str] = None
    date_field: Optional[str] = None
    strict: bool = False
    defer_html: bool = False
    max_document_bytes: int = MAX_DOCUMENT_BYTES
    max_file_bytes: int = MAX_FILE_BYTES
    path_ids: bool = False
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

    def __post_init__(self) -> None:
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except (LookupError, TypeError) as exc:
                raise ConfigError(f"The 'encoding' parameter must be a Python codec name such as utf-8 or "
                                  f"latin-1. Got {self.encoding!r} instead.") from exc
        for name in ("max_document_bytes", "max_file_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"The {name!r} parameter must be an int >= 1. Got {value!r} instead.")


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
        # "<scr<script>ipt>": the tag is named by what follows its last "<",
        # so a script hidden this way is skipped like any other.
        tag = tag.rsplit("<", 1)[-1]
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
        tag = tag.rsplit("<", 1)[-1]
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


_ODD_COMMENT_CLOSE = re.compile(r"--!>")
_EMPTY_COMMENT = re.compile(r"<!--->|<!-->")


def _comments_as_browsers_read_them(html: str) -> str:
    """Comments ended the way the HTML standard ends them (html.parser does not).

    ``--!>`` closes a comment, ``<!-->`` and ``<!--->`` are empty comments,
    and a comment never closed runs to the end of the page
    (https://html.spec.whatwg.org/multipage/parsing.html#comment-state:
    incorrectly-closed-comment, abrupt-closing-of-empty-comment, eof-in-comment).
    Without this, a comment's text leaks into the article, or the article
    after an empty comment is lost.
    """
    if "<!--" not in html:
        return html
    html = _EMPTY_COMMENT.sub("<!---->", _ODD_COMMENT_CLOSE.sub("-->", html))
    start = html.rfind("<!--")
    if html.find("-->", start + 4) < 0:
        html = html[:start]
    return html


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
    parser.feed(_comments_as_browsers_read_them(html))
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

def _stream_bom(stream: IO[bytes]) -> Optional[str]:
    """The UTF-16/32 codec a stream's byte-order mark announces, without consuming it."""
    peek = getattr(stream, "peek", None)
    if peek is None:
        return None
    try:
        head = peek(8192)[:8192]
    except (OSError, EOFError, ValueError, zlib.error):
        return None
    return _utf16_32_bom(head)


class _Utf8Lines:
    """A UTF-16/32 byte stream read as lines of UTF-8 bytes (``readline(limit)`` only)."""

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        self.text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline=None)  # type: ignore[arg-type]

    def readline(self, limit: int = -1) -> bytes:
        # ``limit`` counts characters here; a UTF-8 line may be up to 4 bytes a character, which
        # keeps memory within a small multiple of the document limit.
        try:
            return self.text.readline(limit).encode("utf-8", "surrogatepass")
        except UnicodeDecodeError as exc:
            raise InputError(f"could not decode as {self.text.encoding} ({exc.reason}); check the file's "
                             "encoding") from exc


class TooLarge(Exception):
    """An input is over a size limit (internal: turned into a skip note)."""


def _human(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,} bytes"


def open_input(path: Path) -> IO[bytes]:
    """Open an input file for reading bytes, decompressing ``.gz`` as it is read.

    A FIFO or device named as an input is opened without waiting for a
    writer (a FIFO nobody writes to reads as empty instead of blocking).
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
    except OSError:
        pass
    raw = os.fdopen(fd, "rb")
    if path.suffix.lower() == ".gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


def _read_bounded(path: Path, limit: int) -> bytes:
    """Read a whole input (decompressed) of at most ``limit`` bytes.

    Raises:
        TooLarge: it holds more; memory stays bounded by the limit.
        InputError: a corrupt or truncated gzip stream.
        OSError: it cannot be opened or read.
    """
    with open_input(path) as fh:
        try:
            data = fh.read(limit + 1)
        except _GZIP_ERRORS as exc:
            if path.suffix.lower() != ".gz":
                raise
            raise InputError(f"not a valid gzip file ({exc}); re-compress it or remove the .gz suffix",
                             str(path)) from exc
    if len(data) > limit:
        raise TooLarge()
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
    if encoding is None:
        bom = _utf16_32_bom(data)
        if bom is not None:
            enc = bom
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        shown = encoding or "UTF-8"
        hint = "try --encoding latin-1" if shown.lower() not in ("latin-1", "latin1") else "check the file's encoding"
        raise InputError(f"could not decode as {shown} at byte {exc.start} ({hint})") from exc
    except LookupError as exc:
        raise InputError(f"unknown encoding {encoding!r} (use a Python codec name such as utf-8 or latin-1)") from exc


def _utf16_32_bom(data: bytes) -> Optional[str]:
    """The codec a UTF-16 or UTF-32 byte-order mark announces, if ``data`` starts with one.

    Only when NUL bytes follow, as they do in the spaces and line breaks of
    UTF-16 text: ``\\xff\\xfe`` alone also starts Latin-1 text ("ÿþ").
    """
    if b"\x00" not in data[2:8192]:
        return None
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _wide_encoding(encoding: Optional[str]) -> bool:
    """True for encodings whose text holds NUL bytes (UTF-16, UTF-32)."""
    if encoding is None:
        return False
    name = codecs.lookup(encoding).name
    return name.startswith(("utf-16", "utf-32"))


def _looks_binary(data: bytes, encoding: Optional[str] = None) -> bool:
    if _wide_encoding(encoding) or (encoding is None and _utf16_32_bom(data) is not None):
        return False
    return b"\x00" in data[:8192]


def _base_suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return os.path.splitext(name)[1]


# ---------------------------------------------------------------- records

def pick_field(record: dict, explicit: Optional[str], candidates: Sequence[str]) -> object:
    """A record's field: ``explicit`` if given, else the first of ``candidates`` that is present and not empty."""
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
    value = pick_field(record, None, TITLE_FIELDS)
    if isinstance(value, str):
        line = " ".join(value.split())
        return line or None
    return None


def record_text(record: dict, text_field: Optional[str]) -> Optional[str]:
    """The article text of a JSON record, or None if it has none."""
    if text_field is not None:
        value = record.get(text_field)
        return value if isinstance(value, str) and value.strip() else None
    value = pick_field(record, None, TEXT_FIELDS)
    if isinstance(value, str) and value.strip():
        return value
    parts = [v.strip() for v in (pick_field(record, None, TITLE_FIELDS), pick_field(record, None, BODY_FIELDS))
             if isinstance(v, str) and v.strip()]
    return "\n\n".join(parts) if parts else None


_TOO_DEEP = ("JSON nested deeper than Python's parser allows (about 1,000 levels); "
             "flatten the record or remove it")


def _repeated_id(doc_id: str) -> str:
    return f"duplicate id {doc_id!r} (ids must be unique; pick another with --id-field)"


def _too_large(what: str, limit: int, option: str) -> str:
    return f"{what} larger than {_human(limit)} (the limit; raise it with {option}, or split the file)"


def _line_value(raw: bytes, encoding: Optional[str]) -> tuple[bool, object]:
    """One JSON line's value: ``(True, value)``, or ``(False, why it cannot be read)``."""
    try:
        line = decode(raw, encoding)
    except InputError as exc:
        return False, exc.message
    try:
        return True, json.loads(line)
    except json.JSONDecodeError as exc:
        return False, f"malformed JSON line ({exc.msg} at column {exc.colno}); fix or remove the line"
    except RecursionError:
        return False, _TOO_DEEP


def record_document(number: int, rec: object, path: str, rel: str, opts: ReadOptions) -> Union[Document, Skipped]:
    """The Document a JSON/CSV/Parquet record gives, or the note saying why it gives none.

    Args:
        number: the record's number in its file (its line in a JSON lines file).
        rec: the parsed record.
        path: the file as shown in notes; rel: its id prefix (``rel:number``
            names a record without an id).
        opts: the fields to use and the document size limit.
    """
    if not isinstance(rec, dict):
        return Skipped(path, "record is not a JSON object (expected {\"id\": ..., \"text\": ...})", number)
    body = record_text(rec, opts.text_field)
    if body is None:
        looked = repr(opts.text_field) if opts.text_field else "text, content, article, title or body"
        return Skipped(path, f"record has no text in {looked} (choose the field with --text-field)", number)
    if len(body) > opts.max_document_bytes:
        return Skipped(path, _too_large("text", opts.max_document_bytes, "--max-document-size"), number)
    rid = pick_field(rec, opts.id_field, ID_FIELDS)
    if rid is None or isinstance(rid, (dict, list)):
        if opts.id_field is not None:
            return Skipped(path, f"record has no id in field {opts.id_field!r} (choose one with --id-field)", number)
        doc_id = f"{rel}:{number}"
    else:
        doc_id = str(rid)
    date = parse_date(pick_field(rec, opts.date_field, DATE_FIELDS))
    return Document(doc_id, body, path, number, date, False, title=record_title(rec))


@dataclass(frozen=True)
class LineBatch:
    """Lines of a JSON lines input, read but not yet parsed (:func:`parse_lines` parses them).

    Attributes:
        path: the file as shown in notes (``-`` for stdin); rel: its id prefix.
        numbers: each line's number in the file.
        lines: each line's bytes (UTF-8 for UTF-16/32 input), None for a
            line over the document size limit.
        encoding: how to decode the lines (None: UTF-8).
    """

    path: str
    rel: str
    numbers: tuple[int, ...]
    lines: tuple[Optional[bytes], ...]
    encoding: Optional[str]


@dataclass(frozen=True)
class FileMark:
    """Where a JSON lines file starts (``end`` False) and ends among :meth:`LineReader.events`;
    ``error``: what ended standard input early, raised by :meth:`LineReader.apply`."""

    path: str
    end: bool
    error: Optional[InputError] = None


def parse_lines(batch: LineBatch, opts: ReadOptions) -> list[Union[Document, Skipped]]:
    """The documents of a batch of JSON lines, and notes for the lines that give none, in line order.

    The part of reading a JSON lines file that needs no other line: it
    runs in worker processes while :class:`LineReader` reads on. Blank
    lines give nothing; the first line of a file, when it holds binary
    data, gives the note that the whole file is skipped (the reader then
    stops there). Ids are not checked for repeats here
    (:meth:`LineReader.accept` does that, in input order).
    """
    out: list[Union[Document, Skipped]] = []
    for number, raw in zip(batch.numbers, batch.lines):
        if raw is None:
            out.append(Skipped(batch.path, _too_large("line", opts.max_document_bytes, "--max-document-size"),
                               number))
            continue
        if number == 1 and _looks_binary(raw, batch.encoding):
            out.append(Skipped(batch.path, "binary file, not JSON lines (remove it or give text files only)"))
            break
        if not raw.strip():
            continue
        ok, value = _line_value(raw, batch.encoding)
        if not ok:
            out.append(Skipped(batch.path, value, number))  # type: ignore[arg-type]
            continue
        out.append(record_document(number, value, batch.path, batch.rel, opts))
    return out


class _Reader:
    def __init__(self, opts: ReadOptions, on_file: Optional[Callable[[str], None]] = None) -> None:
        self.opts = opts
        self.on_file = on_file
        self.seen: set[str] = set()
        self.files: dict[tuple[int, int], str] = {}

    def skip(self, path: str, reason: str, line: int = 0) -> None:
        self.note(Skipped(path, reason, line))

    def note(self, note: Skipped) -> None:
        if self.opts.strict:
            raise InputError(str(note), note.path)
        self.opts.skipped.append(note)

    def too_large(self, what: str, limit: int, option: str) -> str:
        return _too_large(what, limit, option)

    def emit(self, doc: Document) -> Iterator[Document]:
        if doc.id in self.seen:
            self.skip(doc.path, _repeated_id(doc.id), doc.line)
            return
        self.seen.add(doc.id)
        yield doc

    def same_file(self, path: Path, shown: str) -> bool:
        """True (with a note) when this file was already read under another name (a link, or given twice)."""
        note = self.read_before(path, shown)
        if note is not None:
            self.note(note)
        return note is not None

    def read_before(self, path: Path, shown: str) -> Optional[Skipped]:
        """The note for a file already read under another name, or None (the file is then remembered)."""
        try:
            st = path.stat()
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        key = (st.st_dev, st.st_ino)
        first = self.files.get(key)
        if first is not None:
            return Skipped(shown, f"the same file as {first} (a link or the same path given twice); read once")
        self.files[key] = shown
        return None

    def records(self, items: Iterable[tuple[int, object]], path: str, rel: str) -> Iterator[Document]:
        for number, rec in items:
            got = record_document(number, rec, path, rel, self.opts)
            if isinstance(got, Skipped):
                self.note(got)
                continue
            yield from self.emit(got)

    def json_items(self, text: str, path: str) -> list[tuple[int, object]]:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            self.skip(path, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
                            " (fix the file, or name it .jsonl if it holds one object a line)")
            return []
        except RecursionError:
            self.skip(path, _TOO_DEEP)
            return []
        items = value if isinstance(value, list) else [value]
        return list(enumerate(items, 1))

    def _lines(self, stream: IO[bytes], path: str) -> Iterator[tuple[int, Optional[bytes]]]:
        """(number, line) of a byte stream, a line over the document limit as (number, None),
        read in bounded pieces so memory does not grow with it."""
        limit = self.opts.max_document_bytes
        number = 0
        while True:
            raw = stream.readline(limit + 1)
            if not raw:
                return
            number += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):
                    raw = stream.readline(1 << 20)
                yield number, None
                continue
            yield number, raw

    def jsonl_items(self, stream: IO[bytes], path: str) -> Iterator[tuple[int, object]]:
        """Parse JSON lines one at a time, so memory does not grow with the file."""
        enc = self.opts.encoding
        if enc is None and not hasattr(stream, "peek") and hasattr(stream, "readinto"):
            stream = io.BufferedReader(stream)  # type: ignore[arg-type]  # to look for a byte-order mark
        wide = enc if enc is not None and _wide_encoding(enc) else _stream_bom(stream) if enc is None else None
        if wide:
            # UTF-16/32 lines do not split on the byte 0x0a: read them as text, pass them on as UTF-8.
            stream, enc = _Utf8Lines(stream, wide), None
        for number, raw in self._lines(stream, path):
            if raw is None:
                self.skip(path, self.too_large("line", self.opts.max_document_bytes, "--max-document-size"),
                          number)
                continue
            if number == 1 and _looks_binary(raw, enc):
                self.skip(path, "binary file, not JSON lines (remove it or give text files only)")
                return
            if not raw.strip():
                continue
            ok, value = _line_value(raw, enc)
            if ok:
                yield number, value
            else:
                self.skip(path, value, number)  # type: ignore[arg-type]

    def file(self, path: Path, rel: str) -> Iterator[Document]:
        shown = str(path)
        if self.on_file:
            self.on_file(shown)
        if self.same_file(path, shown):
            return
        suffix = _base_suffix(path)
        if suffix in JSONL_SUFFIXES:
            yield from self.jsonl_file(path, shown, rel)
            return
        if suffix in CSV_SUFFIXES:
            yield from self.csv_file(path, shown, rel)
            return
        if suffix in PARQUET_SUFFIXES:
            yield from self.parquet_file(path, shown, rel)
            return
        is_json = suffix in JSON_SUFFIXES
        limit = self.opts.max_file_bytes if is_json else self.opts.max_document_bytes
        try:
            self.opts.bytes_done += path.stat().st_size
            data = _read_bounded(path, limit)
        except TooLarge:
            self.opts.files_read += 1
            what = "file (decompressed)" if path.suffix.lower() == ".gz" else "file"
            option = "--max-file-size" if is_json else "--max-document-size"
            self.skip(shown, self.too_large(what, limit, option))
            return
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
        if _looks_binary(data, self.opts.encoding):
            self.skip(shown, "binary file, not text (remove it or give text files only)")
            return
        try:
            text = decode(data, self.opts.encoding)
        except InputError as exc:
            self.skip(shown, exc.message)
            return
        del data
        if is_json:
            yield from self.records(self.json_items(text, shown), shown, rel)
        elif suffix in HTML_SUFFIXES:
            yield from self.html_page(path, shown, rel, text)
        else:
            if not text.strip():
                self.skip(shown, "no article text found")
                return
            try:
                date: Optional[datetime] = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
            except OSError:
                date = None
            yield from self.emit(Document(rel, text, shown, 0, date, True, date_is_mtime=date is not None))

    def html_page(self, path: Path, shown: str, rel: str, html: str) -> Iterator[Document]:
        """A web page: its main text and metadata (:mod:`dedup.extract`), or the page itself when deferred."""
        try:
            mtime: Optional[datetime] = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)
        except OSError:
            mtime = None
        doc = Document(rel, "", shown, 0, mtime, True, date_is_mtime=mtime is not None)
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
            stream = open_input(path)
        except OSError as exc:
            self.skip(shown, f"could not read ({exc.strerror or exc}); check the path and permissions")
            return
        raw = stream.fileobj if isinstance(stream, gzip.GzipFile) else stream
        self.opts.files_read += 1
        count = len(self.seen) + len(self.opts.skipped)
        base = self.opts.bytes_done
        try:
            with raw, stream:  # type: ignore[union-attr]
                for k, doc in enumerate(self.records(self.jsonl_items(stream, shown), shown, rel)):
                    if not k % 64:  # progress; tell() is a system call, dearer than a short record
                        try:
                            self.opts.bytes_done = base + raw.tell()  # type: ignore[union-attr]
                        except OSError:
                            pass
                    yield doc
        except _GZIP_ERRORS as exc:
            self.skip(shown, f"could not read to the end ({exc}); re-compress or repair the file")
        except InputError as exc:
            self.skip(shown, exc.message)
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

    # ------------------------------------------------ JSON lines parsed elsewhere (LineReader)

    def line_batches(self, stream: IO[bytes], path: str, rel: str, size: int) -> Iterator[LineBatch]:
        """The lines of a JSON lines stream in batches of ``size``, unparsed (what
        :meth:`jsonl_items` reads, in the same bounded pieces). The lines read
        before a read error are yielded before the error propagates."""
        enc = self.opts.encoding
        if enc is None and not hasattr(stream, "peek") and hasattr(stream, "readinto"):
            stream = io.BufferedReader(stream)  # type: ignore[arg-type]  # to look for a byte-order mark
        wide = enc if enc is not None and _wide_encoding(enc) else _stream_bom(stream) if enc is None else None
        if wide:
            stream, enc = _Utf8Lines(stream, wide), None
        numbers: list[int] = []
        lines: list[Optional[bytes]] = []
        try:
            for number, raw in self._lines(stream, path):
                numbers.append(number)
                lines.append(raw)
                if number == 1 and raw is not None and _looks_binary(raw, enc):
                    break  # parse_lines notes it; nothing further is read
                if len(numbers) == size:
                    yield LineBatch(path, rel, tuple(numbers), tuple(lines), enc)
                    numbers, lines = [], []
        except (*_GZIP_ERRORS, InputError):
            if numbers:
                yield LineBatch(path, rel, tuple(numbers), tuple(lines), enc)
            raise
        if numbers:
            yield LineBatch(path, rel, tuple(numbers), tuple(lines), enc)

    def jsonl_events(self, path: Path, shown: str, rel: str,
                     size: int) -> Iterator[Union[LineBatch, Skipped, FileMark]]:
        """:meth:`jsonl_file` with its lines left unparsed."""
        try:
            stream = open_input(path)
        except OSError as exc:
            yield Skipped(shown, f"could not read ({exc.strerror or exc}); check the path and permissions")
            return
        raw = stream.fileobj if isinstance(stream, gzip.GzipFile) else stream
        self.opts.files_read += 1
        yield FileMark(shown, False)
        base = self.opts.bytes_done
        try:
            with raw, stream:  # type: ignore[union-attr]
                for batch in self.line_batches(stream, shown, rel, size):
                    try:
                        self.opts.bytes_done = base + raw.tell()  # type: ignore[union-attr]
                    except OSError:
                        pass
                    yield batch
        except _GZIP_ERRORS as exc:
            yield Skipped(shown, f"could not read to the end ({exc}); re-compress or repair the file")
        except InputError as exc:
            yield Skipped(shown, exc.message)
        yield FileMark(shown, True)

    def stdin(self, stream: IO[bytes]) -> Iterator[Document]:
        if self.on_file:
            self.on_file("-")
        self.opts.files_read += 1
        yield from self.records(self.jsonl_items(stream, "-"), "-", "-")


def _raise_csv_field_limit() -> None:
    # The csv module refuses fields over 128 KiB by default; a long article is one field.
    if csv.field_size_limit() < 1 << 30:
        csv.field_size_limit(1 << 30)


def _walk(folder: Path, problems: list[tuple[Path, str]]) -> list[Path]:
    """Regular files under ``folder`` (hidden names left out), sorted by relative path.

    FIFOs, sockets and devices are left out with a note (reading one could
    block forever), and so is a subfolder that cannot be listed.
    """
    found = []

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        problems.append((where, f"could not read folder ({exc.strerror or exc}); check its permissions"))

    for root, dirs, files in os.walk(folder, onerror=unreadable, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            try:
                mode = path.stat().st_mode
            except OSError:
                mode = 0
            if mode and not stat.S_ISREG(mode):
                problems.append((path, "not a regular file (a FIFO, socket or device); skipped"))
                continue
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(folder).as_posix())


def _check_source(src: object) -> None:
    if not isinstance(src, (str, os.PathLike)):
        raise TypeError(f"Each source must be a path (str or os.PathLike) or '-'. Got {src!r} instead.")


def expand_sources(sources: Sequence[Source], *, path_ids: bool = False,
                   problems: Optional[list[tuple[Path, str]]] = None) -> list[tuple[Optional[Path], str]]:
    """Resolve files, folders and ``-`` into ``(path, id)`` pairs, in order (see :func:`_expand`)."""
    return [(path, rel) for path, rel, _ in _expand(sources, path_ids=path_ids, problems=problems)]


def _expand(sources: Sequence[Source], *, path_ids: bool = False,
            problems: Optional[list[tuple[Path, str]]] = None) -> list[tuple[Optional[Path], str, bool]]:
    """Resolve files, folders and ``-`` into ``(path, id, in_folder)``, in order.

    A file in a folder is named by its path relative to the folder when one
    folder is given, else by the folder's path joined to it; with
    ``path_ids``, always by its path as given (normalized: ``./a/../b``
    is ``b``). A file named on its own is named as given.

    Args:
        sources: paths of files or folders, or ``"-"``.
        path_ids: name files in folders by their path as given.
        problems: receives ``(path, reason)`` for what a folder holds that
            cannot be read (special files, unreadable subfolders).

    Raises:
        InputError: when a path does not exist.
        TypeError: a source is not a path.
    """
    if isinstance(sources, (str, bytes, os.PathLike)):
        raise TypeError("Iterable over paths expected, single path received: wrap it in a list.")
    sources = list(sources)
    for src in sources:
        _check_source(src)
    notes = problems if problems is not None else []
    out: list[tuple[Optional[Path], str, bool]] = []
    folders = [s for s in sources if str(s) != "-" and Path(s).is_dir()]
    for src in sources:
        if str(src) == "-":
            out.append((None, "-", False))
            continue
        path = Path(src)
        if path.is_dir():
            for f in _walk(path, notes):
                rel = f.relative_to(path).as_posix()
                if path_ids:
                    out.append((f, Path(os.path.normpath(f)).as_posix(), True))
                else:
                    out.append((f, rel if len(folders) == 1 else (Path(src) / rel).as_posix(), True))
        elif path.exists():
            out.append((path, Path(os.path.normpath(path)).as_posix() if path_ids else str(src), False))
        elif os.path.islink(path):
            raise InputError(f"{src}: a symbolic link to a missing file (check the link)", str(src))
        else:
            raise InputError(f"{src}: no such file or folder (check the path)", str(src))
    return out


class LineReader:
    """Reading that can leave JSON lines unparsed, for worker processes to parse.

    :meth:`documents` is :func:`read_documents`. When every input is JSON
    lines (:attr:`jsonl_only`), :meth:`events` instead reads the lines
    only, applying the size limits, and yields them in batches
    (:class:`LineBatch`) together with the notes about whole files
    (:class:`dedup.io.Skipped`) and where each file starts and ends
    (:class:`FileMark`), in input order. Whoever parses the batches
    (:func:`parse_lines`) hands every event back in that same order:
    notes and marks to :meth:`apply`, each batch's parsed records to
    :meth:`accept`, which refuses repeated ids. Notes, their order, their
    wording and strictness are then the same as :func:`read_documents`
    gives.

    Args: as :func:`read_documents`.

    Example:
        >>> reader = LineReader(["seeds/"])
        >>> reader.jsonl_only
        False
    """

    def __init__(self, sources: Sequence[Source], options: Optional[ReadOptions] = None,
                 on_file: Optional[Callable[[str], None]] = None, stdin: Optional[IO[bytes]] = None) -> None:
        self.opts = options if options is not None else ReadOptions()
        self._reader = _Reader(self.opts, on_file)
        self._stdin = stdin
        self._problems: list[tuple[Path, str]] = []
        self._expanded = _expand(sources, path_ids=self.opts.path_ids, problems=self._problems)
        self._count = 0

    def _wanted(self, path: Path, rel: str, in_folder: bool) -> bool:
        return not in_folder or (_base_suffix(path) in SUFFIXES and self.opts.wanted(rel))

    @property
    def jsonl_only(self) -> bool:
        """Whether every input read is JSON lines (a ``.jsonl``/``.ndjson`` file, optionally gzipped, or ``-``)."""
        read = [(p, r, f) for p, r, f in self._expanded if p is None or self._wanted(p, r, f)]
        return bool(read) and all(p is None or _base_suffix(p) in JSONL_SUFFIXES for p, _, _ in read)

    def _start(self) -> None:
        for path, _, _ in self._expanded:
            try:
                self.opts.bytes_total += path.stat().st_size if path is not None else 0
            except OSError:
                pass

    def documents(self) -> Iterator[Document]:
        """Every document, in input order (:func:`read_documents`)."""
        reader, opts = self._reader, self.opts
        for where, reason in self._problems:
            reader.skip(str(where), reason)
        self._start()
        for path, rel, in_folder in self._expanded:
            if path is None:
                yield from reader.stdin(self._stdin if self._stdin is not None else sys.stdin.buffer)
                continue
            if not self._wanted(path, rel, in_folder):
                opts.files_ignored += 1
                continue
            yield from reader.file(path, rel)

    def events(self, size: int) -> Iterator[Union[LineBatch, Skipped, FileMark]]:
        """Batches of at most ``size`` unparsed lines, notes and file marks, in input order
        (only when :attr:`jsonl_only`)."""
        if not self.jsonl_only:
            raise ValueError("events() reads JSON lines inputs only; use documents() for the others")
        reader, opts = self._reader, self.opts
        for where, reason in self._problems:
            yield Skipped(str(where), reason)
        self._start()
        for path, rel, in_folder in self._expanded:
            if path is None:
                if reader.on_file:
                    reader.on_file("-")
                opts.files_read += 1
                try:
                    yield from reader.line_batches(self._stdin if self._stdin is not None else sys.stdin.buffer,
                                                   "-", "-", size)
                except InputError as exc:
                    # read_documents lets this end the reading; here it waits for its turn (apply).
                    yield FileMark("-", True, exc)
                    return
                continue
            if not self._wanted(path, rel, in_folder):
                opts.files_ignored += 1
                continue
            shown = str(path)
            if reader.on_file:
                reader.on_file(shown)
            note = reader.read_before(path, shown)
            if note is not None:
                yield note
                continue
            yield from reader.jsonl_events(path, shown, rel, size)

    def apply(self, event: Union[Skipped, FileMark]) -> None:
        """Take in a note or file mark from :meth:`events`, in its turn.

        Raises:
            InputError: a note, when reading is strict.
        """
        reader = self._reader
        if isinstance(event, Skipped):
            reader.note(event)
        elif event.error is not None:
            raise event.error
        elif not event.end:
            self._count = len(reader.seen) + len(self.opts.skipped)
        elif self._count == len(reader.seen) + len(self.opts.skipped):
            reader.skip(event.path, "empty file")

    def accept(self, batch: LineBatch, parsed: Sequence[object]) -> list[bool]:
        """Take in a batch's records, in its turn: the notes :func:`parse_lines` gave, and the
        documents (anything with ``id``, ``path`` and ``line``), each refused when its id came before.

        Returns:
            for each document (notes left out), whether it is kept.

        Raises:
            InputError: a note or a repeated id, when reading is strict.
        """
        reader = self._reader
        kept: list[bool] = []
        try:
            for item in parsed:
                if isinstance(item, Skipped):
                    reader.note(item)
                    continue
                doc_id, path, line = item.id, item.path, item.line  # type: ignore[attr-defined]
                if doc_id in reader.seen:
                    kept.append(False)
                    reader.skip(path, _repeated_id(doc_id), line)
                    continue
                reader.seen.add(doc_id)
                kept.append(True)
        except InputError as exc:
            if batch.path == "-":
                raise
            reader.skip(batch.path, exc.message)  # as jsonl_file words a strict stop inside a file
        return kept


def read_documents(sources: Sequence[Source], options: Optional[ReadOptions] = None,
                   on_file: Optional[Callable[[str], None]] = None,
                   stdin: Optional[IO[bytes]] = None) -> Iterator[Document]:
    """Read articles from files, folders (recursively) and ``-`` (JSON lines on stdin).

    Folders yield regular files with a known suffix (``.txt .md .html .htm
    .json .jsonl .csv .tsv``, each optionally ``.gz``, and ``.parquet``),
    sorted by path, that pass ``options.include`` / ``options.exclude``; a file named
    explicitly is read whatever its suffix (as text unless it is HTML or
    JSON). A file reached twice (named twice, or through a link) is read
    once. Skipped files and records are appended to ``options.skipped``.

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
    yield from LineReader(sources, options, on_file, stdin).documents()
