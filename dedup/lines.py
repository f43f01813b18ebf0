"""Lines of a JSON lines stream in batches, unparsed, for the processes that parse them: each batch
holds ``size`` lines, or fewer where they pass ``max_bytes`` (a longer line is a batch alone), so the
batches in flight take memory in proportion to their text, not to their count (256 lines of 10 MB
were 2.5 GB in one batch).
"""

from __future__ import annotations

from typing import IO, Iterable, Iterator, Optional, Union

from .decode import GZIP_ERRORS, binary_first_line
from .errors import InputError
from .records import LineBatch, LineBlock

#: How much of a stream is read at a time.
CHUNK = 1 << 20


def line_lists(pieces: Iterable[tuple[int, list[Optional[bytes]]]], path: str, rel: str, size: int,
               enc: Optional[str], max_bytes: int) -> Iterator[LineBatch]:
    """Batches of the lines of ``pieces`` (number of the first line, the lines: None for one over the
    document size limit), each line its own ``bytes``. A first line of binary data is a batch alone
    and ends the reading; the lines read before a read error are yielded before it propagates."""
    start = 1  # the number of the first line in ``lines``
    lines: list[Optional[bytes]] = []
    held = 0

    def batch() -> LineBatch:
        return LineBatch(path, rel, tuple(range(start, start + len(lines))), tuple(lines), enc)

    try:
        for first, piece in pieces:
            if first == 1 and piece[0] is not None and binary_first_line(piece[0], enc):
                lines = piece[:1]
                break  # parse_lines notes it; nothing further is read
            for line in piece:
                lines.append(line)
                held += 1 + (len(line) if line is not None else 0)  # with its line feed, as in a block
                if len(lines) == size or held >= max_bytes:
                    yield batch()
                    start, lines, held = start + len(lines), [], 0
    except (*GZIP_ERRORS, InputError):
        if lines:
            yield batch()
        raise
    if lines:
        yield batch()


def line_blocks(stream: IO[bytes], path: str, rel: str, size: int, enc: Optional[str], limit: int,
                max_bytes: int, chunk_size: int = CHUNK) -> Iterator[LineBatch]:
    """:func:`line_lists` of a stream with ``read1``, the lines of each batch left in the pieces read
    (a :class:`LineBlock`): the line feeds are found, not split at. A line over ``limit`` bytes is
    left out (None); only a line that crosses from one piece to the next can be over it (a piece,
    ``chunk_size`` bytes, is no larger than it)."""
    parts: list[Union[bytes, memoryview]] = []  # whole lines with their line feeds, then an open line's start
    count = 0  # whole lines in parts
    missing: list[int] = []
    first = 1  # the number of the batch's first line
    whole = 0  # parts[:whole] hold the whole lines; parts[whole:] the open line's start
    held = 0  # bytes of parts[:whole]
    open_len = 0  # bytes of the open line so far
    over = False  # the open line is over the limit: its bytes are dropped
    checked = False  # line 1 was looked at for binary data

    def batch(n: int) -> LineBatch:
        return LineBatch(path, rel, range(first, first + n), LineBlock(parts[:whole], n, missing), enc)

    try:
        while True:
            chunk = stream.read1(chunk_size)
            if not chunk:
                break
            view, pos, end = memoryview(chunk), 0, len(chunk)
            while pos < end:
                feed = chunk.find(b"\n", pos)
                if feed < 0:  # the rest is the start of a line, or more of one
                    if not over:
                        open_len += end - pos
                        if open_len > limit:
                            del parts[whole:]
                            over = True
                        else:
                            parts.append(view[pos:])
                    break
                # The open line ends here (or, when nothing was open, a line starts and ends here).
                if over or open_len + feed - pos > limit:
                    del parts[whole:]
                    parts.append(b"\n")
                    missing.append(count)
                else:
                    parts.append(view[pos:feed + 1])
                held += sum(map(len, parts[whole:]))
                count, whole, open_len, over, pos = count + 1, len(parts), 0, False, feed + 1
                if not checked:
                    checked = True
                    line = None if missing else b"".join(parts)[:-1]
                    if line is not None and binary_first_line(line, enc):
                        yield batch(1)
                        return  # parse_lines notes it; nothing further is read
                # Whole lines after it, up to the batch's end.
                stop, more = pos, 0
                while count + more < size and held + stop - pos < max_bytes:
                    feed = chunk.find(b"\n", stop)
                    if feed < 0:
                        break
                    stop, more = feed + 1, more + 1
                if more:
                    parts.append(view[pos:stop])
                    count, whole, held, pos = count + more, len(parts), held + stop - pos, stop
                if count == size or held >= max_bytes:
                    yield batch(count)
                    first, count, parts, missing, whole, held = first + count, 0, [], [], 0, 0
        if open_len or over:  # a last line without a line feed
            if over:
                del parts[whole:]
                missing.append(count)
            parts.append(b"\n")
            count, whole = count + 1, len(parts)
            if not checked and not over and binary_first_line(b"".join(parts)[:-1], enc):
                yield batch(1)
                return
    except (*GZIP_ERRORS, InputError):
        if count:
            yield batch(count)
        raise
    if count:
        yield batch(count)
