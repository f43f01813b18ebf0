"""The occasion check: shingles agreeing is not enough, nothing may say that
two texts report another occasion or another subject.

Wire services and newsrooms fill templates: the Fed's daily operations, a
weekly output report, a bank's prime-rate change, a company's dividend. Two
reports from one template share most of their shingles yet are different
news, so every pair that the shingle rule or the short-text rule accepts is
also checked on what tells one occasion or subject from another:

* **dates**: two texts published ``window_days`` or more apart are the
  same report only when one is marked as a correction, or when they are
  essentially a copy of a long text (Jaccard >= ``copy_jaccard`` and at
  least ``copy_words`` words each), or a long text refiled within
  ``refile_days`` (one found almost whole in the other, shingle containment
  at least ``same_subject_containment``, with every figure of one in the
  other: a shorter repeat of a story on the next working day). A short
  notice repeated word for word a week later is the next week's notice, and
  a recurring report changes its figures. A headline that names another
  time of day (:data:`SESSION_WORDS`: the afternoon's gradings after the
  morning's, the evening draw after the midday one) is another report of
  that day, unless the two are a copy under another headline (shingle
  containment at least ``same_subject_containment``, every figure of one
  in the other). Only dates the documents carry
  (a JSON date field, HTML metadata) count, never a file's modification
  time; a pair where either date is unknown passes this check.
* **figures**: the figures of the text with fewer of them must be found in
  the other: at least ``figures`` of them. Figures are compared whole
  (``350,000``, ``17.5``, ``6-1/4``, ``1/8``, a draw ``4-7-1``, and
  spelled-out small numbers such as ``four``, which agrees with ``4``), so
  ``350,000`` never agrees with ``150,000`` on ``000``.
  A correction or an update changes figures, so the check is skipped when
  a text is marked as a correction, or when the pair keeps most of its text
  (the larger shingle containment at least ``keeps_text``, both texts at
  least ``update_words`` words): a template filled in with other figures
  shares little beyond its frame, unless the frame is nearly all of it. A pair
  where only one text has figures has nothing to compare and passes.
* **subject**: a news text names its subject in its first line (the
  headline, or the lead when there is none; the line after a byline) and
  in a title its source gives apart from the text (a web page's, a
  record's title field: :func:`dedup.records.separate_titles`):
  the words of one text's first line (or title), weighted by their inverse document frequency in the collection,
  must be found in the other text: the weight of the missing ones at most
  ``subject`` of the total, for at least one of the two first lines.
  Another company's, bank's, market's or person's name is rare, so a
  template filled in for someone else fails; a flash and its story, or a
  longer version under the same headline, do not. Rarity is counted over
  the collection: with fewer than 50 other documents every word weighs
  alike (two pages of one small site that share a promo block are still
  told apart by their headlines). A correction may fix a name, so a text
  marked as a correction is not held to it, nor is a text found almost
  whole in the other (shingle containment at least
  ``same_subject_containment``), republished under another headline.

Everything here is plain functions over arrays: the per-batch features
(:func:`occasion_features`) and the per-pair decision (:meth:`OccasionRule.check`)
that the scan, the index and any other engine call alike.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable, Optional, Sequence

import numpy as np

from .errors import ConfigError, check_range
from .normalize import words
from .verify import found_in

if TYPE_CHECKING:
    from .shingle import WordTokens

#: Spelled-out numbers counted as figures ("four cts", "pay May five"), with their values: "four" is the
#: figure "4". "one" is left out: it is a pronoun far more often than a figure. A compound is its words
#: ("twenty-two" is 20 and 2, not 22).
NUMBER_VALUES = dict(zip(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred".split(),
    [*range(2, 21), *range(30, 100, 10), 100]))
NUMBER_WORDS = frozenset(NUMBER_VALUES)

# A figure: digits with thousands separators or a decimal part, an optional
# fraction ("6-1/4", "6 1/4"), or a bare fraction ("1/8"); three or more numbers
# of one or two digits joined by hyphens are one figure, a draw ("4-7-1",
# "06-11-19-27-33", or with en dashes, "4–7–1", read as hyphens), whose single digits two
# days' draws would share (a score "24-17", "1986-87" or a phone number stay their numbers: "24 to 17"
# says them).
# Read as (?<![\w.])\d+..., written to start with a digit so that the regular
# expression engine skips ahead to the next digit instead of trying every position.
_FIGURE = re.compile(r"\d(?<![\w.]\d)(?:\d?(?:[-\u2013]\d\d?){2,}(?![\w.,/\u2013-]?\d)"
                     r"|\d*(?:[.,]\d+)*(?:[- ]\d+/\d+)?(?:/\d+)?)")
_THOUSANDS = re.compile(r",(?!\d{3}(?!\d))")
# The same for an ASCII text, where it finds the same (\d and \w are then their ASCII forms) a quarter faster.
_FIGURE_ASCII = re.compile(_FIGURE.pattern, re.ASCII)


def _number_word_pattern() -> re.Pattern[str]:
    r"""A spelled-out number as a whole word, case-insensitively: what
    ``\b(two|three|...)\b`` with IGNORECASE matches, written to start with a
    set of first letters (every character IGNORECASE matches for them, such
    as the long s) so that the engine skips ahead to those letters."""
    by_first: dict[str, list[str]] = {}
    for w in sorted(NUMBER_WORDS):
        by_first.setdefault(w[0], []).append(w[1:])
    firsts = "".join(by_first)
    # U+017F (long s) is the one character besides upper and lower case that IGNORECASE matches for these letters.
    first = f"[{firsts}{firsts.upper()}\u017f]"
    branches = "|".join(f"(?<={c})(?:{'|'.join(rest)})" for c, rest in by_first.items())
    return re.compile(first + r"(?<!\w\w)(?i:" + branches + r")(?!\w)")


_NUMBER_WORD = _number_word_pattern()

# A note saying that a text corrects an earlier version, wherever it is ({} adds to the nouns it may name).
_NOTE_PHRASES = (r"\bearlier version of this (?:story|article|report|post|item)\b"
                 r"|\b(?:story|article|report|post|item{})\s+(?:has\s+been|had\s+been|was|is)\s+"
                 r"(?:updated\s+and\s+corrected|updated\s+to\s+correct|corrected|clarified)\b")

# What marks a correction near a text's start, not the word anywhere: not "in correction territory",
# "Market correction: ...", "Department of Corrections", "Nasdaq corrects 10%", "correcting trade
# imbalances", "He has been corrected by the judge", nor a headline about correction officers.
_CORRECTION = re.compile(
    # A line that starts with the mark, after a wire's slugs: "CORRECTED - ", "(CORRECTED)-",
    # "REFILE-CORRECTED-", "UPDATE 2-CORRECTED-", "Correction: ...", "CORRECTION" alone.
    r"^[^\w\n]*(?:(?:refile|update\s*\d*|rpt|repeat)\s*[-:\u2013\u2014]\s*)*"
    r"\(?\s*(?:correct(?:ed|ions?)|clarifications?)\s*\)?"
    r"(?=\s*(?:[-:\u2013\u2014(]|$))"
    # "(Corrects paragraph 3)", "(Correcting ...)", "(corrected)", a line starting "Corrects ..."
    r"|\(\s*correct(?:s|ing|ed)\b|^[^\w\n]*corrects\b"
    # A note saying so: "An earlier version of this story ...", "This story has been corrected",
    # "Editor's note: this article was updated and corrected", "We corrected this story", "Correction appended"
    r"|" + _NOTE_PHRASES.format(r"|version|this")
    + r"|\bwe\s+(?:have\s+)?corrected\b|\bcorrection (?:appended|added)\b",
    re.IGNORECASE | re.MULTILINE)
CORRECTION_SPAN = 200

# A note among a text's last lines, where many sites append it: "Correction: ...", "Clarification: ...",
# "An earlier version of this story ...", "This article has been updated to correct ..." (not a quote's
# "we corrected it", which a story's last paragraph may well hold).
_NOTE = re.compile(
    r"^[^\w\n]*(?:editor'?s\s+note\s*:\s*)?(?:correction|clarification)s?\s*[:\u2013\u2014-]|"
    + _NOTE_PHRASES.format(""), re.IGNORECASE | re.MULTILINE)
#: How much of a text's end is read for a note.
NOTE_SPAN = 600


def figures(text: str) -> list[str]:
    """The figures of a text, as whole tokens, in order of appearance.

    Thousands separators are dropped (``350,000`` and ``350000`` agree), a
    fraction joined to its whole number keeps it (``6-1/4``), a draw of small
    numbers joined by hyphens is one figure (``4-7-1``), and spelled-out
    numbers from two to twenty, the tens and a hundred count, as their
    values in digits (a compound as its words: ``twenty-two`` is 20 and 2).

    Example:
        >>> figures("Raised 350,000 shares to 6-1/4 pct, up 17.5 from four")
        ['350000', '6-1/4', '17.5', '4']
    """
    found = []
    for m in _FIGURE.finditer(text):
        token = m.group()
        # A comma followed by exactly three digits groups thousands; any other separates two figures.
        offset = m.start()
        for part in (_THOUSANDS.split(token) if "," in token else (token,)):
            found.append((offset, part.replace(",", "").replace(" ", "-").replace("\u2013", "-")))
            offset += len(part) + 1
    for m in _NUMBER_WORD.finditer(text):
        found.append((m.start(), str(_number_value(m.group()))))
    found.sort()
    return [t for _, t in found]


def _number_value(word: str) -> int:
    """The value of a spelled-out number as :data:`_NUMBER_WORD` matches it (any case, a long s, a dotted I)."""
    value = NUMBER_VALUES.get(word.lower())
    if value is None:
        value = next(v for w, v in NUMBER_VALUES.items() if re.fullmatch(w, word, re.IGNORECASE))
    return value


def is_correction(text: str) -> bool:
    """Whether a text says near its start, or in a note among its last lines, that it corrects an earlier
    version."""
    return (_marked(text[:CORRECTION_SPAN], _CORRECTION)
            or (len(text) > CORRECTION_SPAN and _marked(_last_lines(text), _NOTE)))


def _last_lines(text: str) -> str:
    """The whole lines of a text's last :data:`NOTE_SPAN` characters, after its first :data:`CORRECTION_SPAN`."""
    start = max(CORRECTION_SPAN, len(text) - NOTE_SPAN)
    if _LINE_END.match(text, start - 1):  # the piece starts a line
        return text[start:]
    cut = _LINE_END.search(text, start)
    return text[cut.end():] if cut else ""


def _marked(part: str, mark: re.Pattern[str]) -> bool:
    # Most texts have neither the stems nor the phrase: one lower() and a few substring tests rule them out.
    low = part.lower()
    if "orrect" not in low and "larif" not in low and "earlier version" not in low and part.isascii():
        return False
    return mark.search(part) is not None


def digit_sets(texts: Sequence[str], tokens: Optional["WordTokens"] = None) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the set of its words with a digit, hashed as words (a subset of its word set).

    Args:
        texts: the texts.
        tokens: their words, hashed (:func:`dedup.shingle.batch_word_tokens`),
            when the caller has them already.

    Returns:
        (concatenated sorted distinct uint32 hashes, set size per text).
    """
    return _word_sets(texts, tokens, True)


def letter_sets(texts: Sequence[str], tokens: Optional["WordTokens"] = None) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the set of its words without a digit, hashed as words: what
    the subject check weighs (figures have their own check)."""
    return _word_sets(texts, tokens, False)


def _word_sets(texts: Sequence[str], tokens: Optional["WordTokens"], digits: bool) -> tuple[np.ndarray, np.ndarray]:
    from .shingle import batch_word_tokens, sets_from_hashes

    if tokens is None:
        tokens = batch_word_tokens(texts)
    keep = tokens.digits if digits else ~tokens.digits
    per_text = np.repeat(np.arange(len(tokens.counts)), tokens.counts)[keep]
    return sets_from_hashes(tokens.hashes[keep], np.bincount(per_text, minlength=len(tokens.counts)), 1)


#: Words of the first line that name the subject.
LEAD_WORDS = 30


_CONTENT = re.compile(r"\S")
# Every line boundary of str.splitlines.
_LINE_END = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def first_line(text: str) -> str:
    """The first line of a text that is not blank (from its first non-space
    character), as ``str.splitlines`` splits lines, without reading further."""
    start = _CONTENT.search(text)
    if start is None:
        return ""
    end = _LINE_END.search(text, start.start())
    return text[start.start():end.start() if end else len(text)]


# A byline alone on its line: "By Jane Doe", "BY JANE DOE, Associated Press", "By Courier Staff | Staff Writers":
# capitalized names and a few joining words, no figure (not "By the numbers: ...", "By late Tuesday, 38,000 ...",
# "BY A WHISKER, ...").
_BYLINE_WORD = r"(?:[^\W\d_a-z][^\W\d_]*(?:[-'\u2019][^\W\d_]+)*\.?|and|of|the|for|de|van|von|staff|writers?|[,|&]+)"
_BYLINE = re.compile(rf"[Bb][Yy][ \t]+(?!(?i:an?)\b){_BYLINE_WORD}(?:[ \t]+{_BYLINE_WORD}|[,|&](?=[ \t]))*[ \t]*")

# How much of a first line ``lead`` splits at a time: a text without line breaks is one long line.
_LEAD_CHUNK = 320
_SPACE = re.compile(r"\s")


def lead(text: str) -> str:
    """The first non-empty line of a text (the one after it when it is a byline: "By Courier Staff"), cut to
    its first :data:`LEAD_WORDS` words, without figures.

    The line is read a few hundred characters at a time, each piece ending at
    a whitespace (which always separates words; every line end is one), until
    the words are found or the line ends: a text without line breaks is
    neither searched nor split whole.
    """
    content = _CONTENT.search(text)
    if content is None:
        return ""
    start = content.start()
    if text.startswith(("By ", "BY ", "by "), start):
        # A byline on a line of its own ("By Courier Staff") names the writer, not the subject: the line after it.
        end = _LINE_END.search(text, start, start + 160)
        after = _CONTENT.search(text, end.end()) if end and _BYLINE.fullmatch(text, start, end.start()) else None
        if after is not None:
            start = after.start()
    found: list[str] = []
    while True:
        space = _SPACE.search(text, start + _LEAD_CHUNK)
        end = space.start() if space else len(text)
        stop = _LINE_END.search(text, start, end + 1)  # the piece, and the whitespace that ends it
        if stop:
            end = stop.start()
        found.extend(w for w in words(text[start:end]) if w.isalpha())
        if stop or end >= len(text) or len(found) >= LEAD_WORDS:
            return " ".join(found[:LEAD_WORDS])
        start = end


def lead_sets(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the word-hash set of its first line (see :func:`lead`)."""
    from .shingle import batch_token_hashes, sets_from_hashes

    hashes, counts = batch_token_hashes([lead(t) if t else "" for t in texts])
    return sets_from_hashes(hashes, counts, 1)


def figure_hashes(text: str) -> np.ndarray:
    """Sorted distinct uint32 hashes (CRC-32) of a text's figures (see :func:`figure_sets`)."""
    return figure_sets([text])[0]


def _number_word_table() -> tuple[np.ndarray, np.ndarray]:
    from .shingle import token_hash

    by_token = sorted((token_hash(w), zlib.crc32(str(v).encode())) for w, v in NUMBER_VALUES.items())
    return (np.array([t for t, _ in by_token], dtype=np.uint64), np.array([c for _, c in by_token], dtype=np.uint32))


_NUMBER_TOKENS: Optional[tuple[np.ndarray, np.ndarray]] = None


def figure_sets(texts: Sequence[str], tokens: Optional["WordTokens"] = None) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the sorted distinct uint32 hashes (CRC-32) of its figures.

    The figures are those of :func:`figures`, the spelled-out numbers found
    among the text's words as dedup splits them (so ``four_five`` holds two,
    where :func:`figures`, reading ``_`` as part of a word, finds none).

    Args:
        texts: the texts.
        tokens: their words, hashed (:func:`dedup.shingle.batch_word_tokens`),
            when the caller has them already.

    Returns:
        (concatenated sets, set size per text).
    """
    global _NUMBER_TOKENS
    from .shingle import batch_word_tokens

    if tokens is None:
        tokens = batch_word_tokens(texts)
    if _NUMBER_TOKENS is None:
        _NUMBER_TOKENS = _number_word_table()
    number_tokens, number_crcs = _NUMBER_TOKENS
    is_number = np.isin(tokens.hashes, number_tokens)
    owners = [np.repeat(np.arange(len(texts), dtype=np.uint64), tokens.counts)[is_number]]
    crcs = [number_crcs[np.searchsorted(number_tokens, tokens.hashes[is_number])]]
    found: list[str] = []
    per_text = []
    for t in texts:
        n = len(found)
        for token in (_FIGURE_ASCII if t.isascii() else _FIGURE).findall(t):
            if "," in token:
                # A comma followed by exactly three digits groups thousands; any other separates two figures.
                found += [part.replace(",", "") for part in _THOUSANDS.split(token)]
            else:
                found.append(token)
        per_text.append(len(found) - n)
    if found:
        joined = "\n".join(found).replace(" ", "-").replace("\u2013", "-").encode()
        crcs.append(np.fromiter(map(zlib.crc32, joined.split(b"\n")), dtype=np.uint32, count=len(found)))
        owners.append(np.repeat(np.arange(len(texts), dtype=np.uint64), per_text))
    keys = np.unique((np.concatenate(owners) << np.uint64(32)) | np.concatenate(crcs).astype(np.uint64))
    lengths = np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=len(texts)).astype(np.int64)
    return (keys & np.uint64(0xFFFFFFFF)).astype(np.uint32), lengths


@dataclass
class OccasionFeatures:
    """What the check compares, for a batch of documents.

    Attributes:
        figures, figure_lengths: concatenated sorted figure-hash sets and their sizes.
        corrections: per document, whether it is marked as a correction.
    """

    figures: np.ndarray
    figure_lengths: np.ndarray
    corrections: np.ndarray


def occasion_features(texts: Sequence[str], tokens: Optional["WordTokens"] = None) -> OccasionFeatures:
    """Figure sets and correction marks of a batch of texts (no I/O, no state).

    Args:
        texts: the texts.
        tokens: their words, hashed (:func:`dedup.shingle.batch_word_tokens`),
            when the caller has them already.
    """
    values, lengths = figure_sets(texts, tokens)
    return OccasionFeatures(values, lengths,
                            np.fromiter((is_correction(t) for t in texts), dtype=bool, count=len(texts)))


def agreement(a: np.ndarray, b: np.ndarray) -> Optional[float]:
    """Share of the smaller of two sorted distinct sets found in the other; None when either is empty."""
    if not len(a) or not len(b):
        return None
    if len(a) > len(b):
        a, b = b, a
    return float(np.count_nonzero(found_in(a, b))) / len(a)


@dataclass(frozen=True)
class Evidence:
    """One document's side of the check."""

    words: np.ndarray  # sorted distinct uint32 hashes of the words without digits
    figures: np.ndarray  # sorted distinct uint32 figure hashes
    lead: np.ndarray  # sorted distinct uint32 hashes of the first line's words
    date: Optional[datetime] = None
    correction: bool = False
    n_words: int = 0
    title: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint32))  # a web page's title words, if any


@dataclass(frozen=True)
class OccasionResult:
    """The check's values for one pair and whether it passed.

    Attributes:
        days: days between the two dates (None when either is unknown).
        figures: figure agreement (None when either text has no figure).
        subject: weighted share of a first line's words missing from the
            other text (the smaller of the two first lines' shares); None
            when the collection is too small to weigh words.
        correction: whether either text is marked as a correction.
        copy: whether the pair is a copy of a long text, or a long text refiled
            within ``refile_days`` (for the date window).
        failed: the checks that failed (``dates``, ``figures``, ``subject``), empty when it passed.
        another_time: whether the date check failed on headlines for other times of day (:func:`sessions`).
        refiled: whether the pair counts as a copy as a long story refiled (``refile_days``), not a copy.
    """

    days: Optional[float]
    figures: Optional[float]
    subject: Optional[float]
    correction: bool
    copy: bool
    failed: tuple[str, ...]
    another_time: bool = False
    refiled: bool = False

    @property
    def passed(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class OccasionRule:
    """When nothing says that two similar texts report another occasion or subject.

    Args:
        window_days: dated texts this far apart or further are another
            occasion unless a correction or a copy of a long text; 0 turns
            the date check off.
        figures: minimum figure agreement; 0 turns the figure check off.
        subject: the most weight of a first line's words that may be
            missing from the other text; 1 turns the subject check off.
        copy_jaccard, copy_words: a pair is a copy of a long text when its
            shingle Jaccard is at least ``copy_jaccard`` and both texts have
            at least ``copy_words`` words.
        refile_days: a pair of texts of at least ``copy_words`` words each,
            one found almost whole in the other (``same_subject_containment``)
            with every figure of one in the other, is a story refiled when
            its dates are less than this apart as the date check measures it
            (:func:`another_day`: a repeat on the next working day, over a
            weekend), and counts as a copy.
        same_subject_containment: a pair whose larger shingle containment
            reaches this reports one subject whatever its first lines say
            (a republication under another headline or with a caption on
            top).
        keeps_text, update_days, update_words: a pair whose larger shingle
            containment reaches ``keeps_text`` keeps most of its text, and
            may differ in its figures when its dates are at most
            ``update_days`` apart (or unknown) and both texts have at least
            ``update_words`` words: in a flash of a dozen words, the frame
            a template repeats is most of the text.
    """

    window_days: float = 1.0
    figures: float = 0.6
    subject: float = 0.2
    copy_jaccard: float = 0.9
    copy_words: int = 100
    refile_days: float = 3.0
    keeps_text: float = 0.55
    update_days: float = 0.5
    update_words: int = 30
    same_subject_containment: float = 0.8

    def __post_init__(self) -> None:
        if not isinstance(self.window_days, (int, float)) or not self.window_days >= 0:
            raise ConfigError(f"The 'date_window' parameter must be a number of days >= 0. "
                              f"Got {self.window_days!r} instead.")
        check_range("figures", self.figures, 0.0, 1.0)
        check_range("subject", self.subject, 0.0, 1.0)
        check_range("copy_jaccard", self.copy_jaccard, 0.0, 1.0)

    def check(self, a: Evidence, b: Evidence, jaccard: float, containment: float,
              weight: "WordWeights", counted: int = 2) -> OccasionResult:
        """Check one pair.

        Args:
            a, b: the two documents' evidence.
            jaccard: their shingle Jaccard (for the copy exception).
            containment: the larger of their shingle containments.
            weight: word weights of the collection.
            counted: how many of the two documents the weights counted.
        """
        failed = []
        correction = a.correction or b.correction
        days = None
        refiled = False
        long = min(a.n_words, b.n_words) >= self.copy_words
        copy = jaccard >= self.copy_jaccard and long
        fig = agreement(a.figures, b.figures)
        # Most of the text and every figure the same: a copy under another headline, or a repeat.
        copied = containment >= self.same_subject_containment and (fig is None or fig >= 1.0)
        if a.date is not None and b.date is not None:
            days = abs((a.date - b.date).total_seconds()) / 86400.0
            # A long story refiled, shorter or lightly edited, on the next working day.
            refiled = not copy and long and copied and not another_day(a.date, b.date, self.refile_days)
            copy = copy or refiled
            if self.window_days and another_day(a.date, b.date, self.window_days) and not (correction or copy):
                failed.append("dates")
        # An update may change figures while it keeps most of the text, but not a day later:
        # a text that keeps its wording and changes its figures overnight is the next report.
        update = (containment >= self.keeps_text and min(a.n_words, b.n_words) >= self.update_words
                  and (days is None or days <= self.update_days))
        if fig is not None and fig < self.figures and not correction and not update:
            failed.append("figures")
        # A headline that names another time of day (the afternoon's gradings, the evening draw) is
        # another report of that day, whatever the rest shares; not a copy under another headline
        # ("Evening update: ...", "... - The Morning Call").
        another_time = ("dates" not in failed and bool(self.window_days) and not copied
                        and sessions(a) != sessions(b))
        if another_time:
            failed.append("dates")
        # Each text's first line, and a web page's title where it has one, against the other text.
        heads = [(a.lead, b.words), (b.lead, a.words)]
        heads += [(x.title, y.words) for x, y in ((a, b), (b, a)) if len(x.title)]
        shares = [weight.missing(part, other, counted) for part, other in heads]
        subject = None if any(v is None for v in shares) else min(v for v in shares if v is not None)
        # A text found almost whole in the other reports its subject, whatever the headlines say.
        if (subject is not None and subject > self.subject and not correction
                and containment < self.same_subject_containment):
            failed.append("subject")
        return OccasionResult(days, fig, subject, correction, copy, tuple(failed), another_time, refiled)


#: Words of a headline that name a time of day: a report for another one is another report.
SESSION_WORDS = ("morning", "midday", "noon", "afternoon", "evening", "overnight")
_SESSION_HASHES: Optional[np.ndarray] = None


def headline_sessions(head: str) -> tuple[str, ...]:
    """The time-of-day words of a headline, in :data:`SESSION_WORDS` order (what :func:`sessions` hashes)."""
    found = set(words(head))
    return tuple(w for w in SESSION_WORDS if w in found)


#: The most distinct words (without figures) of a first line read as a headline: a longer one is a paragraph.
HEADLINE_WORDS = 15


def headline_of(title: Optional[str], text: str) -> str:
    """A text's headline as the occasion check reads it (the words of :func:`lead`): the title its source
    gives apart from it, else its first line when that is short enough to be one (:data:`HEADLINE_WORDS`),
    else nothing (a feed's text may start with its lead paragraph: "... on Friday evening ...")."""
    head = lead(title) if title else ""
    if head:
        return head
    first = lead(text)
    return first if len(set(first.split())) <= HEADLINE_WORDS else ""


def sessions(ev: Evidence) -> frozenset[int]:
    """The time-of-day words (:data:`SESSION_WORDS`, as word hashes) of a text's headline
    (:func:`headline_of`, from the evidence's title and first-line word sets)."""
    global _SESSION_HASHES
    if _SESSION_HASHES is None:
        from .shingle import shingle_hash

        _SESSION_HASHES = np.array(sorted(shingle_hash(w) for w in SESSION_WORDS), dtype=np.uint32)
    if len(ev.title):
        head = ev.title
    elif 0 < len(ev.lead) <= HEADLINE_WORDS:
        head = ev.lead
    else:
        return frozenset()
    return frozenset(head[found_in(head, _SESSION_HASHES)].tolist())


def another_day(a: datetime, b: datetime, window_days: float) -> bool:
    """Whether two publication dates are ``window_days`` or more apart: another day's report (exactly that
    far apart counts: a daily item published at the same hour each day). A date without a time
    (:func:`dateless`) stands for its whole day, so the distance from the earlier one runs from its day's
    end: a print copy dated only "March 3" is hours, not a day, from the story published at 22:40 that day,
    and two such dates a day apart may be one story's versions."""
    early, late = (a, b) if a <= b else (b, a)
    seconds = (late - early).total_seconds() - (86400.0 if dateless(early) else 0.0)
    return seconds >= window_days * 86400.0


def dateless(d: datetime) -> bool:
    """Whether a date is midnight UTC, as a date given without a time is read (so taken for one); not a
    time given with another offset that falls on midnight UTC (a daily item posted at 19:00 -05:00)."""
    if d.tzinfo is not None and d.utcoffset():
        return False
    return d.hour == d.minute == d.second == d.microsecond == 0


#: Fewest documents, besides the two compared, from which word rarity is
#: estimated; in a smaller collection every word of a first line weighs alike.
MIN_OTHER_DOCS = 50


class WordWeights:
    """Inverse document frequency of words, from bucketed document counts.

    The weight of a word is ``log((n + 1) / (df + 1))`` where ``n`` and
    ``df`` count the documents other than the two being compared: in a
    small collection, the pair's own words would otherwise look rarer than
    they are (a word only one text has is in one document; a shared word
    is in at least two).

    Args:
        frequency: document frequency of each word hash's bucket (an array
            of word hashes in, an array of counts out).
        docs: documents counted.
    """

    def __init__(self, frequency: Callable[[np.ndarray], np.ndarray], docs: int) -> None:
        self.frequency = frequency
        self.docs = int(docs)

    @classmethod
    def from_counts(cls, counts: np.ndarray, mask: int, docs: int) -> "WordWeights":
        """Weights from an array of counts indexed by ``hash & mask``."""
        m = np.uint32(mask)
        return cls(lambda words: counts[np.asarray(words, dtype=np.uint32) & m], docs)

    def missing(self, part: np.ndarray, other: np.ndarray, counted: int = 2) -> Optional[float]:
        """Weighted share of the words of ``part`` (a subset of one text's words) missing from ``other``;
        the plain share when the collection is too small to tell rare words (see :data:`MIN_OTHER_DOCS`),
        None for an empty ``part`` there.

        Args:
            part: sorted distinct uint32 word hashes (one text's first line).
            other: the other text's sorted distinct word hashes.
            counted: how many of the two documents are among the counted
                ones (2 in a scan; 1 for a query against an index, where the
                indexed text is counted and the queried one is not).
        """
        others = self.docs - counted
        if not len(part):
            return 0.0 if others >= MIN_OTHER_DOCS else None
        inside = found_in(part, other)
        if others < MIN_OTHER_DOCS:
            # Too few documents to tell rare words: every word weighs alike.
            return float((~inside).mean())
        w = self._weights(part, inside, counted)
        total = float(w.sum())
        if total <= 0:
            return 0.0
        return float(w[~inside].sum()) / total

    def _weights(self, part: np.ndarray, inside: np.ndarray, counted: int) -> np.ndarray:
        others = self.docs - counted
        df = np.asarray(self.frequency(part), dtype=np.float64)
        if counted == 2:
            df -= 1.0 + inside  # the text itself, and the other where it has the word
        elif counted == 1:
            df -= inside  # the indexed text, where it has the word
        return np.log((others + 1) / (np.maximum(df, 0.0) + 1))


# ---------------------------------------------------------------- storage

_EVIDENCE_VERSION = 1
_NO_DATE = -(1 << 63)


def encode_evidence(ev: Evidence, encode_set: Callable[[np.ndarray], bytes]) -> bytes:
    """A document's evidence as bytes, for a persistent index.

    Layout (little-endian): version (u8), correction (u8), words (u32), date
    in microseconds since the epoch (i64; the minimum when unknown), then
    four length-prefixed (u32) sets encoded with ``encode_set``: the words
    without digits, the figures, the first line's words, the title's words
    (empty unless a web page gave a title).
    """
    stamp = _NO_DATE if ev.date is None else int(round(ev.date.timestamp() * 1_000_000))
    parts = [struct.pack("<BBIq", _EVIDENCE_VERSION, int(ev.correction), int(ev.n_words), stamp)]
    for values in (ev.words, ev.figures, ev.lead, ev.title):
        blob = encode_set(values)
        parts.append(struct.pack("<I", len(blob)))
        parts.append(blob)
    return b"".join(parts)


def decode_evidence(blob: bytes, decode_set: Callable[[bytes], np.ndarray]) -> Evidence:
    """Inverse of :func:`encode_evidence`.

    Raises:
        ValueError: the bytes are not encoded evidence.
    """
    head = struct.calcsize("<BBIq")
    if len(blob) < head:
        raise ValueError("evidence record too short")
    version, correction, n_words, stamp = struct.unpack_from("<BBIq", blob)
    if version != _EVIDENCE_VERSION:
        raise ValueError(f"evidence record version {version}")
    pos, sets = head, []
    for _ in range(4):
        (size,) = struct.unpack_from("<I", blob, pos)
        pos += 4
        sets.append(decode_set(blob[pos:pos + size]))
        pos += size
    date = None if stamp == _NO_DATE else datetime.fromtimestamp(stamp / 1_000_000, tz=timezone.utc)
    return Evidence(sets[0], sets[1], sets[2], date, bool(correction), n_words, sets[3])
