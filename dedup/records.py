"""Records: what one article is (:class:`Document`), what a skipped one is
(:class:`Skipped`), the reading options, and the record-level half of reading
JSON, JSON lines, CSV and Parquet: which fields hold the id, text, title and
date, and a batch of JSON lines parsed into documents (:func:`parse_lines`),
the part that needs no other line and so runs in worker processes.

:mod:`dedup.io` finds the files and reads them; its names for all of these
are the same objects.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, NamedTuple, Optional, Sequence, Union

from .decode import (HTML_SUFFIXES, TooLarge, base_suffix, binary_first_line, binary_reason, bom_encoding, decode,
                     human_size, looks_binary, page_charset, parse_date, read_bounded, text_codec, unread_date)
from .errors import ConfigError, InputError

if TYPE_CHECKING:
    from .pool import Ring, Slot

ID_FIELDS = ("id", "_id", "doc_id", "docid", "newid", "url")
TEXT_FIELDS = ("text", "content", "article", "body_text")
TITLE_FIELDS = ("title", "headline")
BODY_FIELDS = ("body", "description", "summary")
DATE_FIELDS = ("date", "published", "published_at", "datePublished", "pubdate", "timestamp", "updated")
#: A record's later update, beside its publication date (what ``--keep newest`` prefers, as a web page's
#: modification time); a record with only one of these has it as its date (the last of DATE_FIELDS).
UPDATED_FIELDS = ("updated", "modified", "dateModified", "date_modified", "updated_at", "modified_at",
                  "lastModified", "last_modified")


# Limits on what one input may hold (README, "Limits"). A news article is a
# few kilobytes; these are far above any, and keep a hostile or broken input
# (a gzip bomb, a multi-gigabyte line, /dev/zero) from taking the machine's
# memory. What is over a limit is skipped with a warning.
MAX_DOCUMENT_BYTES = 16 << 20   # one text/HTML file, one JSON line, one record's text
MAX_FILE_BYTES = 256 << 20      # one .json file read whole, after decompression



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
        updated: a web page's last modification (``article:modified_time``,
            JSON-LD ``dateModified``) when it is later than its publication
            ``date``: the version's time, which ``--keep newest`` and the older
            side of a diff read (the date check reads ``date``).
        date_text: the date the record or page gives when it could not be
            read as one (:func:`dedup.decode.unread_date`), else None.
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
    date_text: Optional[str] = None
    updated: Optional[datetime] = None


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
            (relative to the folder), its name, and the path and name of
            each folder it is in (``drafts`` stands for everything under a
            folder of that name): a file is read when it matches an include
            pattern (if any are given) and no exclude pattern. Files named
            on the command line are always read.
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
        lasting_ids: ids name an article from one run to the next (an
            index): a record on standard input without an id is skipped, as
            its ``-:LINE`` would name another article in the next run.
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
    lasting_ids: bool = False
    skipped: list[Skipped] = field(default_factory=list)
    files_read: int = 0
    files_ignored: int = 0
    # Progress: bytes of input files (compressed size for .gz) read so far,
    # and in all; stdin counts in neither. ``rereading``: the scan is reading
    # its files a second time (LineReader.reread), bytes_done counting anew.
    bytes_done: int = 0
    bytes_total: int = 0
    rereading: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def wanted(self, rel: str) -> bool:
        """Whether a file found in a folder (``rel``: its path relative to
        the folder) passes the include and exclude patterns."""
        parts = rel.split("/")
        # The path, the name, and each folder on the way by its path and its name.
        keys = [rel, parts[-1], *("/".join(parts[:k]) for k in range(1, len(parts))), *parts[:-1]]

        def hit(patterns: tuple[str, ...]) -> bool:
            return any(fnmatch.fnmatchcase(key, p) for p in patterns for key in keys)

        return (not self.include or hit(self.include)) and not hit(self.exclude)

    def __post_init__(self) -> None:
        if self.encoding is not None and text_codec(self.encoding) is None:
            raise ConfigError(f"The 'encoding' parameter must be the name of a Python text codec such as utf-8 or "
                              f"latin-1. Got {self.encoding!r} instead.")
        for name in ("max_document_bytes", "max_file_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"The {name!r} parameter must be an int >= 1. Got {value!r} instead.")


def read_options(options: object) -> "ReadOptions":
    """``options`` as a function that reads takes them: a :class:`ReadOptions`, or new defaults for None.

    Raises:
        TypeError: anything else (a dict, say), with how to make the options.
    """
    if options is None:
        return ReadOptions()
    if not isinstance(options, ReadOptions):
        raise TypeError(f"read options must be a ReadOptions, such as dedup.ReadOptions(text_field='body'); got "
                        f"{type(options).__name__}")
    return options


# ---------------------------------------------------------------- records


def given_document(doc: object) -> Document:
    """A document a caller gives (:func:`dedup.scan_documents`), checked: a :class:`Document` whose
    ``date`` and ``updated`` are ``datetime`` or None; one without a zone is taken as UTC.

    Raises:
        TypeError: not a Document, or its date is not a datetime.
    """
    if not isinstance(doc, Document):
        raise TypeError(f"Document objects expected (dedup.Document(id, text)); got {type(doc).__name__}.")
    for name in ("date", "updated"):
        value = getattr(doc, name)
        if value is not None:
            if not isinstance(value, datetime):
                raise TypeError(f"Document {shown_id(str(doc.id))}: {name} must be a datetime or None, not "
                                f"{type(value).__name__} (read it first, e.g. datetime.fromisoformat)")
            if value.tzinfo is None:
                doc = replace(doc, **{name: value.replace(tzinfo=timezone.utc)})
    return doc


def record_id(value: object) -> str:
    """A record's id field as the document's id: ``true`` and ``false`` as JSON spells them."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def pick_field(record: dict, explicit: Optional[str], candidates: Sequence[str]) -> object:
    """A record's field: ``explicit`` if given, else the first of ``candidates`` that is present and not empty."""
    if explicit is not None:
        return record.get(explicit)
    for name in candidates:
        if name in record:
            value = record[name]
            if value is not None and value != "":
                return value
    return None


def separate_titles(batch: Sequence[Document]) -> list[Optional[str]]:
    """Per document, the headline its source gives apart from its text, which the occasion check reads
    beside the text's first line: a web page's title, or a record's ``title`` or ``headline`` field when
    its text does not start with it (a record read as title + body does)."""
    return [(doc.title or None) if doc.extractor else title_apart(doc.title, doc.text) for doc in batch]


def title_apart(title: Optional[str], text: str) -> Optional[str]:
    """A record's title (one line, as :func:`record_title` gives it), unless its text starts with it."""
    if not title:
        return None
    # The title is one line, its whitespace collapsed: the text's start compared likewise.
    return None if " ".join(text[:2 * len(title) + 64].split()).startswith(title) else title


def headline(doc: Document, words: int = 12) -> str:
    """A one-line label for people: the document's title, else its first line when that is a headline (at
    most ``words`` words, more lines after it), else its first ``words`` words (with "..." when the text
    goes on)."""
    if doc.title:
        return doc.title
    text = doc.text.strip()
    # At most words + 1 pieces: a text of one long line is not split whole (a scan labels every document).
    line = text.split("\n", 1)[0].split(None, words)
    if "\n" in text and 0 < len(line) <= words:
        return " ".join(line)
    first = text.split(None, words)
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


TOO_DEEP = ("JSON nested deeper than Python's parser allows (about 1,000 levels); "
             "flatten the record or remove it")


LONG_NUMBER = ("holds a number of more than 4,300 digits, which Python does not read; "
               "quote it as a string or remove it")


#: The note on a document read but left out of matching: nothing of it is left to compare.
NO_WORDS = "no words to compare (empty after normalization)"


def shown_id(doc_id: str, most: int = 200) -> str:
    """An id as a message quotes it: cut to ``most`` characters (an id field that holds a whole article)."""
    return repr(doc_id if len(doc_id) <= most else doc_id[:most - 1] + "\u2026")


def repeated_id(doc_id: str, line: int = 1) -> str:
    """The note on a document whose id came before: a record's (``line``), or a whole file's (line 0)."""
    if not line:
        return (f"duplicate id {shown_id(doc_id)}: an earlier file has the same name relative to what was named "
                "(scan the two apart, or name their folders instead)")
    return f"duplicate id {shown_id(doc_id)} (ids must be unique; pick another with --id-field)"


def too_large(what: str, limit: int, option: str) -> str:
    return f"{what} larger than {human_size(limit)} (the limit; raise it with {option}, or split the file)"


class Unread(NamedTuple):
    """The note on a file that could not be read at all (it does not count among the files read)."""

    note: Skipped


def read_text(path: Path, shown: str, limit: int, option: str, opts: ReadOptions) -> Union[str, Skipped, Unread]:
    """A whole input file read and decoded: its text, or the note saying why not.

    Args:
        path: the file; shown: as notes name it.
        limit: the most bytes it may hold (decompressed); option: what raises it.
        opts: the encoding to decode with.
    """
    try:
        data = read_bounded(path, limit)
    except TooLarge:
        return Skipped(shown, too_large("file (decompressed)" if path.suffix.lower() == ".gz" else "file",
                                        limit, option))
    except InputError as exc:
        return Unread(Skipped(shown, exc.message))
    except OSError as exc:
        return Unread(Skipped(shown, f"could not read ({exc.strerror or exc}); check the path and permissions"))
    if not data.strip():
        return Skipped(shown, "empty file")
    if looks_binary(data, opts.encoding):
        return Skipped(shown, binary_reason(data, "text"))
    declared = page_charset(data) if base_suffix(path) in HTML_SUFFIXES else None
    if declared is not None:
        try:  # as a browser reads a saved page: by the charset it declares, whatever --encoding says
            return decode(data, declared)
        except InputError:
            pass  # the bytes are not in the encoding declared: read as any file is
    try:
        return decode(data, opts.encoding)
    except InputError as exc:
        if base_suffix(path) in HTML_SUFFIXES and bom_encoding(data) in (None, "utf-8-sig") and (
                declared or opts.encoding or "utf-8").lower().replace("_", "-") in ("utf-8", "utf8"):
            # A few stray bytes in a UTF-8 page: a browser shows each as U+FFFD and reads on, and so does
            # dedup. Many mean another encoding: the note says which option reads it.
            text = data.decode("utf-8-sig", errors="replace")
            if text.count("\ufffd") - data.count(b"\xef\xbf\xbd") <= max(8, len(data) // 10_000):
                return text
        return Skipped(shown, exc.message)


def modified(mtime: Optional[float]) -> Optional[datetime]:
    """A file's modification time (``st_mtime``) as a date, or None."""
    try:
        return None if mtime is None else datetime.fromtimestamp(mtime, tz=timezone.utc)
    except (OSError, OverflowError, ValueError):
        return None


def text_document(text: str, shown: str, rel: str, mtime: Optional[float]) -> Union[Document, Skipped]:
    """The document a plain text file gives (dated by its modification time), or the note why none."""
    if not text.strip():
        return Skipped(shown, "no article text found")
    date = modified(mtime)
    return Document(rel, text, shown, 0, date, True, date_is_mtime=date is not None)


@dataclass(frozen=True)
class FileBatch:
    """Plain text files to read (:func:`read_files`), in a worker process.

    Attributes:
        paths: each file, as notes name it; rels: its document id.
        mtimes: when each was last modified (its date), or None.
    """

    paths: tuple[str, ...]
    rels: tuple[str, ...]
    mtimes: tuple[Optional[float], ...]


def read_files(batch: FileBatch, opts: ReadOptions) -> list[Union[Document, Skipped, Unread]]:
    """The document or note of each plain text file of a batch, in order: what
    :meth:`dedup.io.LineReader.documents` makes of them, but for the files read
    before (:meth:`dedup.io.LineReader.accept` checks them in input order)."""
    out: list[Union[Document, Skipped, Unread]] = []
    for shown, rel, mtime in zip(batch.paths, batch.rels, batch.mtimes):
        text = read_text(Path(shown), shown, opts.max_document_bytes, "--max-document-size", opts)
        out.append(text_document(text, shown, rel, mtime) if isinstance(text, str) else text)
    return out


def parse_batch(batch: Union["LineBatch", FileBatch], opts: ReadOptions) -> list[Union[Document, Skipped, Unread]]:
    """:func:`parse_lines` of a batch of JSON lines, :func:`read_files` of a batch of files."""
    return read_files(batch, opts) if isinstance(batch, FileBatch) else parse_lines(batch, opts)


#: Every byte but the C0 controls that text does not use (tab, the line breaks and escape are text's).
_NOT_CONTROL = bytes(b for b in range(256) if b >= 0x20 or b in b"\t\n\x0b\x0c\r\x1b")


def line_value(raw: bytes, encoding: Optional[str]) -> tuple[bool, object]:
    """One JSON line's value: ``(True, value)``, or ``(False, why it cannot be read)``."""
    try:
        line = decode(raw, encoding)
    except InputError as exc:
        if raw.translate(None, _NOT_CONTROL):  # UTF-16/32 lines reach here as UTF-8 (Utf8Lines)
            # Control bytes, which no text in another encoding holds: binary data, --encoding would not help.
            return False, "binary data, not a JSON line (is the file a JSON lines file?)"
        return False, exc.message
    try:
        return True, json.loads(line)
    except json.JSONDecodeError as exc:
        return False, f"malformed JSON line ({exc.msg}: column {exc.colno}); fix or remove the line"
    except ValueError:  # an integer of more digits than Python converts
        return False, f"JSON line {LONG_NUMBER}"
    except RecursionError:
        return False, TOO_DEEP


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
        named = (opts.text_field,) if opts.text_field else TEXT_FIELDS + TITLE_FIELDS + BODY_FIELDS
        odd = next((k for k in named if not isinstance(rec.get(k), (str, type(None)))), None)
        if odd is not None:  # a field of that name holds a number, a list or an object
            kind = {bool: "true or false", list: "a list", dict: "an object", bytes: "binary data"}.get(
                type(rec[odd]), "a number")
            return Skipped(path, f"record's {odd!r} holds {kind}, not text (choose the text field with "
                                 "--text-field)", number)
        looked = repr(opts.text_field) if opts.text_field else "text, content, article, title or body"
        # {"articles": [{"text": ...}, ...]}: a wrapper of articles, not one ("authors": [{"name": ...}] is not).
        nested = next((k for k, v in rec.items() if isinstance(v, list) and v and isinstance(v[0], dict)
                       and record_text(v[0], opts.text_field) is not None), None)
        if nested is not None:
            return Skipped(path, f"record has no text in {looked}: it holds a list of records in {nested!r}, which "
                                 "are not read (give one article per record: a JSON list, or one a line)", number)
        if opts.text_field and opts.text_field not in rec and rec:
            fields = ", ".join(map(repr, list(rec)[:8])) + (", ..." if len(rec) > 8 else "")
            return Skipped(path, f"record has no field {looked} (its fields: {fields}; choose the field with "
                                 "--text-field)", number)
        return Skipped(path, f"record has no text in {looked} (choose the field with --text-field)", number)
    if len(body) > opts.max_document_bytes:
        return Skipped(path, too_large("text", opts.max_document_bytes, "--max-document-size"), number)
    rid = pick_field(rec, opts.id_field, ID_FIELDS)
    if isinstance(rid, (dict, list)):  # not an id: a line number in its place would hide the mistake
        field = opts.id_field if opts.id_field is not None else next(f for f in ID_FIELDS if rec.get(f) is rid)
        return Skipped(path, f"record's {field!r} holds {'a list' if isinstance(rid, list) else 'an object'}, not "
                             "an id (give ids as strings or numbers, or choose the field with --id-field)", number)
    if rid is None:
        if opts.id_field is not None:
            return Skipped(path, f"record has no id in field {opts.id_field!r} (choose one with --id-field)", number)
        if opts.lasting_ids and rel == "-":
            return Skipped(path, "record has no id, and a line number of standard input names another article "
                                 "each run (give the records ids, or choose the id field with --id-field)", number)
        doc_id = f"{rel}:{number}"
    else:
        doc_id = record_id(rid)
    given = pick_field(rec, opts.date_field, DATE_FIELDS)
    date = parse_date(given)
    return Document(doc_id, body, path, number, date, False, title=record_title(rec),
                    date_text=None if date is not None else unread_date(given), updated=record_updated(rec, date))


def record_updated(record: dict, date: Optional[datetime]) -> Optional[datetime]:
    """A record's update time (:data:`UPDATED_FIELDS`) when it is later than its publication ``date``; else None."""
    if date is None:
        return None
    later = parse_date(pick_field(record, None, UPDATED_FIELDS))
    return later if later is not None and later > date else None


class LineBlock:
    """Lines as they were read, not split yet: the bytes of ``count`` lines, each followed by its line
    feed, in ``parts`` (pieces of what was read, laid end to end, which lines may cross). ``missing``:
    the positions of the lines over the document size limit, whose bytes are left out (an empty line
    stands in for each). Iterating gives the lines as a tuple of them would (None for those missing).

    A batch whose lines are one block goes to a worker process in one piece
    (pickled as one ``bytes``, or put in its pool's shared memory:
    :func:`to_ring`) and is split there, not in the process that reads.
    """

    __slots__ = ("parts", "count", "missing")

    def __init__(self, parts: Sequence[Union[bytes, memoryview]], count: int, missing: Sequence[int] = ()) -> None:
        self.parts, self.count, self.missing = tuple(parts), count, tuple(missing)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Optional[bytes]]:
        return iter(self.split())

    def split(self) -> list[Optional[bytes]]:
        """The lines (without their line feeds)."""
        lines: list[Optional[bytes]] = b"".join(self.parts).split(b"\n")  # type: ignore[assignment]
        lines.pop()  # what follows the last line feed: nothing
        for i in self.missing:
            lines[i] = None
        return lines

    def __reduce__(self) -> tuple:
        return LineBlock, ((b"".join(self.parts),), self.count, self.missing)


@dataclass(frozen=True)
class RingLines:
    """A :class:`LineBlock` put in a worker pool's shared memory (:class:`dedup.pool.Ring`): its slot there."""

    slot: tuple[int, int]
    count: int
    missing: tuple[int, ...]


@dataclass(frozen=True)
class LineBatch:
    """Lines of a JSON lines input, read but not yet parsed (:func:`parse_lines` parses them).

    Attributes:
        path: the file as shown in notes (``-`` for stdin); rel: its id prefix.
        numbers: each line's number in the file.
        lines: each line's bytes (UTF-8 for UTF-16/32 input), None for a
            line over the document size limit: a tuple of them, or a
            :class:`LineBlock` (a :class:`RingLines` on its way to a worker).
        encoding: how to decode the lines (None: UTF-8).
    """

    path: str
    rel: str
    numbers: Sequence[int]
    lines: Union[tuple[Optional[bytes], ...], LineBlock, RingLines]
    encoding: Optional[str]


def to_ring(batch: LineBatch, ring: "Ring") -> Optional[tuple[LineBatch, "Slot"]]:
    """The batch as sent to a worker of the pool that has ``ring``, its block of lines put there, and
    the slot to free once the worker has answered; None when the lines are no block or do not fit."""
    lines = getattr(batch, "lines", None)
    if not isinstance(lines, LineBlock):
        return None
    slot = ring.put(lines.parts)
    if slot is None:
        return None
    return replace(batch, lines=RingLines(slot, lines.count, lines.missing)), slot


def from_ring(batch: LineBatch, ring: Optional["Ring"]) -> LineBatch:
    """In a worker, the batch with its lines taken out of its pool's ``ring`` (as it is if not there)."""
    lines = getattr(batch, "lines", None)
    if not isinstance(lines, RingLines):
        return batch
    if ring is None:
        raise ValueError("a batch whose lines are in a ring reached a process without one")
    return replace(batch, lines=LineBlock((ring.read(lines.slot),), lines.count, lines.missing))


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
            out.append(Skipped(batch.path, too_large("line", opts.max_document_bytes, "--max-document-size"),
                               number))
            continue
        if number == 1 and binary_first_line(raw, batch.encoding):
            out.append(Skipped(batch.path, binary_reason(raw, "JSON lines")))
            break
        if not raw.strip():
            continue
        ok, value = line_value(raw, batch.encoding)
        if not ok:
            out.append(Skipped(batch.path, value, number))  # type: ignore[arg-type]
            continue
        out.append(record_document(number, value, batch.path, batch.rel, opts))
    return out
