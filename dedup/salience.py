"""Salience: which words of a change matter, by TF-IDF weight (the weights of scikit-learn's
``TfidfVectorizer``, computed with numpy), and which are names. The diff stage (:mod:`dedup.diff`) ranks
its changes and lists its added and removed terms with these."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from .io import Document
from .normalize import normalize

#: Keeps one-character tokens ("5", "7", "a"): the scikit-learn default drops
#: them, and a changed number is often the most important edit of a story.
TOKEN_PATTERN = r"(?u)\b\w+\b"

#: English function words, which carry no salience. Short and deliberate
#: (scikit-learn's list drops news words such as "fire" and "bill"); negations
#: ("no", "not", "never"), quantities and numbers are kept, since a revision
#: that adds "not" or turns "five" into "seven" matters.
FUNCTION_WORDS = frozenset("""
a an the and or but if as of at by for from in into on onto to with about above below over under up down out off
through during before after between against among upon via per than then that this these those there here so such
very too also just only both each either whether while because since until unless though although yet
i me my mine myself we us our ours you your yours he him his she her hers it its they them their theirs
who whom whose which what where when why how
is am are was were be been being have has had having do does did doing will would shall should can could may might
must s t d ll m re ve some any get gets got go goes went make makes made take takes took say says said tell told
""".split())

#: Names (words written with a capital letter inside sentences) weigh this
#: much more in the added/removed term lists: who is quoted or named is most
#: of what a news revision changes, and in a two-version corpus a name and a
#: common word seen as often get the same inverse document frequency.
NAME_WEIGHT = 2.0


@dataclass(frozen=True)
class TermScore:
    """A term whose TF-IDF weight rose (added) or fell (removed) by ``score``."""

    term: str
    score: float


class TermWeights:
    """A TF-IDF model fitted once and used to score every change of a diff
    (or of every diff of a scan report).

    Terms are normalized words (:func:`dedup.normalize.words`), one-character
    tokens kept, :data:`FUNCTION_WORDS` left out; term frequency is sublinear (1 + ln tf) and vectors are not
    normalized, so a weight is ``idf * (1 + ln tf)``, with the smoothed
    ``idf = ln((1 + n) / (1 + df)) + 1``. These are the weights of
    scikit-learn's ``TfidfVectorizer(token_pattern=TOKEN_PATTERN,
    preprocessor=normalize, stop_words=FUNCTION_WORDS, sublinear_tf=True,
    norm=None)`` to the last bit, and the sums of a text's weights to the
    last bit or one unit of it (the tests compare them), computed here
    because importing scikit-learn took a second of every ``dedup diff``.

    Args:
        documents: the texts the inverse document frequencies come from.
        source: a few words saying what they are (shown in reports).
        kind: ``versions``, ``corpus`` or ``collection`` (JSON output).

    Raises:
        TypeError: ``documents`` is a single string.
    """

    def __init__(self, documents: Iterable[str], source: str = "a corpus", kind: str = "corpus") -> None:
        if isinstance(documents, (str, bytes)):
            raise TypeError("Iterable over raw text documents expected, string object received.")
        self.source = source
        #: what the documents are, for machines: ``versions`` (the two
        #: versions' sentences), ``corpus`` (--corpus and the two versions)
        #: or ``collection`` (a scan's whole collection).
        self.kind = kind
        self.documents = 0
        df: Counter[str] = Counter()
        for doc in documents:
            self.documents += 1
            df.update(set(_terms_of(doc.text if isinstance(doc, Document) else doc)))
        self.fitted = bool(df)
        self._terms = np.array(sorted(df), dtype=object)
        self._column = {t: k for k, t in enumerate(self._terms.tolist())}
        # As scikit-learn computes it: one float64 array, smoothed.
        counts = np.array([df[t] for t in self._terms.tolist()], dtype=np.float64) + 1.0
        self._idf = np.log((self.documents + 1) / counts) + 1.0

    @property
    def terms(self) -> np.ndarray:
        """The vocabulary, by column (sorted)."""
        return self._terms

    def weights(self, texts: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
        """TF-IDF of each text: its terms' columns (ascending) and their weights."""
        out = []
        for text in texts:
            tf = Counter(t for t in _terms_of(text) if t in self._column)
            cols = np.array(sorted(self._column[t] for t in tf), dtype=np.int64)
            counts = np.array([tf[t] for t in self._terms[cols].tolist()], dtype=np.float64)
            out.append((cols, (np.log(counts) + 1.0) * self._idf[cols]))
        return out

    def scores(self, texts: Sequence[str]) -> list[float]:
        """Salience of each text: the sum of its terms' TF-IDF weights, exact to the last bit (``math.fsum``:
        a numpy sum's last bit depends on where the array lies in memory)."""
        if not texts or not self.fitted:
            return [0.0] * len(texts)
        return [math.fsum(w.tolist()) for _, w in self.weights(texts)]

    def term_shift(self, a: str, b: str, top: int, names: frozenset[str] = frozenset()
                   ) -> tuple[tuple[TermScore, ...], tuple[TermScore, ...]]:
        """Terms whose weight rose most from a to b, and those that fell most.

        A term's score is the change of its weight, ``idf * (1 + ln tf)``,
        times :data:`NAME_WEIGHT` for the terms in ``names``.
        """
        if not self.fitted:
            return (), ()
        (cols_a, wa), (cols_b, wb) = self.weights([a, b])
        before = dict(zip(cols_a.tolist(), wa.tolist()))
        after = dict(zip(cols_b.tolist(), wb.tolist()))
        cols = sorted(before.keys() | after.keys())
        delta = [after.get(i, 0.0) - before.get(i, 0.0) for i in cols]
        terms = self._terms
        # A number is a term when it is written whole: "83.2" and "17-1/2" are not the terms 83, 2 and 1;
        # nor is a letter of "U.S." or "p.m." one.
        whole = set(_WHOLE_NUMBER.findall(a)) | set(_WHOLE_NUMBER.findall(b))
        keep = [terms[i] in whole if terms[i].isdigit() else len(terms[i]) > 1 for i in cols]
        boost = [NAME_WEIGHT if terms[i] in names else 1.0 for i in cols]
        rose = [(v * w, terms[i]) for i, v, w, k in zip(cols, delta, boost, keep) if v > 1e-12 and k]
        fell = [(-v * w, terms[i]) for i, v, w, k in zip(cols, delta, boost, keep) if v < -1e-12 and k]
        rose.sort(key=lambda t: (-t[0], t[1]))
        fell.sort(key=lambda t: (-t[0], t[1]))
        return (tuple(TermScore(t, round(s, 4)) for s, t in rose[:top]),
                tuple(TermScore(t, round(s, 4)) for s, t in fell[:top]))


_TOKEN = re.compile(TOKEN_PATTERN)


def _terms_of(text: str) -> list[str]:
    """A text's terms, repeats kept: its normalized words less the function words."""
    return [t for t in _TOKEN.findall(normalize(text)) if t not in FUNCTION_WORDS]


_WORD_RUN = re.compile(r"[^\W_]+")
_WHOLE_NUMBER = re.compile(r"(?<![\d.,/])\d+(?![.,/]?\d)")


def name_terms(sentences: Iterable[Any]) -> frozenset[str]:
    """Normalized words written with a capital letter wherever they occur
    inside a sentence (not first), in text that is not all capitals."""
    caps: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for s in sentences:
        letters = [c for c in s.text if c.isalpha()]
        if sum(c.isupper() for c in letters) > 0.7 * len(letters):
            continue  # a headline in capitals ("GAF CORP OFFERS 46 DLRS"): its capitals say nothing of names
        for tok in s.text.split()[1:]:
            for m in _WORD_RUN.finditer(tok):
                part = m.group()
                if not part[0].isalpha():
                    continue
                for w in normalize(part).split():
                    seen[w] += 1
                    if part[0].isupper():
                        caps[w] += 1
    return frozenset(w for w, n in seen.items() if caps[w] == n and w not in FUNCTION_WORDS and w not in _CALENDAR)


#: Days and months, written with a capital letter but no names.
_CALENDAR = frozenset("monday tuesday wednesday thursday friday saturday sunday january february march april may "
                      "june july august september october november december".split())
