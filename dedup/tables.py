"""Rows of CSV and TSV files as records (a dict per row, numbered by the
line it starts on), and how many rows of a Parquet file to take at a time,
for :mod:`dedup.io`.
"""

from __future__ import annotations

import csv
import io
import re
from typing import IO, Any, Callable, Iterator, Optional

from .decode import binary_reason, bom_encoding, human_size, looks_binary


def raise_csv_field_limit(limit: int = 1 << 30) -> None:
    """Let the csv module read fields of up to ``limit`` characters (its default, 128 KiB, is less than a
    long article); a longer field stops the reading there, before it is held in memory whole."""
    csv.field_size_limit(limit)


def csv_records(stream: IO[bytes], path: str, delimiter: str, encoding: Optional[str],
                skip: Callable[..., None], max_field: int = 1 << 30) -> Iterator[tuple[int, object]]:
    """Rows of a CSV/TSV file with a header row, as records numbered by
    the line each starts on (a quoted field may span lines). A ``.csv``
    file whose header row has more semicolons (or bars) than commas is
    read with that delimiter, as spreadsheets in many locales write it.

    Args:
        stream: the file's bytes (decompressed), with ``peek``.
        path: the file as shown in notes.
        delimiter: ``","`` (guessed again from the header) or ``"\\t"``.
        encoding: the file's encoding (None: UTF-8).
        skip: called with (path, reason[, line]) for what cannot be read.
        max_field: the longest field read, in characters; a record with a
            longer one is skipped (passed over to its end, unread).
    """
    head = stream.peek(8192)[:8192] if hasattr(stream, "peek") else b""
    if looks_binary(head, encoding):
        skip(path, binary_reason(head, "CSV"))
        return
    if delimiter == ",":
        header = head.split(b"\n", 1)[0]
        delimiter = max((",", ";", "|"), key=lambda d: (header.count(d.encode()), d == ","))
    enc = bom_encoding(head) or encoding or "utf-8-sig"
    if enc.lower().replace("_", "-") in ("utf-8", "utf8"):
        enc = "utf-8-sig"
    try:
        text = io.TextIOWrapper(stream, encoding=enc, newline="")
    except LookupError:
        skip(path, f"unknown encoding {encoding!r} (use a Python codec name such as utf-8 or "
                        "latin-1)")
        return
    raise_csv_field_limit(max_field)
    lines = _Lines(text)
    rows = csv.reader(lines, delimiter=delimiter)
    start = 1
    try:
        header = next(rows, None)
        if header is None:
            return
        names = [h.strip() for h in header]
        if len(set(names)) != len(names):
            skip(path, "the header row repeats a column name (rename the columns)")
            return
        start = lines.number + 1
        lines.raw, lines.quoted = [], False  # the header's lines are no record's
        while True:
            try:
                for row in rows:
                    # A row read, the reader is between records, whatever the quote count says.
                    unbalanced, lines.quoted = lines.quoted, False
                    raw, lines.raw = lines.raw, []
                    if row:
                        # A quote left open shows as an odd quote count at the record's end; two left open
                        # pair up (the second closes the first), so a record of several lines is read again.
                        if (unbalanced or len(raw) > 1) and (lines.ended or any("\n" in f or "\r" in f for f in row)) \
                                and _misquoted(raw, delimiter):
                            # A quote opened and not closed where its field ends: the reader read the lines
                            # after it into the field, to a quote that closed it or to the end of the file.
                            after = lines.number - start
                            skip(path, "a quote in this record is misplaced or not closed, so " + (
                                f"the next {after:,} line{'s were' if after != 1 else ' was'} read into it"
                                if after else "it runs to the end of the file") + "; fix the quoting", start)
                        elif len(row) > len(names):
                            skip(path, f"row has {len(row)} fields but the header has {len(names)} "
                                       "(quote fields that hold the delimiter)", start)
                        else:
                            yield start, dict(zip(names, row))
                    start = lines.number + 1
                break
            except csv.Error as exc:
                if "field larger than field limit" not in str(exc):
                    raise
                # Its record is passed over to its end, unread; the rows after it are read on.
                skip(path, f"a field is larger than {human_size(max_field)} (the limit; raise it with "
                           "--max-document-size); its record was skipped", start)
                lines.pass_record()
                lines.raw = []
                start = lines.number + 1
    except UnicodeDecodeError:
        shown = encoding or "UTF-8"
        hint = "try --encoding latin-1" if shown.lower() not in ("latin-1", "latin1") else "check the encoding"
        skip(path, f"could not decode as {shown} ({hint})")
    except csv.Error as exc:
        skip(path, f"malformed CSV at line {lines.number} ({exc}); fix the quoting")
    finally:
        try:
            text.detach()
        except ValueError:  # the stream was closed under it: the reading stopped early (strict)
            pass


def _misquoted(lines: list[str], delimiter: str) -> bool:
    """Whether a record's lines, read strictly, misplace a quote or leave one open at their end (the
    forgiving reader takes a stray quote inside an unquoted field as text, as it should, and reads on
    past a quote left open)."""
    # Blanks after a closing quote ('"two\nlines" ,next') are no misplaced quote: the forgiving reader keeps
    # them in the field, as it always has; the strict one would refuse them.
    blanks = re.compile(rf'"[ \t]+(?={re.escape(delimiter)}|\r?\n|\r|$)')
    try:
        for _ in csv.reader([blanks.sub('"', line) for line in lines], delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return True
    return False


class _Lines:
    """The lines of a CSV text stream, as :func:`csv.reader` takes them, numbered, with whether a quoted
    field is open at the end of the last (quote characters counted: inside quotes a quote is doubled)."""

    def __init__(self, text: IO[str]) -> None:
        self.text, self.number, self.quoted = text, 0, False
        self._readline = text.readline
        self.raw: list[str] = []  # the lines of the record being read
        self.ended = False  # the end of the text was reached

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        line = self._readline()
        if not line:
            self.ended = True
            raise StopIteration
        self.number += 1
        if line.count('"') & 1:
            self.quoted = not self.quoted
        self.raw.append(line)
        return line

    def pass_record(self) -> None:
        """Read on, a megabyte at a time and holding nothing, to the end of the record being read: past
        its open quoted field and the line that ends it."""
        ended = True  # the last piece read ended its line
        while self.quoted or not ended:
            piece = self.text.readline(1 << 20)
            if not piece:
                return
            ended = piece.endswith(("\n", "\r"))
            self.number += ended
            if piece.count('"') & 1:
                self.quoted = not self.quoted


def parquet_batch_rows(metadata: Any, rows: int, budget: int) -> int:
    """Rows of a Parquet file (its ``pyarrow`` metadata) to convert to records at a time: ``rows``, or
    fewer where its widest row group's rows would hold more than ``budget`` bytes a batch (rows of 10 MB
    are taken a few at a time, not 1,024 at once); at least one."""
    groups = [metadata.row_group(g) for g in range(metadata.num_row_groups)]
    widest = max([g.total_byte_size // max(g.num_rows, 1) for g in groups] + [1])
    return max(1, min(rows, budget // widest))
