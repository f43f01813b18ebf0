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


# Characters that change nothing a reader sees: zero-width space, non-joiner
# and joiner, word joiner, zero-width no-break space (U+FEFF inside text),
# soft hyphen, Mongolian vowel separator, and bidirectional marks and
# overrides. Removed (not word breaks), so "dup\u200blicate" is "duplicate".
_INVISIBLE = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"

# Combining diacritical marks (the blocks Latin, Greek and Cyrillic text
# use), removed after canonical decomposition: "café", "cafe\u0301" and
# "cafe" are one word. Marks of other scripts (Indic vowel signs, kana
# voicing marks) are kept.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"

# Cyrillic and Greek letters drawn like Latin ones (after case folding),
# replaced inside words that also hold a Latin letter: "Kаiser" with a
# Cyrillic "а" is "kaiser". Words wholly in another script are left alone.
_HOMOGLYPHS = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ү": "y", "ɑ": "a", "ı": "i",
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
})
# Decomposition neither makes nor takes apart invisible characters, so one pass removes both kinds.
_STRIP = re.compile(f"[{_INVISIBLE}{_MARKS}]+")
_LATIN = re.compile("[a-z]")
_HOMOGLYPH_CHARS = re.compile("[" + "".join(chr(c) for c in _HOMOGLYPHS) + "]")


def _unmask(found: list[str]) -> list[str]:
    """Words with a Latin letter and a look-alike read as Latin; each distinct word is looked at once."""
    seen: dict[str, str] = {}
    out = []
    for w in found:
        u = seen.get(w)
        if u is None:
            u = w
            if not w.isascii() and _LATIN.search(w) and _HOMOGLYPH_CHARS.search(w):
                u = w.translate(_HOMOGLYPHS)
            seen[w] = u
        out.append(u)
    return out


def words(text: str) -> list[str]:
    """Split text into normalized words.

    Unicode NFKC (so full-width digits, ligatures and non-breaking spaces
    compare equal to their plain forms), case folding, then runs of letters
    and digits; punctuation and whitespace only separate words. Invisible
    characters (zero-width spaces and joiners, soft hyphens, bidirectional
    marks) are removed, accents of Latin, Greek and Cyrillic letters are
    dropped, and Cyrillic or Greek look-alike letters inside a word with
    Latin letters are read as the Latin ones, so that a copy carrying them
    still matches.

    Args:
        text: raw article text.

    Returns:
        The words, in order.

    Example:
        >>> words("Kaiser’s ﬁrst STRIKE — 60 days!")
        ['kaiser', 's', 'first', 'strike', '60', 'days']

    Raises:
        TypeError: ``text`` is not a str.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    if text.isascii():
        return text.translate(_ASCII_WORDS).split()
    # Decompose, fold case (which may add marks: "İ" folds to "i" + dot), decompose again,
    # drop the marks, then compose what is left (Hangul, kana): NFKC, as before, minus accents.
    plain = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    folded = unicodedata.normalize("NFKC", _STRIP.sub("", plain))
    found = _WORD.findall(folded)
    if _HOMOGLYPH_CHARS.search(folded) is None or _LATIN.search(folded) is None:
        return found
    return _unmask(found)


def normalize(text: str) -> str:
    """Normalize text to its words joined by single spaces.

    Idempotent: ``normalize(normalize(t)) == normalize(t)``.

    Args:
        text: raw article text.

    Returns:
        The normalized text.
    """
    return " ".join(words(text))
