"""Verification: exact Jaccard and containment of candidate pairs on their
shingle-hash sets. LSH only proposes; this stage decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .errors import check_range


@dataclass(frozen=True)
class Pair:
    """A verified pair of documents (indices into the scan's documents).

    Attributes:
        left, right: document indices, ``left < right``.
        jaccard: |L ∩ R| / |L ∪ R|.
        left_in_right: containment of left in right, |L ∩ R| / |L|.
        right_in_left: containment of right in left, |L ∩ R| / |R|.
    """

    left: int
    right: int
    jaccard: float
    left_in_right: float
    right_in_left: float

    @property
    def containment(self) -> float:
        """The larger of the two containments."""
        return max(self.left_in_right, self.right_in_left)


def intersection_size(a: np.ndarray, b: np.ndarray) -> int:
    """Size of the intersection of two sorted arrays of distinct values."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return 0
    pos = np.searchsorted(b, a)
    pos[pos == len(b)] = 0
    return int(np.count_nonzero(b[pos] == a))


def similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    """Jaccard, containment of a in b, containment of b in a.

    Args:
        a, b: sorted arrays of distinct shingle hashes.

    Example:
        >>> import numpy as np
        >>> similarity(np.array([1, 2, 3, 4]), np.array([3, 4, 5]))
        (0.4, 0.5, 0.6666666666666666)
    """
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
            larger of the two); 1.0 or above disables the containment test.
    """

    threshold: float = 0.5
    containment: float = 0.6

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
