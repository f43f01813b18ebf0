"""Clustering: union-find over verified pairs, then the copy to keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, AbstractSet, Any, Callable, Iterable, Mapping, Optional, Sequence

from .config import KEEP_POLICIES, KeepPolicy
from .errors import ConfigError
from .occasion import another_day
from .verify import Pair, similarity

if TYPE_CHECKING:
    from .judge import PairJudge


@dataclass(frozen=True)
class Member:
    """A cluster member and its similarity to the kept copy.

    ``containment`` is the share of this member's shingles found in the kept
    copy (1.0: dropping it loses no text the kept copy lacks).
    """

    id: str
    jaccard: float
    containment: float
    keep: bool


@dataclass(frozen=True)
class Cluster:
    """A group of near-duplicates; ``members[0]`` is the copy to keep."""

    index: int
    keep: str
    members: tuple[Member, ...]

    @property
    def size(self) -> int:
        return len(self.members)


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
                dates: Sequence[Optional[datetime]], corrections: Optional[Any] = None,
                updated: Optional[Sequence[Optional[datetime]]] = None) -> int:
    """The member to keep. Ties go to the member read first.

    Args:
        members: document indices, in input order.
        policy: ``first``, ``longest`` (most words), ``shortest`` or
            ``newest`` (latest date; documents without one lose) or ``oldest``
            (earliest date, the first publication; documents without one lose).
        lengths: word count per document index.
        dates: date per document index.
        corrections: whether each document says it corrects an earlier
            version (:func:`dedup.occasion.is_correction`), by index: a
            correction is kept before a copy that does not say so (it
            supersedes it), and the policy chooses among the corrections.
        updated: a later modification per document index (a web page's
            ``article:modified_time``), or None: ``newest`` reads it before
            the date, so an updated page counts from its update.
    """
    if corrections is not None:
        marked = [i for i in members if corrections[i]]
        if marked:
            members = marked
    if policy == "first":
        return members[0]
    if policy == "longest":
        return min(members, key=lambda i: (-lengths[i], i))
    if policy == "shortest":
        return min(members, key=lambda i: (lengths[i], i))
    if policy == "newest":
        latest = [(updated[i] if updated is not None else None) or dates[i] for i in members]
        return min(zip(members, latest), key=lambda m: (m[1] is None, -(m[1].timestamp() if m[1] else 0.0), m[0]))[0]
    if policy == "oldest":
        return min(members, key=lambda i: (dates[i] is None, dates[i].timestamp() if dates[i] else 0.0, i))
    raise ConfigError(f"The 'keep' parameter must be one of {', '.join(KEEP_POLICIES)}. Got {policy!r} instead.")


#: Shingle Jaccard from which two documents are copies of one text (for :func:`trusted_groups`).
COPY_JACCARD = 0.9


def trusted_groups(component: Sequence[int], adjacent: Mapping[int, AbstractSet[int]],
                   choose: Callable[[Sequence[int]], int], compatible: Callable[[int, int], bool],
                   same_text: Optional[Callable[[int, int, int], bool]] = None) -> list[list[int]]:
    """Split a connected component so that nothing in a cluster contradicts its kept copy.

    Union-find joins whatever a chain of pairs joins: a Monday report ~ a
    copy of it ~ a Tuesday report from the same template puts Monday and
    Tuesday together. Here the copy to keep is chosen first; the cluster is
    what the verified pairs reach from it through members that are
    *compatible* with it (nothing says they report another occasion or
    subject); the rest is split again by the pairs among themselves, and so
    on. Two revisions of one story that both verify against the original
    stay together even when they differ more from each other than the rule
    accepts; a report from another day never joins through a copy.

    Args:
        component: document indices, sorted.
        adjacent: each document's verified partners.
        choose: the copy to keep among some documents.
        compatible: whether a document may share a cluster with a kept copy
            (kept copy first).
        same_text: ``same_text(keep, member, j)``: whether ``j`` is a copy of
            a member that joined as compatible with the kept copy, dated
            within the date window of the kept copy: it joins as that member
            did (it was left in no cluster when its first line, say, told it
            from the kept copy). A copy never brings in copies of its own.

    Returns:
        Clusters of size >= 2, each a list with the kept copy first and the
        others in input order; clusters ordered by their first document.
    """
    out: list[list[int]] = []
    todo = [list(component)]
    while todo:
        part = todo.pop()
        if len(part) < 2:
            continue
        keep = choose(part)
        inside = set(part)
        reached = {keep}
        copies: set[int] = set()  # joined as copies of a member, not as compatible with the kept copy
        frontier = [keep]
        while frontier:
            node = frontier.pop()
            for j in sorted(adjacent.get(node, ())):
                if j not in inside or j in reached:
                    continue
                if j in adjacent.get(keep, ()) or compatible(keep, j):
                    reached.add(j)
                    frontier.append(j)
                elif same_text is not None and node not in copies and same_text(keep, node, j):
                    reached.add(j)
                    copies.add(j)
                    frontier.append(j)
        if len(reached) > 1:
            out.append([keep] + [i for i in part if i in reached and i != keep])
        rest = [i for i in part if i not in reached]
        if len(rest) < 2:
            continue
        # The rest falls apart into the components of the pairs among themselves.
        left = set(rest)
        uf = UnionFind(len(rest))
        where = {i: x for x, i in enumerate(rest)}
        for x, i in enumerate(rest):
            for j in adjacent.get(i, ()):
                if j in left:
                    uf.union(x, where[j])
        comps: dict[int, list[int]] = {}
        for x, i in enumerate(rest):
            comps.setdefault(uf.find(x), []).append(i)
        todo.extend(c for c in comps.values() if len(c) > 1)
    return sorted(out, key=lambda c: min(c))


def adjacency(pairs: Iterable[Pair]) -> dict[int, set[int]]:
    """Each document's verified partners."""
    adjacent: dict[int, set[int]] = {}
    for p in pairs:
        adjacent.setdefault(p.left, set()).add(p.right)
        adjacent.setdefault(p.right, set()).add(p.left)
    return adjacent


def trusted_clusters(components: Iterable[Sequence[int]], adjacent: Mapping[int, AbstractSet[int]],
                     judge: PairJudge) -> list[list[int]]:
    """Clusters of connected components (:func:`dedup.cluster.trusted_groups`), kept copy first, ordered by
    their first document.

    Args:
        components: connected components of the verified pairs, each sorted.
        adjacent: each document's verified partners (:func:`adjacency`);
            only those of the components' documents are read.
        judge: the rule over the components' documents (word counts and
            dates for the keep choice, the occasion check for compatibility).
    """
    infos, policy = judge.infos, judge.config.keep
    lengths = _Field(infos, "words")
    dates = _Field(infos, "date")
    updated = _Field(infos, "updated")

    def choose(members: Sequence[int]) -> int:
        return choose_keep(sorted(members), policy, lengths, dates, judge.corrections,  # type: ignore[arg-type]
                           updated)  # type: ignore[arg-type]

    window = judge.occasion.window_days if judge.occasion is not None else 0.0

    def same_text(keep: int, node: int, j: int) -> bool:
        a, b = infos[keep], infos[j]
        if window and None not in (a.date, b.date) and not (a.date_is_mtime or b.date_is_mtime) and another_day(
                a.date, b.date, window):  # type: ignore[arg-type]
            return False  # a report of another day stays out, copy or not
        return similarity(judge.get_set(node), judge.get_set(j))[0] >= COPY_JACCARD

    found: list[list[int]] = []
    for comp in components:
        found.extend(trusted_groups(comp, adjacent, choose, judge.compatible, same_text))
    found.sort(key=lambda c: min(c))
    return found


class _Field:
    """``infos[i].name`` by index, for a sequence or a mapping of DocInfo."""

    def __init__(self, infos: object, name: str) -> None:
        self.infos, self.name = infos, name

    def __getitem__(self, i: int) -> object:
        return getattr(self.infos[i], self.name)  # type: ignore[index]


def make_cluster(number: int, group: Sequence[int], judge: PairJudge) -> Cluster:
    """Cluster ``number`` of a group (kept copy first): each member's similarity to the kept copy,
    members ordered by it (then by id)."""
    infos, get_set = judge.infos, judge.get_set
    keep = group[0]
    members = [Member(infos[keep].id, 1.0, 1.0, True)]
    kept_set = get_set(keep)
    others = []
    for i in group[1:]:
        jac, inside, _ = similarity(get_set(i), kept_set)
        others.append(Member(infos[i].id, jac, inside, False))
    others.sort(key=lambda m: (-m.jaccard, -m.containment, m.id))
    return Cluster(number, infos[keep].id, tuple(members + others))
