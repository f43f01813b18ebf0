"""Text normalization: the one definition of "the same words" that every
stage (shingling, diff, verification) shares."""

from __future__ import annotations

import re
import unicodedata

# Letters and digits; underscore and every punctuation mark separate words.
_WORD = re.compile(r"[^\W_]+")

# For pure-ASCII text NFKC is the identity, case folding is lower-casing and
# the word characters are exactly [a-z0-9]: one str.translate (upper case to
# lower, everything else to a space) and a split give the same words as the
# regex at about a third of its cost.
_ASCII_WORDS = str.maketrans({chr(c): (chr(c).lower() if chr(c).isalnum() else " ") for c in range(128)})


def words(text: str) -> list[str]:
    """Split text into normalized words.

    Unicode NFKC (so full-width digits, ligatures and non-breaking spaces
    compare equal to their plain forms), case folding, then runs of letters
    and digits; punctuation and whitespace only separate words.

    Args:
        text: raw article text.

    Returns:
        The words, in order.

    Example:
        >>> words("Kaiser’s ﬁrst STRIKE — 60 days!")
        ['kaiser', 's', 'first', 'strike', '60', 'days']
    """
    if text.isascii():
        return text.translate(_ASCII_WORDS).split()
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return _WORD.findall(folded)


def normalize(text: str) -> str:
    """Normalize text to its words joined by single spaces.

    Idempotent: ``normalize(normalize(t)) == normalize(t)``.

    Args:
        text: raw article text.

    Returns:
        The normalized text.
    """
    return " ".join(words(text))
