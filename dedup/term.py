"""Safe terminal output: article text and file names may hold control characters.

An escape sequence in an id or an article (``ESC ] 0 ;`` sets the window
title, ``ESC [ 2 J`` clears the screen, OSC 8 makes a hidden link) acts on
the terminal it is printed to. On a terminal, dedup shows such characters as
visible escapes (``\\x1b``) instead.
"""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The colour sequences dedup's own renderers write (Select Graphic Rendition).
_SGR = re.compile(r"(\x1b\[[0-9;]*m)")


def _visible(match: "re.Match[str]") -> str:
    code = ord(match.group())
    return f"\\x{code:02x}"


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
