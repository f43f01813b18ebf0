"""The short-text rule: a second, finer comparison for short documents.

Word 5-grams are the right unit for articles, but a wire flash or a short
report of a hundred words has few of them, and one corrected figure or
reworded lead removes five at a time: a correction of a 40-word dividend
notice can share no 5-gram with the notice at all. Short documents are
therefore also compared on word 2-grams.

Short reports are also where templates live (daily money-market notices,
earnings tables, price postings): two different reports from one template
share most of their word pairs and differ only in the company and the
figures. So the rule also asks that the figures and the rare words agree:

* word 2-gram containment (the larger of the two) >= ``containment``;
* number agreement >= ``numbers``: of the distinct number tokens of the
  document with fewer of them, the share found in the other (1.0 when
  neither has a number, 0.0 when only one has);
* rare-word agreement >= ``rare``: the same share over rare words (words
  without digits found in at most ``max(rare_min_docs, rare_share * n)`` of
  the ``n`` short documents: names, places, unusual terms); 0.0 when either
  has none, so a text made only of common words never matches this way.

Candidates come from MinHash-LSH over each short document's *key tokens*
(its rare words and rare numbers), so two reports that share only their
template are never even compared. Everything here works on the short
documents only; long documents pay nothing for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from .candidates import candidate_pairs
from .errors import ConfigError, check_range
from .normalize import words
from .shingle import ShingleConfig, batch_token_hashes, sets_from_hashes, shingle_batch
from .signature import MinHasher


@dataclass(frozen=True)
class ShortRule:
    """When two short documents are near-duplicates.

    Args:
        max_words: a document is short when it has at most this many words;
            0 turns the rule off.
        containment: minimum word 2-gram containment (the larger of the two).
        numbers: minimum number agreement.
        rare: minimum rare-word agreement.
        rare_share, rare_min_docs: a word is rare when it is in at most
            ``max(rare_min_docs, rare_share * n)`` of the ``n`` short documents.
        bands, rows: LSH banding over the key-token signatures; with the
            default 42 x 3, a pair whose key tokens have Jaccard 0.5 is a
            candidate with probability 0.996, and at 0.4 with 0.94.
    """

    max_words: int = 150
    containment: float = 0.5
    numbers: float = 0.7
    rare: float = 0.5
    rare_share: float = 0.002
    rare_min_docs: int = 5
    bands: int = 42
    rows: int = 3

    def __post_init__(self) -> None:
        if not isinstance(self.max_words, int) or self.max_words < 0:
            raise ConfigError(f"The 'short_words' parameter must be an int >= 0. Got {self.max_words!r} instead.")
        for name in ("containment", "numbers", "rare"):
            check_range(name, getattr(self, name), 0.0, 1.0, low_open=True)
        check_range("rare_share", self.rare_share, 0.0, 1.0, low_open=True)

    @property
    def enabled(self) -> bool:
        return self.max_words > 0

    def cutoff(self, docs: int) -> int:
        """The most short documents a rare word may be in."""
        return max(self.rare_min_docs, int(self.rare_share * docs))


@dataclass
class ShortFeatures:
    """What the rule compares, for the short documents of a batch or a scan.

    Each ``(values, lengths)`` pair holds sorted distinct uint32 hash sets,
    concatenated, one set per short document.

    Attributes:
        index: document index of each short document.
        bigrams, bigram_lengths: word 2-gram sets.
        tokens, token_lengths: word sets.
        numbers, number_lengths: sets of the words that have a digit.
    """

    index: np.ndarray
    bigrams: np.ndarray
    bigram_lengths: np.ndarray
    tokens: np.ndarray
    token_lengths: np.ndarray
    numbers: np.ndarray
    number_lengths: np.ndarray

    FIELDS = ("index", "bigrams", "bigram_lengths", "tokens", "token_lengths", "numbers", "number_lengths")

    @classmethod
    def empty(cls) -> "ShortFeatures":
        return cls(*(np.empty(0, np.int64 if f.endswith(("index", "lengths")) else np.uint32) for f in cls.FIELDS))

    @classmethod
    def concat(cls, parts: Sequence["ShortFeatures"]) -> "ShortFeatures":
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in cls.FIELDS))

    def __len__(self) -> int:
        return len(self.index)


def short_features(texts: Sequence[str], word_counts: Sequence[int], max_words: int, offset: int = 0) -> ShortFeatures:
    """Features of the texts with at most ``max_words`` words (and at least one).

    Args:
        texts: raw texts of a batch.
        word_counts: their word counts (as the scan counted them).
        max_words: the short limit.
        offset: document index of ``texts[0]``.
    """
    index = [k for k, n in enumerate(word_counts) if 0 < n <= max_words]
    if not index:
        return ShortFeatures.empty()
    chosen = [texts[k] for k in index]
    hashes, counts = batch_token_hashes(chosen)
    if not counts.all():
        # With character shingles the scan counts words by whitespace, so a text of punctuation only
        # has words but no normalized word; short_pairs needs at least one word per document.
        index = [k for k, c in zip(index, counts.tolist()) if c]
        if not index:
            return ShortFeatures.empty()
        chosen = [texts[k] for k in index]
        hashes, counts = batch_token_hashes(chosen)
    bigrams, bigram_lengths = sets_from_hashes(hashes, counts, 2)
    tokens, token_lengths = sets_from_hashes(hashes, counts, 1)
    # The words with a digit, hashed as words: a subset of each word set.
    numbers = shingle_batch([" ".join(_number_words(t)) for t in chosen], ShingleConfig(1, "word"))
    return ShortFeatures(np.asarray(index, np.int64) + offset, bigrams, bigram_lengths,
                         tokens, token_lengths, numbers.values, numbers.lengths)


# For ASCII text the words are runs of [a-z0-9] after lower-casing (see dedup.normalize).
_ASCII_NUMBER_WORD = re.compile(r"[a-z0-9]*[0-9][a-z0-9]*")


def _number_words(text: str) -> list[str]:
    """The words of a text that have a digit, as :func:`dedup.normalize.words` splits them."""
    if text.isascii():
        return _ASCII_NUMBER_WORD.findall(text.lower())
    return [w for w in words(text) if not w.isalpha()]


class _Sets:
    """Per-document Python sets of concatenated hash sets, made on first use."""

    def __init__(self, values: np.ndarray, lengths: np.ndarray) -> None:
        self.values = values
        self.ends = np.cumsum(lengths)
        self.cache: dict[int, frozenset] = {}

    def __getitem__(self, i: int) -> frozenset:
        got = self.cache.get(i)
        if got is None:
            lo = int(self.ends[i - 1]) if i else 0
            got = self.cache[i] = frozenset(self.values[lo:int(self.ends[i])].tolist())
        return got


def _agreement(a: frozenset, b: frozenset, both_empty: float) -> float:
    if not a or not b:
        return both_empty if not a and not b else 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class ShortMatch:
    """A pair accepted by the short-text rule (document indices, ``left < right``)."""

    left: int
    right: int
    containment: float
    numbers: float
    rare: float


def short_pairs(features: ShortFeatures, rule: ShortRule, hasher: MinHasher) -> Iterator[ShortMatch]:
    """Pairs of short documents that the short-text rule accepts.

    Args:
        features: the short documents of a scan.
        rule: the rule's settings.
        hasher: MinHash for the key-token signatures.

    Yields:
        ShortMatch, ordered by (left, right).
    """
    n = len(features)
    if n < 2:
        return
    values, df = np.unique(features.tokens, return_counts=True)
    rare_value = values[df <= rule.cutoff(n)]
    is_key = np.isin(features.tokens, rare_value)
    # Every short document has at least one word, so no segment is empty.
    starts = np.concatenate([[0], np.cumsum(features.token_lengths)[:-1]])
    key_lengths = np.add.reduceat(is_key.astype(np.int64), starts)
    has_keys = np.flatnonzero(key_lengths)
    if len(has_keys) < 2:
        return
    keys = features.tokens[is_key]
    # Only documents with a key token can match (rare agreement needs rare words).
    sigs = hasher.signatures_flat(keys, key_lengths)[has_keys]
    cands = has_keys[candidate_pairs(sigs, rule.bands, rule.rows)]
    if not len(cands):
        return
    # Cheapest test first: numbers, then rare words, then the larger 2-gram sets.
    key_sets = _Sets(keys, key_lengths)
    number_sets = _Sets(features.numbers, features.number_lengths)
    bigram_ends = np.cumsum(features.bigram_lengths)
    for a, b in cands.tolist():
        num = _agreement(number_sets[a], number_sets[b], 1.0)
        if num < rule.numbers:
            continue
        rare = _agreement(key_sets[a] - number_sets[a], key_sets[b] - number_sets[b], 0.0)
        if rare < rule.rare:
            continue
        ba = features.bigrams[bigram_ends[a] - features.bigram_lengths[a]:bigram_ends[a]]
        bb = features.bigrams[bigram_ends[b] - features.bigram_lengths[b]:bigram_ends[b]]
        inter = len(np.intersect1d(ba, bb, assume_unique=True))
        contain = inter / min(len(ba), len(bb))
        if contain < rule.containment:
            continue
        i, j = int(features.index[a]), int(features.index[b])
        yield ShortMatch(min(i, j), max(i, j), contain, num, rare)
