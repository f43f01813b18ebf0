"""Reading articles: files, folders, JSON, JSON lines, CSV/TSV, Parquet, HTML,
gzip, stdin.

Every reader yields :class:`Document` records in a deterministic order
(folders sorted by path, records in file order). Problems with one file or
one record are :class:`Skipped` notes, not exceptions, unless ``strict``.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import os
import stat
from pathlib import Path
from typing import IO, AbstractSet, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

from .decode import (GZIP_ERRORS, HTML_SUFFIXES, Utf8Lines, base_suffix, decode, gzip_reader,  # noqa: F401
                     binary_first_line, binary_reason, human_size, looks_binary, open_input, parse_date,
                     standard_input, stdin_stream, stream_bom, unreadable_gzip, wide_encoding)
from .errors import InputError
from .lines import CHUNK, line_blocks, line_lists
from .records import (BODY_FIELDS, DATE_FIELDS, ID_FIELDS, MAX_DOCUMENT_BYTES, MAX_FILE_BYTES, TEXT_FIELDS,  # noqa: F401
                      TITLE_FIELDS, TOO_DEEP, LONG_NUMBER, Document, FileBatch, FileMark, LineBatch, LineBlock,
                      ReadOptions, Skipped, Unread, from_ring, headline, line_value, modified, parse_batch,
                      parse_lines, pick_field, read_options, read_text, record_document, record_text, record_title,
                      repeated_id, text_document, to_ring, too_large)
from .sources import Source, expand_inputs
from .tables import csv_records, parquet_batch_rows

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
JSON_SUFFIXES = (".json",)
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv", ".tsv")
PARQUET_SUFFIXES = (".parquet",)
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSON_SUFFIXES + JSONL_SUFFIXES + CSV_SUFFIXES + PARQUET_SUFFIXES
_NOT_TEXT = HTML_SUFFIXES + JSON_SUFFIXES + JSONL_SUFFIXES + CSV_SUFFIXES + PARQUET_SUFFIXES
#: Plain text files a worker reads at a time, by their size (or 256 files, the batch).
FILE_BATCH_BYTES = 8 << 20
#: Rows of a Parquet file made records at a time (fewer of wide rows): memory holds a batch, not the file.
PARQUET_BATCH_ROWS = 1024
PARQUET_MISSING = 'reading Parquet needs pyarrow: pip install "dedup[parquet]"'

# How much of a JSON lines stream is read at a time.
_CHUNK = CHUNK


def _file_of(stream: IO[bytes]) -> IO[bytes]:
    """The file under an input stream (under the gzip layer of a ``.gz``): where its position on disk is."""
    return stream.fileobj if isinstance(stream, gzip.GzipFile) else stream  # type: ignore[return-value]


class StrictStop(InputError):
    """The note that stops a ``strict`` reading, raised as it is (it names its file and line already)."""


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
            raise StrictStop(str(note), note.path)
        self.opts.skipped.append(note)

    def emit(self, doc: Document) -> Iterator[Document]:
        if doc.id in self.seen:
            self.skip(doc.path, repeated_id(doc.id, doc.line), doc.line)
            return
        self.seen.add(doc.id)
        yield doc

    def read_before(self, path: Path, shown: str, st: Optional[os.stat_result] = None) -> Optional[Skipped]:
        """The note for a file already read under another name, or None (the file is then remembered);
        ``st``: its status, when the caller has it."""
        if st is None:
            try:
                st = path.stat()
            except OSError:
                return None
        if not stat.S_ISREG(st.st_mode):
            return None
        key = (st.st_dev, st.st_ino)
        first = self.files.get(key)
        if first is not None:
            if first == shown:  # "news/ news/2026/", or one path twice
                return Skipped(shown, "given twice (the same path, or a folder inside a folder given too); read once")
            return Skipped(shown, f"the same file as {first} (a link, or the same path written another way); read once")
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
        except ValueError:
            self.skip(path, LONG_NUMBER)
            return []
        except RecursionError:
            self.skip(path, TOO_DEEP)
            return []
        items = value if isinstance(value, list) else [value]
        return list(enumerate(items, 1))

    def _lines(self, stream: IO[bytes], path: str) -> Iterator[tuple[int, Optional[bytes]]]:
        """(number, line) of a byte stream, a line over the document limit as (number, None),
        read in bounded pieces so memory does not grow with it (:meth:`_pieces`)."""
        for first, lines in self._pieces(stream, path):
            yield from enumerate(lines, first)

    def _pieces(self, stream: IO[bytes], path: str) -> Iterator[tuple[int, list[Optional[bytes]]]]:
        """The lines of a byte stream a piece at a time: (number of the piece's first line, its
        lines), a line over the document limit as None.

        A line is the bytes before a line feed (left out); one of more than
        ``max_document_bytes`` bytes is only counted. The stream is read a
        megabyte at a time and split at once (a third of the cost of a line
        at a time).
        """
        read = getattr(stream, "read1", None)
        if read is None:  # UTF-16/32 input, decoded a line at a time
            for number, line in self._readlines(stream):
                yield number, [line]
            return
        limit = self.opts.max_document_bytes
        number = 0
        carry: list[bytes] = []  # the start of a line whose end is not read yet
        carried = 0
        over = False  # that line is already over the limit: its bytes are dropped
        while True:
            chunk = read(_CHUNK)
            if not chunk:
                break
            parts: list[Optional[bytes]] = chunk.split(b"\n")  # type: ignore[assignment]
            tail: bytes = parts.pop()  # type: ignore[assignment]
            if parts:
                first: bytes = parts[0]  # type: ignore[assignment]
                if over or carried + len(first) > limit:
                    parts[0] = None
                elif carry:
                    carry.append(first)
                    parts[0] = b"".join(carry)
                carry, carried, over = [], 0, False
                if len(chunk) > limit:  # only then can a line inside this piece be over the limit
                    parts = [line if line is None or len(line) <= limit else None for line in parts]
                yield number + 1, parts
                number += len(parts)
            if not over:
                carried += len(tail)
                if carried > limit:
                    carry, carried, over = [], 0, True
                elif tail:
                    carry.append(tail)
        if carry or over:
            yield number + 1, [None if over else b"".join(carry)]

    def _readlines(self, stream: IO[bytes]) -> Iterator[tuple[int, Optional[bytes]]]:
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

    def line_stream(self, stream: IO[bytes]) -> tuple[IO[bytes], Optional[str]]:
        """A JSON lines stream ready to be read a line at a time, and the encoding of its lines."""
        enc = self.opts.encoding
        if not hasattr(stream, "peek") and hasattr(stream, "readinto"):
            stream = io.BufferedReader(stream)  # type: ignore[arg-type]  # to look for a byte-order mark
        wide = enc if enc is not None and wide_encoding(enc) else stream_bom(stream)
        if wide == "utf-8-sig":  # a byte-order mark says UTF-8, whatever --encoding says
            return stream, None
        if wide:
            # UTF-16/32 lines do not split on the byte 0x0a: read them as text, pass them on as UTF-8.
            return Utf8Lines(stream, wide), None  # type: ignore[return-value]
        return stream, enc

    def jsonl_items(self, stream: IO[bytes], path: str) -> Iterator[tuple[int, object]]:
        """Parse JSON lines one at a time, so memory does not grow with the file."""
        stream, enc = self.line_stream(stream)
        for number, raw in self._lines(stream, path):
            if raw is None:
                self.skip(path, too_large("line", self.opts.max_document_bytes, "--max-document-size"),
                          number)
                continue
            if number == 1 and binary_first_line(raw, enc):
                self.skip(path, binary_reason(raw, "JSON lines"))
                return
            if not raw.strip():
                continue
            ok, value = line_value(raw, enc)
            if ok:
                yield number, value
            else:
                self.skip(path, value, number)  # type: ignore[arg-type]

    def file(self, path: Path, rel: str) -> Iterator[Document]:
        shown = str(path)
        if self.on_file:
            self.on_file(shown)
        try:
            st: Optional[os.stat_result] = path.stat()
        except OSError:
            st = None
        met = self.read_before(path, shown, st)  # under another name (a link, or given twice)
        if met is not None:
            self.note(met)
            return
        suffix = base_suffix(path)
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
        try:
            self.opts.bytes_done += (st or path.stat()).st_size
        except OSError as exc:
            self.skip(shown, f"could not read ({exc.strerror or exc}); check the path and permissions")
            return
        text = read_text(path, shown, self.opts.max_file_bytes if is_json else self.opts.max_document_bytes,
                         "--max-file-size" if is_json else "--max-document-size", self.opts)
        if isinstance(text, Unread):
            self.note(text.note)
            return
        self.opts.files_read += 1
        if isinstance(text, Skipped):
            self.note(text)
        elif is_json:
            yield from self.records(self.json_items(text, shown), shown, rel)
        elif suffix in HTML_SUFFIXES:
            yield from self.html_page(path, shown, rel, text, st)
        else:
            got = text_document(text, shown, rel, st.st_mtime if st else None)
            if isinstance(got, Skipped):
                self.note(got)
            else:
                yield from self.emit(got)

    def html_page(self, path: Path, shown: str, rel: str, html: str,
                  st: Optional[os.stat_result] = None) -> Iterator[Document]:
        """A web page: its main text and metadata (:mod:`dedup.extract`), or the page itself when deferred;
        ``st``: the file's status, when the caller has it."""
        mtime = modified(st.st_mtime if st else None)
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
        raw = _file_of(stream)
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
        except GZIP_ERRORS as exc:
            self.skip(shown, unreadable_gzip(exc, path))
        except StrictStop:
            raise  # a note, already naming the file and line
        except InputError as exc:
            self.skip(shown, exc.message)
        if count == len(self.seen) + len(self.opts.skipped):
            self.skip(shown, "empty file")

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
        stream: IO[bytes] = gzip_reader(raw) if path.suffix.lower() == ".gz" else raw
        delimiter = "\t" if base_suffix(path) == ".tsv" else ","
        try:
            with raw, stream, io.BufferedReader(stream) as buffered:  # type: ignore[arg-type]
                # A field a few times the document limit is read and its record skipped; a longer one (the
                # csv module holds a field, 6 times its size) is passed over unread. The rows after it are read.
                rows = csv_records(buffered, shown, delimiter, self.opts.encoding, self.skip,
                                   min(4 * self.opts.max_document_bytes, self.opts.max_file_bytes))
                for doc in self.records(rows, shown, rel):
                    self.opts.bytes_done = base + raw.tell()
                    yield doc
        except (OSError, EOFError) as exc:
            self.skip(shown, unreadable_gzip(exc, path))
        if count == len(self.seen) + len(self.opts.skipped):
            self.skip(shown, "empty file (a CSV file needs a header row and at least one row)")

    def parquet_file(self, path: Path, shown: str, rel: str) -> Iterator[Document]:
        """A Parquet file, read in batches of rows with pyarrow (optional)."""
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
        per_batch = parquet_batch_rows(pfile.metadata, PARQUET_BATCH_ROWS, FILE_BATCH_BYTES)

        def rows() -> Iterator[tuple[int, object]]:
            number = 0
            for g in range(pfile.metadata.num_row_groups):
                group = pfile.metadata.row_group(g)
                # pyarrow decodes a whole row group first: one of 1.2 GB from a 110 KB file took 6 GB.
                if group.total_byte_size > self.opts.max_file_bytes:
                    rows = f"rows {number + 1}-{number + group.num_rows}" if group.num_rows > 1 else f"row {number + 1}"
                    self.skip(shown, f"{rows} not read: their row group holds "
                              f"{human_size(group.total_byte_size)} decoded, over the limit (raise it with "
                              "--max-file-size, or write the file with smaller row groups)", number + 1)
                    number += group.num_rows
                    continue
                for batch in pfile.iter_batches(batch_size=per_batch, row_groups=[g]):
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

    def line_batches(self, stream: IO[bytes], path: str, rel: str, size: int,
                     blocks: bool = False) -> Iterator[LineBatch]:
        """The lines of a JSON lines stream in batches of ``size``, unparsed (what
        :meth:`jsonl_items` reads, in the same bounded pieces). The lines read
        before a read error are yielded before the error propagates. With
        ``blocks``, each batch's lines are left as read (a :class:`LineBlock`,
        for a worker process to split) where the stream is bytes."""
        stream, enc = self.line_stream(stream)
        if blocks and hasattr(stream, "read1") and self.opts.max_document_bytes >= _CHUNK:
            yield from line_blocks(stream, path, rel, size, enc, self.opts.max_document_bytes, FILE_BATCH_BYTES,
                                   _CHUNK)
            return
        yield from line_lists(self._pieces(stream, path), path, rel, size, enc, FILE_BATCH_BYTES)

    def jsonl_events(self, path: Path, shown: str, rel: str,
                     size: int, blocks: bool = False) -> Iterator[Union[LineBatch, Skipped, FileMark]]:
        """:meth:`jsonl_file` with its lines left unparsed."""
        try:
            stream = open_input(path)
        except OSError as exc:
            yield Skipped(shown, f"could not read ({exc.strerror or exc}); check the path and permissions")
            return
        raw = _file_of(stream)
        self.opts.files_read += 1
        yield FileMark(shown, False)
        base = self.opts.bytes_done
        try:
            with raw, stream:  # type: ignore[union-attr]
                for batch in self.line_batches(stream, shown, rel, size, blocks):
                    try:
                        self.opts.bytes_done = base + raw.tell()  # type: ignore[union-attr]
                    except OSError:
                        pass
                    yield batch
        except GZIP_ERRORS as exc:
            yield Skipped(shown, unreadable_gzip(exc, path))
        except InputError as exc:
            yield Skipped(shown, exc.message)
        yield FileMark(shown, True)

    def stdin(self, stream: IO[bytes]) -> Iterator[Document]:
        if self.on_file:
            self.on_file("-")
        self.opts.files_read += 1
        try:
            yield from self.records(self.jsonl_items(stream, "-"), "-", "-")
        except StrictStop:
            raise
        except InputError as exc:  # a gzip stream cut short: the records before it stand, as in a file
            self.skip("-", exc.message.removeprefix("-: "))


class LineReader:
    """Reading that can leave JSON lines unparsed (text files unread), for worker processes.

    :meth:`documents` is :func:`read_documents`. When every input is JSON
    lines (:attr:`jsonl_only`), :meth:`events` reads the lines only, applying
    the size limits, in batches (:class:`LineBatch`); when every input is a
    plain text file (:attr:`text_only`), it gives batches of files to read
    (:class:`FileBatch`). With them come the notes on whole files
    (:class:`dedup.io.Skipped`) and marks where files start and end
    (:class:`FileMark`), in input order. Whoever parses the batches
    (:func:`parse_batch`) hands every event back in that order: notes and
    marks to :meth:`apply`, each batch's records to :meth:`accept`, which
    refuses repeated ids. Notes, their order and wording and strictness are
    then what :func:`read_documents` gives.

    Args: as :func:`read_documents`.

    Example:
        >>> reader = LineReader(["seeds/"])
        >>> reader.jsonl_only
        False
    """

    def __init__(self, sources: Sequence[Source], options: Optional[ReadOptions] = None,
                 on_file: Optional[Callable[[str], None]] = None, stdin: Optional[IO[bytes]] = None) -> None:
        if isinstance(stdin, io.TextIOBase):
            raise TypeError("stdin must be a binary stream (sys.stdin.buffer, open(path, 'rb'), io.BytesIO); "
                            "got a text stream")
        self.opts = read_options(options)
        self._reader = _Reader(self.opts, on_file)
        self._stdin = stdin
        self._problems: list[tuple[Path, str]] = []
        self._expanded = expand_inputs(sources, path_ids=self.opts.path_ids, problems=self._problems)
        self._count = 0
        self._kind: Optional[tuple[bool, bool]] = None

    def _wanted(self, path: Path, rel: str, inside: Optional[str]) -> bool:
        return inside is None or (base_suffix(path) in SUFFIXES and self.opts.wanted(inside))

    @property
    def jsonl_only(self) -> bool:
        """Whether every input read is JSON lines (a ``.jsonl``/``.ndjson`` file, optionally gzipped, or ``-``)."""
        return self._kinds()[0]

    @property
    def text_only(self) -> bool:
        """Whether every input read is a plain text file (not JSON, CSV, Parquet or HTML; no ``-``)."""
        return self._kinds()[1]

    def _kinds(self) -> tuple[bool, bool]:
        if self._kind is None:
            kinds = {"-" if p is None else "lines" if base_suffix(p) in JSONL_SUFFIXES else
                     "other" if base_suffix(p) in _NOT_TEXT else "text"
                     for p, r, f in self._expanded if p is None or self._wanted(p, r, f)}
            self._kind = (bool(kinds) and kinds <= {"-", "lines"}, kinds == {"text"})
        return self._kind

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
        for path, rel, inside in self._expanded:
            if path is None:
                yield from reader.stdin(stdin_stream(self._stdin) if self._stdin is not None else standard_input())
                continue
            if not self._wanted(path, rel, inside):
                opts.files_ignored += 1
                continue
            yield from reader.file(path, rel)

    def events(self, size: int, blocks: bool = False) -> Iterator[Union[LineBatch, FileBatch, Skipped, FileMark]]:
        """Batches of at most ``size`` unparsed lines, notes and file marks, in input order
        (only when :attr:`jsonl_only`); with ``blocks``, lines left as read where they can be
        (:meth:`_Reader.line_batches`). When :attr:`text_only`, batches of ``size`` files to read."""
        if not self.jsonl_only and not self.text_only:
            raise ValueError("events() reads JSON lines or plain text inputs only; use documents() for the others")
        reader, opts = self._reader, self.opts
        for where, reason in self._problems:
            yield Skipped(str(where), reason)
        self._start()
        if not self.jsonl_only:
            yield from self._file_batches(size)
            return
        for path, rel, inside in self._expanded:
            if path is None:
                if reader.on_file:
                    reader.on_file("-")
                opts.files_read += 1
                try:
                    stream = stdin_stream(self._stdin) if self._stdin is not None else standard_input()
                except InputError as exc:  # closed: the reading ends, in its turn (apply)
                    yield FileMark("-", True, exc)
                    return
                try:
                    yield from reader.line_batches(stream, "-", "-", size, blocks)
                except StrictStop as exc:
                    yield FileMark("-", True, exc)  # raised in its turn (apply)
                    return
                except InputError as exc:  # a gzip stream cut short: the lines before it stand, as in a file
                    yield Skipped("-", exc.message.removeprefix("-: "))
                continue
            if not self._wanted(path, rel, inside):
                opts.files_ignored += 1
                continue
            shown = str(path)
            if reader.on_file:
                reader.on_file(shown)
            note = reader.read_before(path, shown)
            if note is not None:
                yield note
                continue
            yield from reader.jsonl_events(path, shown, rel, size, blocks)

    def _file_batches(self, size: int) -> Iterator[Union[FileBatch, Skipped]]:
        """:meth:`events` of text files: each file's turn taken here (progress, a file met twice or too
        large), its reading left to :func:`read_files`, ``size`` files or :data:`FILE_BATCH_BYTES` a batch."""
        reader, opts = self._reader, self.opts
        limit = opts.max_document_bytes
        batch: list[tuple[str, str, Optional[float]]] = []
        held = 0
        for path, rel, inside in self._expanded:
            if not self._wanted(path, rel, inside):  # type: ignore[arg-type]
                opts.files_ignored += 1
                continue
            shown = str(path)
            if reader.on_file:
                reader.on_file(shown)
            try:
                st: Optional[os.stat_result] = path.stat()  # type: ignore[union-attr]
            except OSError:
                st = None
            note = reader.read_before(path, shown, st)  # type: ignore[arg-type]
            n = st.st_size if st else 0
            opts.bytes_done += n if note is None else 0
            if note is None and n > limit and stat.S_ISREG(st.st_mode) and path.suffix.lower() != ".gz":  # type: ignore
                opts.files_read += 1
                note = Skipped(shown, too_large("file", limit, "--max-document-size"))
            if batch and (note is not None or held + n > FILE_BATCH_BYTES):
                yield FileBatch(*map(tuple, zip(*batch)))  # type: ignore[arg-type]
                batch, held = [], 0
            if note is not None:
                yield note
                continue
            batch.append((shown, rel, st.st_mtime if st else None))
            held += n
            if len(batch) == size:
                yield FileBatch(*map(tuple, zip(*batch)))  # type: ignore[arg-type]
                batch, held = [], 0
        if batch:
            yield FileBatch(*map(tuple, zip(*batch)))  # type: ignore[arg-type]

    @property
    def rereadable(self) -> bool:
        """Whether every input is a regular JSON lines file, so that :meth:`reread` can read lines of
        them again (standard input, a pipe or a device cannot be read twice)."""
        if not self.jsonl_only:
            return False
        for path, rel, inside in self._expanded:
            if path is None:
                return False
            try:
                if self._wanted(path, rel, inside) and not stat.S_ISREG(path.stat().st_mode):
                    return False
            except OSError:
                pass  # not there: the first reading notes it, and there is nothing to read again
        return True

    def input_bytes(self) -> int:
        """The size on disk of the files to read (what cannot be looked at counts 0)."""
        total = 0
        for path, rel, inside in self._expanded:
            if path is not None and self._wanted(path, rel, inside):
                try:
                    total += path.stat().st_size
                except OSError:
                    pass
        return total

    def reread(self, lines: Mapping[str, AbstractSet[int]], batch: int) -> Iterator[LineBatch]:
        """Some lines of the JSON lines files read before, read again, in input order, in batches of
        at most ``batch`` lines and about FILE_BATCH_BYTES (unparsed, as :meth:`events` gives them):
        for each file as the notes name it, the line numbers wanted.

        Nothing is noted or counted this time; the options' progress starts
        again (``bytes_done`` from 0, ``rereading`` True). A file that can no
        longer be opened or read to the end gives the lines read before the
        trouble, so the caller finds the others missing.
        """
        reader = _Reader(self.opts)
        done: set[str] = set()
        self.opts.rereading, self.opts.bytes_done = True, 0
        for path, rel, inside in self._expanded:
            if path is None:
                raise ValueError("standard input cannot be read twice")
            shown = str(path)
            want = lines.get(shown)
            base = self.opts.bytes_done
            try:
                size = path.stat().st_size if self._wanted(path, rel, inside) else 0
            except OSError:
                size = 0
            self.opts.bytes_done = base + size  # where this file's progress ends, however it goes
            if not want or shown in done:
                continue
            done.add(shown)
            try:
                stream = open_input(path)
            except OSError:
                continue
            raw = _file_of(stream)
            try:
                regular = stat.S_ISREG(os.fstat(raw.fileno()).st_mode)  # type: ignore[union-attr]
            except OSError:
                regular = False
            if not regular:  # replaced by a pipe or a device since: nothing of it is read again
                stream.close()
                raw.close()  # type: ignore[union-attr]
                continue
            numbers: list[int] = []
            found: list[Optional[bytes]] = []
            enc: Optional[str] = None
            wanted = sorted(want)
            at = held = 0  # wanted[at] is the next line to pick; held: bytes in found
            try:
                with raw, stream:  # type: ignore[union-attr]
                    lined, enc = reader.line_stream(stream)
                    for first, piece in reader._pieces(lined, shown):
                        end = first + len(piece)
                        while at < len(wanted) and wanted[at] < end:
                            number = wanted[at]
                            at += 1
                            numbers.append(number)
                            found.append(piece[number - first])
                            held += 1 + len(found[-1] or b"")
                            if len(numbers) == batch or held >= FILE_BATCH_BYTES:
                                self.opts.bytes_done = base + min(raw.tell(), size)  # type: ignore[union-attr]
                                yield LineBatch(shown, rel, tuple(numbers), tuple(found), enc)
                                numbers, found, held = [], [], 0
                        if at == len(wanted):
                            break
            except (*GZIP_ERRORS, InputError, OSError):
                pass
            self.opts.bytes_done = base + size
            if numbers:
                yield LineBatch(shown, rel, tuple(numbers), tuple(found), enc)

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

    def accept(self, batch: Union[LineBatch, FileBatch], parsed: Sequence[object]) -> list[bool]:
        """Take in a batch's records in its turn: the notes :func:`parse_batch` gave (those on files
        that could not be read, :class:`Unread`, count no file read), and the documents (anything with
        ``id``, ``path`` and ``line``), each refused when its id came before.

        Returns:
            for each document (notes left out), whether it is kept.

        Raises:
            InputError: a note or a repeated id, when reading is strict.
        """
        reader = self._reader
        if isinstance(batch, FileBatch):
            self.opts.files_read += len(batch.paths) - sum(isinstance(item, Unread) for item in parsed)
            parsed = [item.note if isinstance(item, Unread) else item for item in parsed]
        if Skipped not in set(map(type, parsed)):
            # The common batch: documents only, with new ids (checked at once).
            ids = [item.id for item in parsed]  # type: ignore[attr-defined]
            fresh = set(ids)
            if len(fresh) == len(ids) and reader.seen.isdisjoint(fresh):
                reader.seen |= fresh
                return [True] * len(ids)
        kept: list[bool] = []
        try:
            for item in parsed:
                if isinstance(item, Skipped):
                    reader.note(item)
                    continue
                doc_id, path, line = item.id, item.path, item.line  # type: ignore[attr-defined]
                if doc_id in reader.seen:
                    kept.append(False)
                    reader.skip(path, repeated_id(doc_id, line), line)
                    continue
                reader.seen.add(doc_id)
                kept.append(True)
        except InputError as exc:
            if isinstance(exc, StrictStop) or isinstance(batch, FileBatch) or batch.path == "-":
                raise
            reader.skip(batch.path, exc.message)  # as jsonl_file words an error inside a file
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
