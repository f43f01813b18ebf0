"""Safe terminal output: article text and file names may hold control characters.

An escape sequence in an id or an article (``ESC ] 0 ;`` sets the window
title, ``ESC [ 2 J`` clears the screen, OSC 8 makes a hidden link) acts on
the terminal it is printed to. On a terminal, dedup shows such characters as
visible escapes (``\\x1b``) instead.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import sys
from typing import Iterable

# C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional embeddings, overrides and
# isolates, which turn the text around them ("rtl\u202egnp.txt" shows as "rtltxt.png").
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# The colour sequences dedup's own renderers write (Select Graphic Rendition).
_SGR = re.compile(r"(\x1b\[[0-9;]*m)")


def _visible(match: "re.Match[str]") -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, keep_colour: bool = False) -> str:
    """Show control characters in ``text`` as ``\\xNN`` escapes.

    Args:
        text: what is about to be printed to a terminal.
        keep_colour: leave colour sequences (``ESC [ ... m``) as they are,
            for output that dedup coloured itself.

    Returns:
        The text with every other control character but tab and line feed
        escaped.

    Example:
        >>> escape_controls("a\\x1b]0;pwned\\x07b")
        'a\\\\x1b]0;pwned\\\\x07b'
    """
    if keep_colour:
        return "".join(part if i % 2 else _CONTROL.sub(_visible, part)
                       for i, part in enumerate(_SGR.split(text)))
    return _CONTROL.sub(_visible, text)


def one_line(text: str) -> str:
    """``text`` as one line of a message, wherever it goes: control characters escaped (line feeds too:
    a file name holding one must not start a line that reads as another message)."""
    return escape_controls(text).replace("\n", "\\n")


def _bytes_or_escapes(exc: UnicodeError) -> tuple[bytes, int]:
    """Encoding error handler: each lone surrogate U+DC80..U+DCFF as the byte it stands for (what
    ``surrogateescape`` gives back), anything else that cannot be encoded as a ``\\uNNNN``-style escape."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = bytearray()
    for ch in exc.object[exc.start:exc.end]:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(code - 0xDC00)
        else:
            out += ch.encode("ascii", "backslashreplace")
    return bytes(out), exc.end


codecs.register_error("dedup.bytes_or_escapes", _bytes_or_escapes)


def encoded(text: str, encoding: str = "utf-8") -> bytes:
    """``text`` as bytes to write: lone surrogates turned back into the bytes they stand for (a file
    name that is not valid UTF-8); what cannot be written so (a lone surrogate a JSON ``\\ud800``
    escape made, a character the encoding lacks) as a ``\\uNNNN``-style escape, that character only."""
    try:
        return text.encode(encoding, "dedup.bytes_or_escapes")
    except UnicodeEncodeError:  # an encoding that takes no bytes from the handler (UTF-16, UTF-32)
        return text.encode(encoding, "backslashreplace")


class OutputClosed(Exception):
    """Standard output's reader went away (``| head`` exited)."""


def write_stdout(chunks: Iterable[str], *, colour: bool = False) -> None:
    """Write text to standard output.

    On a terminal, control characters are escaped (``colour`` keeps colour
    sequences). Text is written as UTF-8 (or the stream's encoding) with
    lone surrogates turned back into the bytes they stand for, so a file
    name that is not valid UTF-8 prints as the name it is.

    Raises:
        OutputClosed: the reader closed the pipe; standard output is then
            pointed at the null device so that Python's own final flush is
            quiet too.
        OSError: any other write error.
    """
    out = sys.stdout
    if out is None:  # started with standard output closed (>&-)
        for _ in chunks:
            pass
        return
    escape = out.isatty()
    buf = getattr(out, "buffer", None)
    enc = getattr(out, "encoding", None) or "utf-8"
    try:
        for chunk in chunks:
            if escape:
                chunk = escape_controls(chunk, keep_colour=colour)
            if buf is None:
                out.write(chunk)
                continue
            buf.write(encoded(chunk, enc))
        if buf is not None:
            buf.flush()
        out.flush()
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        raise OutputClosed() from exc
