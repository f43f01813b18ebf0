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
_INVISIBLE = dict.fromkeys([0x00AD, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062,
                            0x2063, 0x2064, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])

# Combining diacritical marks (the blocks Latin, Greek and Cyrillic text
# use), removed after canonical decomposition: "café", "cafe\u0301" and
# "cafe" are one word. Marks of other scripts (Indic vowel signs, kana
# voicing marks) are kept.
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")

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
_LATIN = re.compile("[a-z]")
_HOMOGLYPH_CHARS = re.compile("[" + "".join(chr(c) for c in _HOMOGLYPHS) + "]")


def _unmask(word: str) -> str:
    if word.isascii() or not _LATIN.search(word) or not _HOMOGLYPH_CHARS.search(word):
        return word
    return word.translate(_HOMOGLYPHS)


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
    """
    if text.isascii():
        return text.translate(_ASCII_WORDS).split()
    plain = _MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_INVISIBLE)))
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", plain).casefold())
    # Case folding and NFKC can bring marks back (compatibility forms): drop them again.
    folded = _MARKS.sub("", unicodedata.normalize("NFKD", folded))
    folded = unicodedata.normalize("NFKC", folded)
    return [_unmask(w) for w in _WORD.findall(folded)]


def normalize(text: str) -> str:
    """Normalize text to its words joined by single spaces.

    Idempotent: ``normalize(normalize(t)) == normalize(t)``.

    Args:
        text: raw article text.

    Returns:
        The normalized text.
    """
    return " ".join(words(text))
