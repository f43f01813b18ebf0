"""Bytes to text: how an input's bytes are opened (gzip, FIFOs), decoded
(UTF-8, byte-order marks, UTF-16/32, a chosen encoding) and told from
binary data; an HTML page's article text; and the dates records and pages
give. :mod:`dedup.io` reads inputs with these.
"""

from __future__ import annotations

import codecs
import fcntl
import gzip
import io
import os
import re
import sys
import zlib
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Optional

from .errors import InputError

try:  # ISA-L's gzip (the optional ``isal`` package): the same streams, decompressed about 4x faster
    from isal import igzip as _igzip
    from isal.isal_zlib import error as _isal_error
except ImportError:  # pragma: no cover - depends on what is installed
    _igzip = None
    _isal_error = zlib.error

# Errors a truncated or corrupt gzip stream raises while it is read.
GZIP_ERRORS = (OSError, EOFError, zlib.error, _isal_error)


def unreadable_gzip(exc: BaseException, path: Optional[Path] = None,
                    fix: str = "re-compress or repair the file") -> str:
    """What a note says of a gzip stream that could not be read: a file ``path`` that is no gzip at all (its
    first bytes are not gzip's) said plainly; else where it broke (bytes after a whole gzip stream that are
    not another one: "Not a gzipped file" too) and ``fix``."""
    if path is not None and str(exc).startswith("Not a gzipped file"):
        try:
            with open(path, "rb") as fh:
                starts = fh.read(2) == b"\x1f\x8b"
        except OSError:
            starts = True
        if not starts:
            return ("not a valid gzip file (it does not start as one); compress it again, or remove the .gz suffix "
                    "if it is not compressed")
    return f"could not read to the end ({exc or type(exc).__name__}); {fix}"


def gzip_reader(raw: IO[bytes]) -> gzip.GzipFile:
    """A gzip stream read from ``raw``: with ISA-L where the ``isal`` package is installed (about four
    times the speed of zlib on news), else with the standard library. Both are ``gzip.GzipFile``."""
    if _igzip is not None:
        return _IsalGzipFile(fileobj=raw, mode="rb")
    return gzip.GzipFile(fileobj=raw, mode="rb")  # pragma: no cover - depends on what is installed


if _igzip is not None:
    class _IsalGzipFile(_igzip.IGzipFile):
        """ISA-L's gzip reader that loses nothing of a truncated or corrupt stream.

        At a truncated or corrupt stream ISA-L raises before handing out the
        last buffer it decompressed (up to a megabyte of text); the standard
        library hands out everything up to the damage first. So at an error
        the stream is read again with the standard library from the start
        (when the file can seek), past what was handed out already, and
        continues from there: the same bytes, then the same error, as zlib.
        """

        _delivered = 0
        _rest: Optional[gzip.GzipFile] = None

        def _after_error(self, exc: BaseException) -> gzip.GzipFile:
            raw = self.fileobj
            try:
                raw.seek(0)  # type: ignore[union-attr]
            except (AttributeError, OSError, ValueError):
                raise exc from None
            rest = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[arg-type]
            skip = self._delivered
            while skip:
                chunk = rest.read(min(skip, 1 << 20))
                if not chunk:
                    raise exc
                skip -= len(chunk)
            self._rest = rest
            return rest

        def _take(self, name: str, *args: int) -> bytes:
            if self._rest is not None:
                return getattr(self._rest, name)(*args)  # type: ignore[no-any-return]
            try:
                data = getattr(super(), name)(*args)
            except GZIP_ERRORS as exc:
                return getattr(self._after_error(exc), name)(*args)  # type: ignore[no-any-return]
            self._delivered += len(data)
            return data  # type: ignore[no-any-return]

        def read(self, size: int = -1) -> bytes:
            return self._take("read", size)

        def read1(self, size: int = -1) -> bytes:
            return self._take("read1", size)

        def readline(self, size: int = -1) -> bytes:
            return self._take("readline", size)

        def peek(self, n: int) -> bytes:
            if self._rest is not None:
                return self._rest.peek(n)
            try:
                return super().peek(n)  # type: ignore[no-any-return]
            except GZIP_ERRORS as exc:
                return self._after_error(exc).peek(n)

        def close(self) -> None:
            if self._rest is not None:
                self._rest.close()
            super().close()


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
    if _EPOCH.fullmatch(text):  # seconds or milliseconds since 1970, as text (a CSV cell)
        return parse_date(float(text) if "." in text else int(text))
    # Only short strings are remembered: a hostile file's megabyte-long "dates" are parsed, not kept.
    return _text_date(text) if len(text) <= 64 else _text_date.__wrapped__(text)


def unread_date(value: object) -> Optional[str]:
    """A date value :func:`parse_date` could not read, as a warning quotes it (40 characters at most);
    None when there was nothing to read (no value, an empty string)."""
    if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
        return None
    text = " ".join(str(value)[:200].split()) if isinstance(value, (str, int, float)) else type(value).__name__
    return text if len(text) <= 40 else text[:39] + "\u2026"


_EPOCH = re.compile(r"\d{9,13}(?:\.\d{1,6})?")
_NAME_AFTER_OFFSET = re.compile(r"([+-]\d{2}:?\d{2})\s*\(?[A-Za-z]{1,5}\)?$")


@lru_cache(maxsize=1 << 12)
def _text_date(text: str) -> Optional[datetime]:
    """:func:`parse_date` of a non-empty string. Remembered: a feed dated by the day repeats a few
    dates in every batch, which then share one object (less to parse, to keep and to pickle)."""
    if "-" in text[1:3] and text[:1].isdigit():  # "26-FEB-1987 ...", "1-MAR-1987 ...": no ISO form, read at once
        dt = _reuters_date(text)
        if dt is not None:
            return dt
    if text.endswith("Z") and text[-2:-1].isdigit():  # "...:00Z", not the end of a zone's name
        text = text[:-1] + "+00:00"
    # An offset is the time's; a zone's name after it ("-0500 (EST)", "-05:00 EST") only repeats it.
    text = _NAME_AFTER_OFFSET.sub(r"\1", text)
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
                dt = _strptime_any(text) or _spelled_date(text)
                # A date and time followed by what no format reads, unless what follows is a zone or a.m./p.m.
                # that would move it by hours ("2026-11-30T19:05:00 EST", "2026-11-30 07:05 PM").
                if dt is None and lead and lead.group() != text and not _MOVES_TIME.fullmatch(text[lead.end():]):
                    dt = _strptime_any(lead.group())
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


_REUTERS_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?")
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), start=1)}


def _reuters_date(text: str) -> Optional[datetime]:
    """``26-FEB-1987 15:01:01.79`` without strptime: what ``%d-%b-%Y
    %H:%M:%S[.%f]`` gives, in UTC, or None (then strptime decides)."""
    m = _REUTERS_DATE.fullmatch(text)
    month = _MONTHS.get(m.group(2).lower()) if m else None
    if month is None:
        return None
    day, _, year, hour, minute, second, fraction = m.groups()
    try:
        return datetime(int(year), month, int(day), int(hour), int(minute), int(second),
                        int(fraction.ljust(6, "0")) if fraction else 0, timezone.utc)
    except ValueError:
        return None


_MONTH = (r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_MOVES_TIME = re.compile(r"\s*\(?([a-z]{1,5}|[a-z]+/[a-z_]+|[ap]\.?m\.?)\)?\s*", re.IGNORECASE)
_TIME = (r"(?:(?:\s*,\s*|\s+at\s+|\s*-\s*|\s+|T)(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
         r"(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?"
         r"\s*(?P<half>[ap]\.?m\.?)?)?(?:\s*\(?(?P<zone>[a-z]{1,4}|[+-]\d{2}:?\d{2})\)?)?")
# Dates as news sites and feeds write them, beyond the formats above: "Nov. 30, 2026 7:05 PM EST",
# "Monday, 30 November 2026", "30-Nov-2026", "2026/11/30 19:05". Day and month in figures only
# where the year comes first: 05/06/2026 is May or June depending on the country, and is not guessed.
_SPELLED_DATES = tuple(re.compile(r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?" + date + _TIME,
                                  re.IGNORECASE) for date in (
    _MONTH + r"\s+" + _DAY + r",?\s+(?P<year>\d{4})",
    _DAY + r"\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<year>\d{4})",
    _DAY + r"-" + _MONTH + r"-(?P<year>\d{4})",
    r"(?P<year>\d{4})(?P<sep>[-/.])(?P<mon>\d{1,2})(?P=sep)" + _DAY))
# Zones news sites name by letters (US and European, as US and UK papers use them), hours from UTC.
_ZONES = {"z": 0, "utc": 0, "gmt": 0, "ut": 0, "et": -5, "est": -5, "edt": -4, "ct": -6, "cst": -6, "cdt": -5,
          "mt": -7, "mst": -7, "mdt": -6, "pt": -8, "pst": -8, "pdt": -7, "bst": 1, "cet": 1, "cest": 2}


def _spelled_date(text: str) -> Optional[datetime]:
    """A date of :data:`_SPELLED_DATES`, with its time and zone if given; None if it is none of them,
    is impossible, or names a zone of other letters (which would move it by hours)."""
    m = next(filter(None, (p.fullmatch(text) for p in _SPELLED_DATES)), None)
    if m is None:
        return None
    parts = m.groupdict()
    month = int(parts["mon"]) if parts.get("mon") else _MONTHS.get(parts["month"][:3].lower())
    hour, minute, second = (int(parts[k] or 0) for k in ("hour", "minute", "second"))
    half, zone = (parts["half"] or "").lower()[:1], (parts["zone"] or "").lower()
    if half and not 1 <= hour <= 12:
        return None
    hour = hour % 12 + 12 * (half == "p") if half else hour
    if zone[:1] in "+-" and zone:
        offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[-2:])) * (-1 if zone[0] == "-" else 1)
    elif zone:
        if zone not in _ZONES:
            return None
        offset = timedelta(hours=_ZONES[zone])
    else:
        offset = timedelta(0)
    try:
        return datetime(int(parts["year"]), month or 0, int(parts["day"]), hour, minute, second,
                        int((parts["fraction"] or "0").ljust(6, "0")), tzinfo=timezone(offset))
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

def stream_bom(stream: IO[bytes]) -> Optional[str]:
    """The codec a stream's byte-order mark announces (:func:`bom_encoding`), without consuming it."""
    peek = getattr(stream, "peek", None)
    if peek is None:
        return None
    try:
        head = peek(8192)[:8192]
    except (*GZIP_ERRORS, ValueError):
        return None
    return bom_encoding(head)


class Utf8Lines:
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


def human_size(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,} bytes"


def standard_input() -> IO[bytes]:
    """The bytes of standard input (``-``).

    Raises:
        InputError: it is closed (the process was started without one).
    """
    if sys.stdin is None:
        raise InputError("-: standard input is closed; pipe the articles in, or name files instead of -", "-")
    return stdin_stream(sys.stdin.buffer)


class _KeepOpen(io.BufferedReader):
    """A buffer (for ``peek``) over a caller's stream that leaves the stream open when it goes."""

    def close(self) -> None:
        pass


def stdin_stream(stream: IO[bytes]) -> IO[bytes]:
    """The bytes of a stream read as standard input (``-``): gzip piped in (cat news.jsonl.gz |
    dedup scan -) decompressed as a ``.gz`` file is. A stream the caller gave is not closed."""
    if not hasattr(stream, "peek") and hasattr(stream, "readinto"):
        stream = _KeepOpen(stream)  # type: ignore[arg-type]
    if hasattr(stream, "peek") and stream.peek(2)[:2] == b"\x1f\x8b":
        return _GuardedStream(gzip.GzipFile(fileobj=stream, mode="rb"), "-")  # type: ignore[return-value]
    return stream


class _GuardedStream:
    """A decompressing stream whose read errors (a gzip stream cut short or damaged) are InputErrors
    naming it, as they are for a ``.gz`` file."""

    _READS = frozenset(("read", "read1", "readline", "readlines", "readinto", "peek"))

    def __init__(self, stream: IO[bytes], shown: str) -> None:
        self._stream, self._shown = stream, shown

    def __getattr__(self, name: str) -> object:
        attr = getattr(self._stream, name)
        if name not in self._READS:
            return attr

        def guarded(*args: object) -> object:
            try:
                return attr(*args)
            except GZIP_ERRORS as exc:
                raise InputError(f"{self._shown}: {unreadable_gzip(exc, fix='re-compress or repair the input')}",
                                 self._shown) from exc

        return guarded

    def __iter__(self) -> "_GuardedStream":
        return self

    def __next__(self) -> bytes:
        line = self.readline()  # type: ignore[operator]
        if not line:
            raise StopIteration
        return line  # type: ignore[no-any-return]

    def __enter__(self) -> "_GuardedStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()


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
        return gzip_reader(raw)  # type: ignore[return-value]
    return raw


_READ_PIECE = 16 << 20


def read_bounded(path: Path, limit: int) -> bytes:
    """Read a whole input (decompressed) of at most ``limit`` bytes.

    Raises:
        TooLarge: it holds more; memory stays bounded by the limit.
        InputError: a corrupt or truncated gzip stream.
        OSError: it cannot be opened or read.
    """
    with open_input(path) as fh:
        try:
            # In pieces: one read of limit + 1 bytes allocates them all first (a --max-document-size of
            # terabytes was an out-of-memory error on a small file).
            parts, got = [], 0
            while got <= limit:
                part = fh.read(min(limit + 1 - got, _READ_PIECE))
                if not part:
                    break
                parts.append(part)
                got += len(part)
            data = parts[0] if len(parts) == 1 else b"".join(parts)
        except GZIP_ERRORS as exc:
            if path.suffix.lower() != ".gz":
                raise
            if isinstance(exc, EOFError):  # the stream stops before its end marker
                raise InputError("cut short: its gzip stream ends before the end marker (copy or compress it "
                                 "again from the original)", str(path)) from exc
            raise InputError(f"not a valid gzip file ({exc}); compress it again, or remove the .gz suffix if it "
                             "is not compressed", str(path)) from exc
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
    if encoding is None and data[:1] not in _BOM_FIRST_BYTES:  # no byte-order mark: UTF-8, at once
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass  # said below
    enc = bom_encoding(data) or encoding or "utf-8-sig"
    if enc.lower().replace("_", "-") in ("utf-8", "utf8"):
        enc = "utf-8-sig"
    try:
        return data.decode(enc)
    except UnicodeError as exc:  # UnicodeDecodeError, or a codec's own failure (punycode)
        shown = encoding or "UTF-8"
        hint = "try --encoding latin-1" if shown.lower() not in ("latin-1", "latin1") else "check the file's encoding"
        where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
        raise InputError(f"could not decode as {shown}{where} ({hint})") from exc
    except LookupError as exc:
        raise InputError(f"unknown encoding {encoding!r} (use a Python codec name such as utf-8 or latin-1)") from exc


#: Suffixes of web pages.
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
# Labels browsers decode as another encoding (the WHATWG Encoding Standard): Latin-1 and ASCII pages
# as windows-1252, GB2312 as GBK.
_PAGE_CODECS = {**dict.fromkeys(("iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii",
                                 "windows-1252", "x-cp1252"), "cp1252"), "gb2312": "gbk", "x-gbk": "gbk"}


def text_codec(name: str) -> Optional[str]:
    """The Python codec that decodes bytes to text under ``name``; None for an unknown name, a codec that
    is no text encoding (base64, rot13, zlib: they pass ``codecs.lookup``) or ``undefined``, which fails
    on every byte."""
    try:
        info = codecs.lookup(name)
    except (LookupError, TypeError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name == "undefined":
        return None
    return info.name


def page_charset(data: bytes) -> Optional[str]:
    """The encoding a web page declares in a ``<meta>`` tag of its first 1,024 bytes (where browsers look
    for it), as a Python codec; None when it declares none, or one Python does not know.

    Example:
        >>> page_charset(b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">')
        'cp1252'
    """
    found = _META_CHARSET.search(data[:1024])
    if found is None:
        return None
    label = found.group(1).decode("ascii").lower()
    return _PAGE_CODECS.get(label) or text_codec(label)


#: The first bytes of the byte-order marks :func:`bom_encoding` knows.
_BOM_FIRST_BYTES = (codecs.BOM_UTF8[:1], codecs.BOM_UTF16_LE[:1], codecs.BOM_UTF16_BE[:1], codecs.BOM_UTF32_BE[:1])


def bom_encoding(head: bytes) -> Optional[str]:
    """The encoding a byte-order mark at the start of ``head`` announces (UTF-8; UTF-16 or UTF-32 when NUL
    bytes follow), if any. It holds whatever ``--encoding`` says: no text in another encoding starts so."""
    return "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else _utf16_32_bom(head)


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


def wide_encoding(encoding: Optional[str]) -> bool:
    """True for encodings whose text holds NUL bytes (UTF-16, UTF-32)."""
    if encoding is None:
        return False
    name = codecs.lookup(encoding).name
    return name.startswith(("utf-16", "utf-32"))


def binary_reason(data: bytes, kind: str) -> str:
    """Why a file that :func:`looks_binary` is skipped: UTF-16 text without a byte-order mark (every other
    byte NUL) is named as such, with the option that reads it; anything else is a binary file."""
    sample = data[:4096]
    odd, even = sample[1::2], sample[0::2]
    for zeros, other, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if len(zeros) >= 4 and zeros.count(0) >= 0.9 * len(zeros) and other.count(0) <= 0.1 * len(other):
            return f"UTF-16 text without a byte-order mark, it seems (read it with --encoding {name})"
    return f"binary file, not {kind} (remove it or give text files only)"


def looks_binary(data: bytes, encoding: Optional[str] = None) -> bool:
    if wide_encoding(encoding) or _utf16_32_bom(data) is not None:
        return False
    return b"\x00" in data[:8192]


def binary_first_line(line: bytes, encoding: Optional[str] = None) -> bool:
    """Whether the first line of a JSON lines file says the file is binary (:func:`looks_binary`), unless the
    line reads as one JSON object: a NUL inside a record is that record's to answer for (it is skipped as
    malformed), not the whole file's."""
    if not looks_binary(line, encoding):
        return False
    record = line.strip(b" \t\r\x00\xef\xbb\xbf")
    # A few NULs, not one every other byte (UTF-16 without its byte-order mark, which binary_reason names).
    return not (record.startswith(b"{") and record.endswith(b"}") and 8 * line.count(b"\x00") < len(line))


def base_suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return os.path.splitext(name)[1]


def storable(text: str) -> str:
    """An id or path as valid UTF-8, for what must store it so (the index, Parquet).

    A file name that is not valid UTF-8 reaches Python with its stray bytes
    as lone surrogates, which neither SQLite, Redis nor Arrow can store;
    they are written as ``\\xNN`` escapes instead (the same every time).
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate JSON can spell ("\ud800"), not a stray byte: \uNNNN
        text = "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF and not 0xDC80 <= ord(c) <= 0xDCFF else c
                       for c in text)
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
