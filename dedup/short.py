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
* number agreement >= ``numbers``: of the distinct figures of the
  document with fewer of them, the share found in the other (1.0 when
  neither has a figure, 0.0 when only one has); figures are whole tokens
  (:func:`dedup.occasion.figures`), and a text marked as a correction is
  not held to this;
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

from dataclasses import dataclass
from typing import Iterator, Optional, Sequence

import numpy as np

from .candidates import candidate_pairs
from .errors import ConfigError, check_range
from .occasion import digit_sets, figure_sets, is_correction
from .shingle import batch_token_hashes, sets_from_hashes
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

    def hasher(self, num_perm: int, seed: int) -> MinHasher:
        """MinHash for the key-token signatures: the scan's own (``num_perm`` permutations from ``seed``)
        when it has the ``bands * rows`` the banding takes, else that many (a scan with fewer permutations)."""
        return MinHasher(max(num_perm, self.bands * self.rows), seed)


@dataclass
class ShortFeatures:
    """What the rule compares, for the short documents of a batch or a scan.

    Each ``(values, lengths)`` pair holds sorted distinct uint32 hash sets,
    concatenated, one set per short document.

    Attributes:
        index: document index of each short document.
        bigrams, bigram_lengths: word 2-gram sets.
        tokens, token_lengths: word sets.
        numbers, number_lengths: figure sets (whole figures, see
            :func:`dedup.occasion.figures`).
        digits, digit_lengths: sets of the words that have a digit (left
            out of the rare words).
        corrections: per short document, whether it is marked as a
            correction (its figures may differ from the original's).
    """

    index: np.ndarray
    bigrams: np.ndarray
    bigram_lengths: np.ndarray
    tokens: np.ndarray
    token_lengths: np.ndarray
    numbers: np.ndarray
    number_lengths: np.ndarray
    digits: np.ndarray
    digit_lengths: np.ndarray
    corrections: np.ndarray

    FIELDS = ("index", "bigrams", "bigram_lengths", "tokens", "token_lengths", "numbers", "number_lengths",
              "digits", "digit_lengths", "corrections")

    @classmethod
    def empty(cls) -> "ShortFeatures":
        return cls(*(np.empty(0, np.int64 if f.endswith(("index", "lengths")) else bool if f == "corrections"
                              else np.uint32) for f in cls.FIELDS))

    @classmethod
    def concat(cls, parts: Sequence["ShortFeatures"]) -> "ShortFeatures":
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in cls.FIELDS))

    def __len__(self) -> int:
        return len(self.index)


def short_features(texts: Sequence[str], word_counts: Sequence[int], max_words: int, offset: int = 0, *,
                   token_hashes: Optional[tuple[np.ndarray, np.ndarray]] = None,
                   figures: Optional[tuple[np.ndarray, np.ndarray]] = None,
                   digits: Optional[tuple[np.ndarray, np.ndarray]] = None,
                   corrections: Optional[np.ndarray] = None) -> ShortFeatures:
    """Features of the texts with at most ``max_words`` words (and at least one).

    Args:
        texts: raw texts of a batch.
        word_counts: their word counts (as the scan counted them).
        max_words: the short limit.
        offset: document index of ``texts[0]``.
        token_hashes: the batch's word token hashes and per-text counts
            (:func:`dedup.shingle.batch_token_hashes`), when the caller has
            them already; computed here otherwise.
        figures: the batch's figure-hash sets and their sizes
            (:func:`dedup.occasion.occasion_features`); computed here otherwise.
        digits: the batch's sets of words with a digit, hashed as words,
            and their sizes; computed here otherwise.
        corrections: per text, whether it is marked as a correction; found
            here otherwise.
    """
    index = [k for k, n in enumerate(word_counts) if 0 < n <= max_words]
    if not index:
        return ShortFeatures.empty()
    if token_hashes is None:
        token_hashes = batch_token_hashes(texts)
    all_hashes, all_counts = token_hashes
    # With character shingles the scan counts words by whitespace, so a text of punctuation only
    # has words but no normalized word; short_pairs needs at least one word per document.
    index = [k for k in index if all_counts[k]]
    if not index:
        return ShortFeatures.empty()
    hashes, counts = select_segments(all_hashes, all_counts, index)
    bigrams, bigram_lengths = sets_from_hashes(hashes, counts, 2)
    tokens, token_lengths = sets_from_hashes(hashes, counts, 1)
    if figures is None:
        numbers, number_lengths = figure_sets([texts[k] for k in index])
    else:
        numbers, number_lengths = select_segments(figures[0], figures[1], index)
    # The words with a digit, hashed as words: a subset of each word set.
    if digits is None:
        digits = digit_sets([texts[k] for k in index])
    else:
        digits = select_segments(digits[0], digits[1], index)
    digits, digit_lengths = digits
    if corrections is None:
        marked = np.fromiter((is_correction(texts[k]) for k in index), dtype=bool, count=len(index))
    else:
        marked = np.asarray(corrections, dtype=bool)[index]
    return ShortFeatures(np.asarray(index, np.int64) + offset, bigrams, bigram_lengths,
                         tokens, token_lengths, numbers, number_lengths, digits, digit_lengths, marked)


def select_segments(values: np.ndarray, lengths: np.ndarray, rows: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``rows`` of concatenated segments (``values`` split at the running sum of ``lengths``)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    chosen = np.asarray(rows, dtype=np.int64)
    out_lengths = lengths[chosen]
    total = int(out_lengths.sum())
    if not total:
        return values[:0].copy(), out_lengths
    pos = np.repeat(starts[chosen] - (np.cumsum(out_lengths) - out_lengths), out_lengths)
    pos += np.arange(total, dtype=np.int64)
    return values[pos], out_lengths


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


def intersection_sizes(values: np.ndarray, lengths: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Per pair ``k``, how many values segments ``left[k]`` and ``right[k]`` share, for sorted distinct
    segments (``values`` split at the running sum of ``lengths``), all pairs at once."""
    a, a_lengths = select_segments(values, lengths, left)
    b, b_lengths = select_segments(values, lengths, right)
    if not len(a):
        return np.zeros(len(left), np.int64)
    pairs = np.arange(len(left), dtype=np.uint64)
    b_pair = np.repeat(pairs, b_lengths)
    # Keyed by pair, then value, the left sides are one increasing array to look the right sides up in.
    a_keys = (np.repeat(pairs, a_lengths) << np.uint64(32)) | a.astype(np.uint64)
    b_keys = (b_pair << np.uint64(32)) | b.astype(np.uint64)
    at = np.minimum(np.searchsorted(a_keys, b_keys), len(a_keys) - 1)
    return np.bincount(b_pair[a_keys[at] == b_keys].astype(np.int64), minlength=len(left))


def _agreements(values: np.ndarray, lengths: np.ndarray, left: np.ndarray, right: np.ndarray,
                both_empty: float) -> np.ndarray:
    """:func:`_agreement` of many pairs of segments at once (the same floats)."""
    a, b = lengths[left], lengths[right]
    smaller = np.minimum(a, b)
    shared = intersection_sizes(values, lengths, left, right)
    out = np.where((a == 0) & (b == 0), both_empty, 0.0)
    some = smaller > 0
    out[some] = shared[some] / smaller[some]
    return out


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


class ShortMatcher:
    """The short-text rule over the short documents of a scan.

    Args:
        features: the short documents of a scan (or, with ``common``, any
            of them).
        rule: the rule's settings.
        common: the words that are not rare, when they were counted over all
            the short documents elsewhere (:func:`common_tokens` of another
            engine's counts); counted over ``features`` when None.

    The rare words are counted once, over all the short documents; then
    :meth:`pairs` finds every accepted pair through LSH over the key tokens,
    and :meth:`match` decides any one pair (the clustering stage asks it for
    pairs that LSH never proposed).
    """

    def __init__(self, features: ShortFeatures, rule: ShortRule, common: Optional[np.ndarray] = None) -> None:
        self.features = features
        self.rule = rule
        n = len(features)
        self.row = {int(i): k for k, i in enumerate(features.index.tolist())}
        if n:
            if common is None:
                common = common_tokens(features.tokens, n, rule)
            is_key = ~np.isin(features.tokens, common)
            # Every short document has at least one word, so no segment is empty.
            starts = np.concatenate([[0], np.cumsum(features.token_lengths)[:-1]])
            self.key_lengths = np.add.reduceat(is_key.astype(np.int64), starts)
            self.keys = features.tokens[is_key]
        else:
            self.key_lengths = np.empty(0, np.int64)
            self.keys = np.empty(0, np.uint32)
        self.key_sets = _Sets(self.keys, self.key_lengths)
        self.number_sets = _Sets(features.numbers, features.number_lengths)
        self.digit_sets = _Sets(features.digits, features.digit_lengths)
        self.word_sets: dict[int, frozenset] = {}
        self.words: Optional[tuple[np.ndarray, np.ndarray]] = None
        self.bigram_ends = np.cumsum(features.bigram_lengths)

    def _decide(self, a: int, b: int) -> Optional[ShortMatch]:
        """Rows a and b of the features; cheapest test first."""
        rule, features = self.rule, self.features
        num = _agreement(self.number_sets[a], self.number_sets[b], 1.0)
        # A correction changes figures: it is compared on its words alone.
        if num < rule.numbers and not (features.corrections[a] or features.corrections[b]):
            return None
        rare = _agreement(self._words(a), self._words(b), 0.0)
        if rare < rule.rare:
            return None
        ends, lengths = self.bigram_ends, features.bigram_lengths
        ba = features.bigrams[ends[a] - lengths[a]:ends[a]]
        bb = features.bigrams[ends[b] - lengths[b]:ends[b]]
        inter = len(np.intersect1d(ba, bb, assume_unique=True))
        contain = inter / min(len(ba), len(bb))
        if contain < rule.containment:
            return None
        i, j = int(features.index[a]), int(features.index[b])
        return ShortMatch(min(i, j), max(i, j), contain, num, rare)

    def _decide_all(self, a: np.ndarray, b: np.ndarray) -> list[ShortMatch]:
        """:meth:`_decide` of the pairs ``(a[k], b[k])`` at once: the matches, in the pairs' order."""
        rule, features = self.rule, self.features
        num = _agreements(features.numbers, features.number_lengths, a, b, 1.0)
        ok = ~(num < rule.numbers) | features.corrections[a] | features.corrections[b]
        a, b, num = a[ok], b[ok], num[ok]
        words, word_lengths = self._all_words()
        rare = _agreements(words, word_lengths, a, b, 0.0)
        ok = ~(rare < rule.rare)
        a, b, num, rare = a[ok], b[ok], num[ok], rare[ok]
        lengths = features.bigram_lengths
        contain = intersection_sizes(features.bigrams, lengths, a, b) / np.minimum(lengths[a], lengths[b])
        ok = ~(contain < rule.containment)
        i, j = features.index[a[ok]], features.index[b[ok]]
        return [ShortMatch(*m) for m in zip(np.minimum(i, j).tolist(), np.maximum(i, j).tolist(),
                                            contain[ok].tolist(), num[ok].tolist(), rare[ok].tolist())]

    def _all_words(self) -> tuple[np.ndarray, np.ndarray]:
        """Every row's rare words without a digit (:meth:`_words`), as concatenated sets."""
        if self.words is None:
            features = self.features
            rows = np.arange(len(self.key_lengths), dtype=np.uint64)
            keys = (np.repeat(rows, self.key_lengths) << np.uint64(32)) | self.keys.astype(np.uint64)
            digits = (np.repeat(rows, features.digit_lengths) << np.uint64(32)) | features.digits.astype(np.uint64)
            keep = ~np.isin(keys, digits, assume_unique=True)
            self.words = (self.keys[keep], np.bincount((keys[keep] >> np.uint64(32)).astype(np.int64),
                                                       minlength=len(rows)))
        return self.words

    def _words(self, a: int) -> frozenset:
        """Row a's rare words without a digit (figures have their own test)."""
        got = self.word_sets.get(a)
        if got is None:
            got = self.word_sets[a] = self.key_sets[a] - self.digit_sets[a]
        return got

    def match(self, i: int, j: int) -> Optional[ShortMatch]:
        """The rule's decision on documents i and j (None: not accepted, or not both short)."""
        a, b = self.row.get(i), self.row.get(j)
        if a is None or b is None or a == b:
            return None
        return self._decide(a, b)

    def pairs(self, hasher: MinHasher) -> Iterator[ShortMatch]:
        """Every pair the rule accepts among the LSH candidates, ordered by (left, right).

        Args:
            hasher: MinHash for the key-token signatures.
        """
        has_keys = np.flatnonzero(self.key_lengths)
        if len(has_keys) < 2:
            return
        # Only documents with a key token can match (rare agreement needs rare words).
        sigs = hasher.signatures_flat(self.keys, self.key_lengths)[has_keys]
        cands = has_keys[candidate_pairs(sigs, self.rule.bands, self.rule.rows)]
        yield from self._decide_all(cands[:, 0], cands[:, 1])


def common_tokens(tokens: np.ndarray, docs: int, rule: ShortRule) -> np.ndarray:
    """The word hashes that are not rare: in more than ``rule.cutoff(docs)`` of ``docs`` short documents.

    Args:
        tokens: the concatenated word sets of the short documents (or, for
            counts made elsewhere, each word once per document it is in).
        docs: how many short documents there are in all.
        rule: the rule's settings.

    Returns:
        Sorted distinct uint32 hashes.
    """
    values, df = np.unique(np.asarray(tokens, dtype=np.uint32), return_counts=True)
    return values[df > rule.cutoff(docs)]


def short_pair_list(features: ShortFeatures, rule: ShortRule, num_perm: int, seed: int) -> list[ShortMatch]:
    """:func:`short_pairs` as a list, with the scan's MinHash (``num_perm`` permutations from ``seed``,
    :meth:`ShortRule.hasher`): a task for a worker process."""
    return list(short_pairs(features, rule, rule.hasher(num_perm, seed)))


def short_pairs(features: ShortFeatures, rule: ShortRule, hasher: MinHasher) -> Iterator[ShortMatch]:
    """Pairs of short documents that the short-text rule accepts.

    Args:
        features: the short documents of a scan.
        rule: the rule's settings.
        hasher: MinHash for the key-token signatures.

    Yields:
        ShortMatch, ordered by (left, right).
    """
    if len(features) < 2:
        return
    yield from ShortMatcher(features, rule).pairs(hasher)
