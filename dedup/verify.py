"""Verification: exact Jaccard and containment of candidate pairs on their
shingle-hash sets. LSH only proposes; this stage decides."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, NamedTuple, Optional

import numpy as np

from .errors import DedupError, check_range

if TYPE_CHECKING:
    from .config import ScanConfig
    from .features import HashedBatch
    from .occasion import WordWeights


@dataclass(frozen=True)
class Pair:
    """A verified pair of documents (indices into the scan's documents).

    Attributes:
        left, right: document indices, ``left < right``.
        jaccard: |L ∩ R| / |L ∪ R|.
        left_in_right: containment of left in right, |L ∩ R| / |L|.
        right_in_left: containment of right in left, |L ∩ R| / |R|.
        rule: which rule accepted the pair: ``"shingles"`` (Jaccard or
            containment of the shingle sets) or ``"short"`` (the short-text
            rule of :mod:`dedup.short`). The similarities are those of the
            shingle sets either way.
        days, figures, subject, correction: the values of the occasion
            check it passed (:mod:`dedup.occasion`): days between the two
            dates, figure agreement (None when either date or figure is
            missing), weighted share of the shorter text's words missing
            from the other (None when the collection is too small to weigh
            words), and whether either text is marked as a correction. All
            None when the check is off.
    """

    left: int
    right: int
    jaccard: float
    left_in_right: float
    right_in_left: float
    rule: str = "shingles"
    days: Optional[float] = None
    figures: Optional[float] = None
    subject: Optional[float] = None
    correction: Optional[bool] = None

    @property
    def containment(self) -> float:
        """The larger of the two containments."""
        return max(self.left_in_right, self.right_in_left)


def found_in(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per value of ``a``, whether ``b`` has it (both sorted, distinct); what
    ``np.isin(a, b, assume_unique=True)`` gives, at a fraction of its cost on small sets."""
    if not len(b):
        return np.zeros(len(a), dtype=bool)
    pos = np.searchsorted(b, a)
    pos[pos == len(b)] = 0
    return b[pos] == a


def intersection_size(a: np.ndarray, b: np.ndarray) -> int:
    """Size of the intersection of two sorted arrays of distinct values."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return 0
    return int(np.count_nonzero(found_in(a, b)))


def similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Jaccard, containment of a in b, containment of b in a.

    Args:
        a, b: sorted numpy arrays of distinct shingle hashes (as
            :func:`dedup.shingle_set` gives them; not checked, for speed), or
            any other collections of hashes (lists, sets), which are sorted
            and made distinct here.

    Example:
        >>> import numpy as np
        >>> similarity(np.array([1, 2, 3, 4]), np.array([3, 4, 5]))
        (0.4, 0.5, 0.6666666666666666)
        >>> similarity([4, 3, 2, 1, 1], {5, 4, 3})
        (0.4, 0.5, 0.6666666666666666)
    """
    if not isinstance(a, np.ndarray):
        a = np.unique(np.fromiter(a, dtype=np.int64))
    if not isinstance(b, np.ndarray):
        b = np.unique(np.fromiter(b, dtype=np.int64))
    inter = intersection_size(a, b)
    union = len(a) + len(b) - inter
    if union == 0:
        return 1.0, 1.0, 1.0
    return (inter / union, inter / len(a) if len(a) else 0.0, inter / len(b) if len(b) else 0.0)


@dataclass(frozen=True)
class Rule:
    """When a pair counts as a near-duplicate.

    Args:
        threshold: minimum Jaccard similarity.
        containment: minimum containment of one document in the other (the
            larger of the two), in (0, 1]; 1.0 accepts a pair whose smaller
            set lies whole in the larger (there is no value that turns the
            test off).
    """

    threshold: float = 0.5
    containment: float = 0.55

    def __post_init__(self) -> None:
        check_range("threshold", self.threshold, 0.0, 1.0, low_open=True)
        check_range("containment", self.containment, 0.0, 1.0, low_open=True)

    def accepts(self, jaccard: float, left_in_right: float, right_in_left: float) -> bool:
        return jaccard >= self.threshold or max(left_in_right, right_in_left) >= self.containment


def verify(candidates: np.ndarray, get_set: Callable[[int], np.ndarray], rule: Rule) -> Iterator[Pair]:
    """Keep the candidate pairs that the rule accepts, with their similarities.

    Args:
        candidates: (m, 2) array of document index pairs, ``i < j``.
        get_set: returns a document's sorted shingle-hash set by index.
        rule: the acceptance rule.

    Yields:
        Pair, in the order of ``candidates``.
    """
    for i, j in candidates.tolist():
        jac, lr, rl = similarity(get_set(i), get_set(j))
        if rule.accepts(jac, lr, rl):
            yield Pair(i, j, jac, lr, rl)


# ---------------------------------------------------------------- boilerplate

#: Buckets of the shingle document-frequency count (16 MiB of uint32).
DF_BUCKETS = 1 << 22
#: Seconds a process waits for shared counts that another one holds (:class:`ShingleCounts`).
LOCK_WAIT = 60.0
_DF_MASK = np.uint32(DF_BUCKETS - 1)


class ShingleCounts:
    """Document frequency of shingle hashes, counted while a scan hashes.

    Each shingle hash is counted in one of :data:`DF_BUCKETS` buckets (its low
    bits), so memory is constant whatever the collection size. A bucket's
    count is the sum of the document frequencies of the shingles that share
    it: an upper bound of each one's frequency. Collisions cannot matter in
    practice because the cutoff grows with the collection (a share of the
    documents) as fast as the expected collision load (distinct shingles
    over buckets) does.

    Example:
        >>> counts = ShingleCounts()
        >>> counts.add(np.array([1, 2, 3, 1, 2, 1], dtype=np.uint32), docs=3)
        >>> counts.docs
        3
    """

    def __init__(self, buckets: int = DF_BUCKETS, *, shared: bool = False) -> None:
        if buckets & (buckets - 1):
            raise ValueError("buckets must be a power of two")
        self._lock: Optional[Any] = None
        if shared:
            # Counted into by forked worker processes too (:meth:`count_now`): an anonymous shared
            # mapping (its pages are allocated as they are first counted into) and a lock around
            # each update.
            import mmap
            import multiprocessing

            self._map = mmap.mmap(-1, 4 * buckets)
            self.counts = np.frombuffer(self._map, dtype=np.uint32)
            self._lock = multiprocessing.get_context("fork").Lock()
        else:
            self.counts = np.zeros(buckets, dtype=np.uint32)
        self.mask = np.uint32(buckets - 1)
        self.docs = 0

    def add(self, values: np.ndarray, docs: int) -> None:
        """Count the concatenated shingle sets of ``docs`` documents (each set distinct)."""
        self.docs += docs
        self.count_now(values)

    def count_now(self, values: np.ndarray, sign: int = 1) -> None:
        """Count (``sign`` -1: take back) concatenated shingle sets, leaving :attr:`docs` to the
        process that owns the counts (:meth:`counted`). With ``shared``, any forked process can."""
        # Unbuffered adds at intp indices: 3.5x faster than a bincount over all the buckets.
        buckets = (np.asarray(values, dtype=np.uint32) & self.mask).astype(np.intp)
        ones = np.ones(len(buckets), dtype=np.uint32)
        with self._held():
            (np.add if sign > 0 else np.subtract).at(self.counts, buckets, ones)

    @contextmanager
    def _held(self) -> Iterator[None]:
        """The shared counts to this process alone while it adds to them. Each add holds the lock a
        few milliseconds: one held far longer belongs to a process that died holding it."""
        if self._lock is None:
            yield
            return
        if not self._lock.acquire(timeout=LOCK_WAIT):
            raise DedupError("a worker process stopped while it counted (killed, or out of memory?); "
                             "scan again, with --jobs 1 if it happens again")
        try:
            yield
        finally:
            self._lock.release()

    def counted(self, docs: int) -> None:
        """Note ``docs`` documents whose sets were counted with :meth:`count_now` (-docs: taken back)."""
        self.docs += docs

    def frequency(self, shingles: np.ndarray) -> np.ndarray:
        """Document frequency (bucket count) of each shingle hash."""
        return self.counts[np.asarray(shingles, dtype=np.uint32) & self.mask]

    def weights(self, docs: Optional[int] = None) -> "WordWeights":
        """Inverse document frequency weights of the counted hashes (words, for the occasion check);
        ``docs``: the documents counted, when another process noted them (:meth:`counted`)."""
        from .occasion import WordWeights

        return WordWeights.from_counts(self.counts, int(self.mask), self.docs if docs is None else docs)

    def boilerplate(self, share: float, min_docs: int, docs: Optional[int] = None) -> "Boilerplate":
        """The shingles found in more than ``share`` of the documents and in
        at least ``min_docs`` of them (``docs``: as in :meth:`weights`)."""
        cutoff = max(int(min_docs), int(np.floor(share * (self.docs if docs is None else docs))) + 1)
        return Boilerplate(self.counts >= cutoff, self.mask, cutoff)


class Counts(NamedTuple):
    """The document frequencies a scan counts as it hashes: of shingles (for the boilerplate filter;
    None when it is off) and of words (for the occasion check's weights)."""

    shingles: Optional[ShingleCounts]
    words: ShingleCounts

    @classmethod
    def make(cls, config: "ScanConfig", shared: bool = False) -> "Counts":
        """Empty counts; ``shared``: in memory that forked worker processes count into too."""
        return cls(ShingleCounts(shared=shared) if config.boilerplate_share < 1.0 else None,
                   ShingleCounts(shared=shared))

    def add(self, hb: "HashedBatch", docs: int) -> None:
        """Count a hashed batch of ``docs`` documents here."""
        self.count(hb, 1)
        self.counted(docs)

    def count(self, hb: "HashedBatch", sign: int) -> None:
        """Count a hashed batch at once (-1: take it back), from any process; its documents are
        noted by the scan's process (:meth:`counted`)."""
        if self.shingles is not None:
            self.shingles.count_now(hb.values, sign)
        self.words.count_now(hb.word_values, sign)

    def counted(self, docs: int) -> None:
        """Note ``docs`` documents counted with :meth:`count` (negative: taken back)."""
        for counts in self:
            if counts is not None:
                counts.counted(docs)


#: The share of a document's shingles that must be its own (not boilerplate) for the rest to be left out.
OWN_SHARE = 0.2


@dataclass(frozen=True)
class Boilerplate:
    """Shingles common enough in a collection to be its boilerplate.

    Site headers, bylines, newsletter prompts, related-links lists and
    footers repeat in every article of a site; in short articles they can
    outweigh the story. Such shingles carry no weight in verification: each
    document is compared on its own shingles, the ones that are not common.
    A document made only of common shingles is compared on all of them, so
    that many exact copies of one story in a small folder still group.

    Attributes:
        flags: per bucket, True when the bucket's document frequency reaches
            the cutoff.
        mask: bucket of a hash: ``hash & mask``.
        cutoff: the document frequency from which a shingle is boilerplate.
    """

    flags: np.ndarray
    mask: np.uint32
    cutoff: int

    @property
    def size(self) -> int:
        """Number of buckets marked as boilerplate."""
        return int(np.count_nonzero(self.flags))

    def own(self, shingles: np.ndarray) -> np.ndarray:
        """A sorted shingle set without its boilerplate; all of it when less than :data:`OWN_SHARE` of it is
        left: a text that is mostly what the collection shares is a copy of what it shares (five versions of
        one story in a folder of eight, each with its own byline), not a template with a story in it."""
        if not len(shingles):
            return shingles
        keep = ~self.flags[shingles & self.mask]
        own = int(np.count_nonzero(keep))
        if own == len(shingles) or own < OWN_SHARE * len(shingles):
            return shingles
        return shingles[keep]

    def mostly(self, get_set: Callable[[int], np.ndarray], docs: Iterable[int], share: float = 0.5) -> int:
        """How many of ``docs`` (their raw sets from ``get_set``) are at least ``share`` boilerplate."""
        heavy = 0
        for i in docs:
            s = get_set(i)
            heavy += int(len(s) > 0 and np.count_nonzero(self.flags[s & self.mask]) >= share * len(s))
        return heavy

    def view(self, get_set: Callable[[int], np.ndarray]) -> Callable[[int], np.ndarray]:
        """Wrap a ``get_set`` so that it returns documents' own shingles."""
        if not self.flags.any():
            return get_set
        return lambda i: self.own(get_set(i))
