"""Text normalization: the one definition of "the same words" that every
stage (shingling, diff, verification) shares."""

from __future__ import annotations

import re
import unicodedata

# Letters and digits; underscore and every punctuation mark separate words.
_WORD = re.compile(r"[^\W_]+")


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
