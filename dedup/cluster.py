"""Clustering: union-find over verified pairs, then the copy to keep."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Literal, Optional, Sequence

from .errors import ConfigError
from .verify import Pair

KeepPolicy = Literal["first", "longest", "newest", "shortest"]
KEEP_POLICIES = ("first", "longest", "newest", "shortest")


class UnionFind:
    """Disjoint sets over 0..n-1 with path halving and union by size."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]


def groups(n: int, pairs: Iterable[Pair]) -> list[list[int]]:
    """Connected components of size >= 2, each sorted, ordered by first member."""
    uf = UnionFind(n)
    touched = set()
    for p in pairs:
        uf.union(p.left, p.right)
        touched.add(p.left)
        touched.add(p.right)
    comps: dict[int, list[int]] = {}
    for i in sorted(touched):
        comps.setdefault(uf.find(i), []).append(i)
    return sorted((c for c in comps.values() if len(c) > 1), key=lambda c: c[0])


def choose_keep(members: Sequence[int], policy: KeepPolicy, lengths: Sequence[int],
                dates: Sequence[Optional[datetime]]) -> int:
    """The member to keep. Ties go to the member read first.

    Args:
        members: document indices, in input order.
        policy: ``first``, ``longest`` (most words), ``shortest`` or
            ``newest`` (latest date; documents without one lose).
        lengths: word count per document index.
        dates: date per document index.
    """
    if policy == "first":
        return members[0]
    if policy == "longest":
        return min(members, key=lambda i: (-lengths[i], i))
    if policy == "shortest":
        return min(members, key=lambda i: (lengths[i], i))
    if policy == "newest":
        return min(members, key=lambda i: (dates[i] is None, -(dates[i].timestamp() if dates[i] else 0.0), i))
    raise ConfigError(f"The 'keep' parameter must be one of {', '.join(KEEP_POLICIES)}. Got {policy!r} instead.")
