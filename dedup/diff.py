"""Version diff: what one version of an article added, removed, changed and
moved relative to another, with the changes ranked by TF-IDF salience.

The stage works on sentences (paragraph boundaries kept) compared by their
normalized words (:func:`dedup.normalize.normalize`), so that an edit of
whitespace, punctuation or letter case is *trivial*, not a change. Sentences
are aligned with ``difflib.SequenceMatcher(autojunk=False)``; a sentence that
appears unchanged elsewhere is *moved*; a deleted and an inserted sentence
whose words mostly agree (longest common subsequence) are one *changed*
sentence with word-level insertions and deletions inside. Every change is
scored by TF-IDF weight (:mod:`dedup.salience`: scikit-learn's
``TfidfVectorizer`` weights), fitted once per call, so that the most
significant changes come first.
"""

from __future__ import annotations

import heapq
import os
import re
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Iterable, Iterator, Optional, Sequence, Union

from .errors import ConfigError, check_range
from .io import Document
from .normalize import normalize
from .occasion import figures
from .older import CORRECTION_MARKER, Older, Similarity, tell_older  # noqa: F401 (lived here)
from .salience import (FUNCTION_WORDS, NAME_WEIGHT, TOKEN_PATTERN, TermScore, TermWeights,  # noqa: F401 (lived here)
                       name_terms)
from .shingle import ShingleConfig, shingle_set
from .verify import similarity as set_similarity

Text = Union[str, Document]

# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Sentence:
    """One sentence of a version.

    Attributes:
        text: the sentence as written (runs of whitespace made one space).
        key: its normalized words, then its figures as written (``#-2.1``),
            what comparisons use.
        paragraph: number of the paragraph it belongs to (0-based).
        index: position among the version's sentences.
        raw: the sentence exactly as in the input (for whitespace-only edits).
        first_in_paragraph: True for a paragraph's first sentence.
    """

    text: str
    key: str
    paragraph: int
    index: int
    raw: str = field(default="", repr=False, compare=False)

    first_in_paragraph: bool = field(default=False, repr=False, compare=False)

    @property
    def starts_paragraph(self) -> bool:
        return self.index == 0 or self.first_in_paragraph


@dataclass(frozen=True)
class Edit:
    """One run of a changed sentence's words.

    Attributes:
        op: ``"equal"``, ``"insert"``, ``"delete"`` or ``"replace"``.
        before: the words of the older version ("" for an insertion).
        after: the words of the newer version ("" for a deletion).
    """

    op: str
    before: str
    after: str


@dataclass(frozen=True)
class ScoredSentence:
    """An added or removed sentence and its salience (higher: more significant)."""

    text: str
    score: float
    index: int


@dataclass(frozen=True)
class ChangedSentence:
    """A sentence edited between the versions.

    Attributes:
        before, after: the sentence in A and in B.
        score: TF-IDF weight of the words inserted and deleted.
        edits: the sentence as word runs, equal runs included, in order.
        before_index, after_index: sentence positions in A and B.
        similarity: 2 * LCS / (words in A + words in B) of the two sentences.
        moved: True when the sentence also changed place.
    """

    before: str
    after: str
    score: float
    edits: tuple[Edit, ...]
    before_index: int
    after_index: int
    similarity: float
    moved: bool = False

    @property
    def changes(self) -> tuple[Edit, ...]:
        """The edits other than equal runs."""
        return tuple(e for e in self.edits if e.op != "equal")


@dataclass(frozen=True)
class MovedSentence:
    """A sentence found, with the same words, at another place."""

    text: str
    before_index: int
    after_index: int


@dataclass(frozen=True)
class TrivialEdit:
    """An edit that does not change the words.

    ``kind`` is ``"whitespace"``, ``"case"`` (letter case only),
    ``"punctuation"`` (punctuation, and case with it), ``"resegmented"`` (sentences split or joined, same words) or
    ``"paragraph"`` (a paragraph break added or removed before a sentence).
    """

    kind: str
    before: str
    after: str


@dataclass(frozen=True)
class Row:
    """One line of the aligned view, in reading order.

    Attributes:
        op: ``equal``, ``trivial``, ``added``, ``removed``, ``changed``,
            ``moved_in`` (the sentence's new place, in B) or ``moved_out``
            (its old place, in A; also the old place of a changed sentence
            that moved).
        before: indices of the A sentences shown (several when resegmented).
        after: indices of the B sentences shown.
        edits: word runs of a changed sentence.
        partner: for moved rows, the sentence index on the other side.
    """

    op: str
    before: tuple[int, ...] = ()
    after: tuple[int, ...] = ()
    edits: tuple[Edit, ...] = ()
    partner: Optional[int] = None


@dataclass(frozen=True)
class VersionDiff:
    """What version B changed relative to version A.

    Lists are ordered by score, most significant first; ``rows`` keeps
    reading order for side-by-side and inline views.
    """

    a_label: str
    b_label: str
    similarity: Similarity
    added: tuple[ScoredSentence, ...]
    removed: tuple[ScoredSentence, ...]
    changed: tuple[ChangedSentence, ...]
    moved: tuple[MovedSentence, ...]
    trivial: tuple[TrivialEdit, ...]
    added_terms: tuple[TermScore, ...]
    removed_terms: tuple[TermScore, ...]
    older: Older
    sentences_a: tuple[Sentence, ...]
    sentences_b: tuple[Sentence, ...]
    rows: tuple[Row, ...]
    idf_source: str
    cutoff: float
    idf_kind: str = "versions"
    idf_documents: int = 0
    figures_added: tuple[str, ...] = ()
    figures_removed: tuple[str, ...] = ()
    names_added: tuple[str, ...] = ()
    names_removed: tuple[str, ...] = ()
    #: how many added and removed terms were asked for (0: none listed)
    top_terms: int = 10
    #: what each version says of itself, where it is a Document: its title and dates ("" for plain text)
    a_about: str = ""
    b_about: str = ""

    @property
    def is_empty(self) -> bool:
        """True when no sentence was added, removed, changed or moved."""
        return not (self.added or self.removed or self.changed or self.moved)

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed),
                "moved": len(self.moved), "trivial": len(self.trivial)}


# ---------------------------------------------------------------- sentences

# A paragraph ends at a blank line, or at a line break followed by an indent
# (newswire bodies mark paragraphs by indenting and wrap lines at 70 columns).
# A sentence ends before a capital letter or digit, or before a bracket that
# opens a new line: "...community.\n(corrects spelling of town)".
# A figure with its sign and currency, and its separators as written: "-2.1" and "+2.1", "$5" and "£5",
# "1.042" and "1,042" are different figures, though their words (normalize: "2 1", "5", "1 042") are not.
_FIGURE = re.compile(r"(?<![\w.,])([-+−]?)([$£€¥]?)(\d(?:[\d.,]*\d)?)")


def _figures(text: str) -> str:
    """The figures of a text as extra words of its key (``#-2.1``): a sentence whose figure changed sign,
    currency or separator is changed, not trivially edited."""
    return "".join(f" #{m.group(1).replace('−', '-')}{m.group(2)}{m.group(3)}" for m in _FIGURE.finditer(text))


_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*|\n(?=[ \t])")
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*\s+")
_OPENERS = "\"'“‘«([—-"
_ABBREVIATIONS = frozenset("""
mr mrs ms dr prof st jr sr inc corp co ltd llc plc bros dept gov sen rep gen lt col sgt capt maj adm cmdr
no nos vs etc est approx fig jan feb mar apr jun jul aug sep sept oct nov dec mt ft ave blvd rd univ
calif ariz colo conn fla ill ind kan mass mich minn miss nev okla ore penn tenn tex va wash wis wyo
mo ala ark ky md mont neb nebr vt ont que alta sask nfld
""".split())


def _is_abbreviation(before: str) -> bool:
    token = before.rsplit(None, 1)[-1] if before.strip() else ""
    token = token.lstrip(_OPENERS).rstrip(".")
    if not token:
        return False
    if token.lower() in _ABBREVIATIONS:
        return True
    # Initials and dotted abbreviations: "J.", "U.S.", "a.m."
    return bool(re.fullmatch(r"(?:[^\W\d_]\.)*[^\W\d_]", token)) and len(token.replace(".", "")) <= 3 \
        and ("." in token or len(token) == 1)


def _split_paragraph(paragraph: str) -> list[str]:
    pieces = []
    start = 0
    for m in _END.finditer(paragraph):
        after = paragraph[m.end():]
        rest = after.lstrip(_OPENERS + " ")
        new_line = "\n" in m.group() and after[:1] in "([" and after[:1] != ""
        note = after[:2] in ("- ", "--", "— ")  # an editor's note after the story: "- corrects the date"
        if not rest or not (rest[0].isupper() or rest[0].isdigit() or new_line or note):
            continue
        if paragraph[m.start()] == "." and m.group().startswith(".") and not m.group().startswith("..") \
                and not note and _is_abbreviation(paragraph[start:m.start() + 1]):
            continue
        pieces.append(paragraph[start:m.end()])
        start = m.end()
    pieces.append(paragraph[start:])
    return [p for p in pieces if p.strip()]


#: A "sentence" of more words (a text with no sentence ends, a table flattened into one line) is cut into
#: pieces of LONG_PIECE_WORDS words or so, at points its own words choose: after a word whose hash ends in
#: five zero bits, once a piece has a quarter of that many words, else at twice that many. Two versions
#: then cut alike except near an edit, and no comparison works on words by the ten thousand.
LONG_SENTENCE_WORDS = 400
LONG_PIECE_WORDS = 100


def _cut_long(piece: str) -> list[str]:
    words = piece.split()
    if len(words) <= LONG_SENTENCE_WORDS:
        return [piece]
    out, start = [], 0
    for k, word in enumerate(words):
        size = k + 1 - start
        if (size >= LONG_PIECE_WORDS // 4 and not zlib.crc32((normalize(word) or word).encode()) & 31) \
                or size >= 2 * LONG_PIECE_WORDS:
            out.append(" ".join(words[start : k + 1]))
            start = k + 1
    if start < len(words):
        out.append(" ".join(words[start:]))
    return out


def split_sentences(text: str, lines: bool = False) -> list[Sentence]:
    """Split an article into sentences, keeping paragraph numbers.

    Paragraphs end at blank lines (or a line break before an indent); lines
    inside a paragraph are joined (text wrapped at a width), unless
    ``lines``: then every line is a paragraph (the text of a web page, one
    block a line, where a headline or a list item ends without a full stop). Sentences end at ``. ! ? …`` (closing
    quotes and brackets included) before a capital letter or digit, except
    after common abbreviations and initials. A piece with no words (a lone
    "…") is joined to the sentence before it.

    Args:
        text: the article.

    Returns:
        The sentences, in order.

    Example:
        >>> [s.text for s in split_sentences("Mr. Smith left. He said “No.”\\n\\nThe end.")]
        ['Mr. Smith left.', 'He said “No.”', 'The end.']
    """
    out: list[Sentence] = []
    raw_pieces: list[tuple[str, int, bool]] = []
    paragraphs = [p for p in (text.replace("\r\n", "\n").split("\n") if lines else
                              _PARAGRAPH.split(text.replace("\r\n", "\n"))) if p.strip()]
    for number, para in enumerate(paragraphs):
        for k, piece in enumerate(p for sentence in _split_paragraph(para.strip()) for p in _cut_long(sentence)):
            raw_pieces.append((piece.strip(), number, k == 0))
    merged: list[list] = []
    for raw, number, first in raw_pieces:
        if not normalize(raw):
            if merged:
                merged[-1][0] += " " + raw
                continue
            merged.append([raw, number, first])
            continue
        if merged and not normalize(merged[-1][0]):
            merged[-1] = [merged[-1][0] + " " + raw, merged[-1][1], merged[-1][2]]
            continue
        merged.append([raw, number, first])
    for raw, number, first in merged:
        key = normalize(raw)
        if not key:
            continue
        out.append(Sentence(" ".join(raw.split()), key + _figures(raw), number, len(out), raw, first))
    return out


# ---------------------------------------------------------------- word similarity

def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (bit-parallel, Hyyrö 2004)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return 0
    masks: dict[str, int] = defaultdict(int)
    for i, w in enumerate(a):
        masks[w] |= 1 << i
    full = (1 << len(a)) - 1
    s = full
    for w in b:
        u = s & masks.get(w, 0)
        s = ((s + u) | (s - u)) & full
    return len(a) - bin(s).count("1")


def word_similarity(a: str, b: str) -> float:
    """Symmetric word-level similarity of two normalized sentences:
    ``2 * LCS / (len(a) + len(b))`` over their words (1.0 when both are empty).

    Example:
        >>> word_similarity("5 people died", "7 people died")
        0.6666666666666666
    """
    wa, wb = a.split(), b.split()
    total = len(wa) + len(wb)
    return 1.0 if total == 0 else 2 * _lcs_length(wa, wb) / total


def word_edits(before: str, after: str) -> tuple[Edit, ...]:
    """Word runs of a changed sentence: equal, insert, delete, replace.

    Words are compared by their normalized form, so punctuation glued to a
    word does not make it differ; equal runs show the newer wording.
    """
    ta, tb = before.split(), after.split()
    ka = [(normalize(t) or t) + _figures(t) for t in ta]
    kb = [(normalize(t) or t) + _figures(t) for t in tb]
    out: list[Edit] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, ka, kb, autojunk=False).get_opcodes():
        x, y = " ".join(ta[i1:i2]), " ".join(tb[j1:j2])
        if op == "replace" and normalize(x) + _figures(x) == normalize(y) + _figures(y):
            op = "equal"  # only spaces moved ("INC <PGULF>" as "INC<PGULF>", "vice- president")
        if op == "equal" and out and out[-1].op == "equal":
            x, y = out[-1].before + " " + x, out.pop().after + " " + y
        out.append(Edit(op, x, y))
    return tuple(out)


# ---------------------------------------------------------------- alignment

@dataclass
class _Group:
    kind: str  # changed, resegmented, moved
    before: tuple[int, ...]
    after: tuple[int, ...]
    sim: float = 1.0


def _plain(key: str) -> str:
    """A sentence key's words, without its figures."""
    return key.split(" #", 1)[0]


def _resegmented(sa: Sequence[Sentence], sb: Sequence[Sentence], left_a: set[int], left_b: set[int]
                 ) -> list[_Group]:
    """Runs of leftover sentences on one side whose words equal one leftover
    sentence on the other (a sentence split in two, or two joined)."""
    found: list[_Group] = []
    for one, many, left_one, left_many, flip in ((sa, sb, left_a, left_b, False), (sb, sa, left_b, left_a, True)):
        # A run can only start with a sentence whose first word starts the target.
        by_first: dict[str, list[int]] = defaultdict(list)
        for j in sorted(left_many):
            by_first[_plain(many[j].key).split(" ", 1)[0]].append(j)
        for i in sorted(left_one):
            if i not in left_one:
                continue
            target = _plain(one[i].key)
            for j in by_first.get(target.split(" ", 1)[0], ()):
                if j not in left_many or not target.startswith(_plain(many[j].key)):
                    continue
                run, joined, k = [j], _plain(many[j].key), j + 1
                while len(joined) < len(target) and k in left_many:
                    joined += " " + _plain(many[k].key)
                    run.append(k)
                    k += 1
                # The same words, and the same figures as written.
                same = joined == target and "".join(many[r].key[len(_plain(many[r].key)):] for r in run) == \
                    one[i].key[len(target):]
                if same and len(run) > 1:
                    left_one.discard(i)
                    for r in run:
                        left_many.discard(r)
                    group = _Group("resegmented", tuple(run), (i,)) if flip else _Group("resegmented", (i,), tuple(run))
                    found.append(group)
                    break
    return found


#: Leftover sentence pairs up to which every pair sharing a content word is compared; see _fuzzy_pairs.
FUZZY_PAIRS = 250_000
FUZZY_WINDOW = 25


def _fuzzy_pairs(sa: Sequence[Sentence], sb: Sequence[Sentence], left_a: set[int], left_b: set[int],
                 cutoff: float) -> list[_Group]:
    """Pair each leftover A sentence with its most similar leftover B sentence
    (greedy on similarity, best first), when the similarity reaches cutoff.

    The order does not depend on which version is A, so that diff(b, a)
    mirrors diff(a, b)."""
    def lookup_words(bag: Counter[str]) -> list[str]:
        # Candidates must share a content word (function words connect everything).
        content = [w for w in bag if w not in FUNCTION_WORDS]
        return content or list(bag)

    bags_b = {j: Counter(sb[j].key.split()) for j in left_b}
    lengths_b = {j: sum(bag.values()) for j, bag in bags_b.items()}
    index: dict[str, set[int]] = defaultdict(set)
    for j, bag in bags_b.items():
        for w in lookup_words(bag):
            index[w].add(j)
    # Many leftovers on both sides (a long text rewritten throughout): a sentence is paired only with
    # those about as far into the other version's leftovers (FUZZY_WINDOW of them either way), which
    # bounds the work; a rewritten sentence that also moved far is then shown removed and added.
    na, nb = len(left_a), len(left_b)
    windowed = na * nb > FUZZY_PAIRS
    rank_a = {i: k / na for k, i in enumerate(sorted(left_a))}
    rank_b = {j: k / nb for k, j in enumerate(sorted(left_b))}
    reach = FUZZY_WINDOW / max(na, nb, 1)
    scored = []
    for i in left_a:
        words_a = sa[i].key.split()
        bag_a = Counter(words_a)
        seen: set[int] = set()
        for w in lookup_words(bag_a):
            seen |= index.get(w, set())
        if windowed:
            seen = {j for j in seen if abs(rank_b[j] - rank_a[i]) <= reach}
        la = len(words_a)
        for j in seen:
            bag_b = bags_b[j]
            lb = lengths_b[j]
            total = la + lb
            # Lengths, then the shared bag of words, bound the LCS: skip pairs that cannot reach the cutoff.
            if 2 * min(la, lb) < cutoff * total:
                continue
            if 2 * sum(min(n, bag_b.get(w, 0)) for w, n in bag_a.items()) < cutoff * total:
                continue
            sim = word_similarity(sa[i].key, sb[j].key)
            if sim >= cutoff:
                ka, kb = sa[i].key, sb[j].key
                scored.append((-sim, min(ka, kb), max(ka, kb), i, j))
    scored.sort()
    pairs = []
    for neg, _, _, i, j in scored:
        if i in left_a and j in left_b:
            left_a.discard(i)
            left_b.discard(j)
            pairs.append(_Group("changed", (i,), (j,), -neg))
    return pairs


#: How much closer a changed pair must come for a neighbour to join it (see _joined_pairs).
JOIN_GAIN = 0.02


def _joined_pairs(sa: Sequence[Sentence], sb: Sequence[Sentence], left_a: set[int], left_b: set[int],
                  groups: list[_Group]) -> None:
    """Grow changed pairs over the leftover sentences next to them that their counterparts hold too: two
    sentences joined into one with words edited ("The plant will close. About 200 will lose their jobs."
    into "The plant will close, and about 250 will lose their jobs.") are one changed sentence, not one
    changed and one removed. A neighbour joins when the pair's word similarity grows by
    :data:`JOIN_GAIN` with it; the best growth of all first, ranked by what the texts say and where
    they stand on both sides, so that diff(b, a) mirrors diff(a, b). Only sentences whose words are
    theirs alone in their version take part: of two alike, which one a pair stands beside is a matter
    of how the versions were aligned, and would not be mirrored."""
    once = {"a": {k for k, n in Counter(s.key for s in sa).items() if n == 1},
            "b": {k for k, n in Counter(s.key for s in sb).items() if n == 1}}
    changed = [g for g in groups if g.kind == "changed" and all(sa[i].key in once["a"] for i in g.before)
               and all(sb[j].key in once["b"] for j in g.after)]
    version = [0] * len(changed)

    def options(n: int) -> Iterator[tuple]:
        g = changed[n]
        for side, left, own in (("a", left_a, sa), ("b", left_b, sb)):
            have = g.before if side == "a" else g.after
            for k in (have[0] - 1, have[-1] + 1):
                if k not in left or own[k].key not in once[side]:
                    continue
                grown = tuple(sorted((*have, k)))
                before, after = (grown, g.after) if side == "a" else (g.before, grown)
                ta, tb = " ".join(sa[i].key for i in before), " ".join(sb[j].key for j in after)
                sim = word_similarity(ta, tb)
                if sim >= g.sim + JOIN_GAIN:
                    rank = (-sim, min(ta, tb), max(ta, tb), min(before[0], after[0]), max(before[0], after[0]))
                    yield rank, n, version[n], side, k, before, after, sim

    heap = [o for n in range(len(changed)) for o in options(n)]
    heapq.heapify(heap)
    while heap:
        _, n, seen, side, k, before, after, sim = heapq.heappop(heap)
        left = left_a if side == "a" else left_b
        if seen != version[n] or k not in left:
            continue
        g = changed[n]
        g.before, g.after, g.sim = before, after, sim
        left.discard(k)
        version[n] += 1
        for option in options(n):
            heapq.heappush(heap, option)


#: A removed and an added sentence that are each other's closest match are
#: one changed sentence when this share of their content words agree (Dice
#: coefficient), even if reordered: a rewritten lead keeps its names and
#: places but not their order, so its word similarity falls below the cutoff.
REWRITE_CUTOFF = 0.5
#: ... and when each has at least this many content words (shorter sentences
#: agree by chance).
REWRITE_MIN_WORDS = 4


def _content_words(key: str) -> frozenset[str]:
    return frozenset(w for w in key.split() if w not in FUNCTION_WORDS)


def _rewritten_pairs(sa: Sequence[Sentence], sb: Sequence[Sentence], left_a: set[int], left_b: set[int],
                     cutoff: float = REWRITE_CUTOFF) -> list[_Group]:
    """Pair leftover sentences rewritten with their words reordered: a
    removed and an added sentence whose content words mostly agree (Dice >=
    ``cutoff``, at least ``REWRITE_CUTOFF``) and that are each other's only
    best match. Taking mutual best matches only (ties give none) makes the
    pairing the same whichever version is A."""
    cutoff = max(cutoff, REWRITE_CUTOFF)
    words_a = {i: _content_words(sa[i].key) for i in left_a}
    words_b = {j: _content_words(sb[j].key) for j in left_b}
    words_a = {i: w for i, w in words_a.items() if len(w) >= REWRITE_MIN_WORDS}
    words_b = {j: w for j, w in words_b.items() if len(w) >= REWRITE_MIN_WORDS}
    if not words_a or not words_b:
        return []
    index: dict[str, set[int]] = defaultdict(set)
    for j, w in words_b.items():
        for word in w:
            index[word].add(j)
    best_a: dict[int, tuple[float, list[int]]] = {}
    best_b: dict[int, tuple[float, list[int]]] = {}
    for i, wa in words_a.items():
        for j in set().union(*(index.get(word, set()) for word in wa)):
            wb = words_b[j]
            dice = 2 * len(wa & wb) / (len(wa) + len(wb))
            if dice < cutoff:
                continue
            for best, me, other in ((best_a, i, j), (best_b, j, i)):
                top, who = best.get(me, (-1.0, []))
                if dice > top + 1e-12:
                    best[me] = (dice, [other])
                elif abs(dice - top) <= 1e-12:
                    who.append(other)
    pairs = []
    for i in sorted(best_a):
        _, js = best_a[i]
        if len(js) != 1:
            continue
        j = js[0]
        _, is_ = best_b[j]
        if is_ == [i]:
            left_a.discard(i)
            left_b.discard(j)
            pairs.append(_Group("changed", (i,), (j,), word_similarity(sa[i].key, sb[j].key)))
    return pairs


# ---------------------------------------------------------------- diff

def _as_text(x: Text, name: str) -> str:
    text = x.text if isinstance(x, Document) else x
    if isinstance(text, str):
        return text
    what = f"a Document whose text is {type(text).__name__}" if isinstance(x, Document) else type(x).__name__
    raise TypeError(f"The '{name}' parameter must be a str or a Document with str text. Got {what} instead.")


def _is_page(version: Text) -> bool:
    """Whether a version is a web page's extracted text, one block a line."""
    return isinstance(version, Document) and version.extractor is not None


def diff(a: Text, b: Text, *, corpus: Union[Iterable[Text], TermWeights, None] = None, cutoff: float = 0.5,
         shingle_size: int = 5, top_terms: int = 10, a_label: Optional[str] = None,
         b_label: Optional[str] = None) -> VersionDiff:
    """Compare two versions of an article.

    Args:
        a: the first version (text or Document), normally the older.
        b: the second version.
        corpus: background texts for inverse document frequencies (the two
            versions are added, so that words new to the corpus still
            weigh), or a fitted :class:`TermWeights` to share between
            diffs. None: the two versions' sentences.
        cutoff: minimum word similarity (2 * LCS / total words) for a deleted
            and an inserted sentence to count as one changed sentence; a
            sentence rewritten with its words reordered needs that share of
            its content words too (and at least ``REWRITE_CUTOFF``).
        shingle_size: words per shingle for the similarity block.
        top_terms: how many added and removed terms to list.
        a_label, b_label: names shown for the versions (default: the
            Documents' ids, else "A" and "B").

    Returns:
        VersionDiff.

    Raises:
        ConfigError: a parameter is out of range.
        TypeError: a version is neither text nor Document, or corpus is a
            single string.

    Example:
        >>> d = diff("Five people died. The road is closed.", "Seven people died. The road is closed.")
        >>> [(e.op, e.before, e.after) for e in d.changed[0].changes]
        [('replace', 'Five', 'Seven')]
        >>> d.added_terms[0].term
        'seven'
    """
    text_a, text_b = _as_text(a, "a"), _as_text(b, "b")
    check_range("cutoff", cutoff, 0.0, 1.0, low_open=True)
    if not isinstance(top_terms, int) or top_terms < 0:
        raise ConfigError(f"The 'top_terms' parameter must be an int >= 0. Got {top_terms!r} instead.")
    if isinstance(corpus, (str, bytes)):
        raise TypeError("Iterable over raw text documents expected, string object received.")
    shingles = ShingleConfig(shingle_size)
    la = a_label or (a.id if isinstance(a, Document) else "A")
    lb = b_label or (b.id if isinstance(b, Document) else "B")

    sa, sb = split_sentences(text_a, _is_page(a)), split_sentences(text_b, _is_page(b))
    jac, a_in_b, b_in_a = set_similarity(shingle_set(text_a, shingles), shingle_set(text_b, shingles))
    sim = Similarity(jac, a_in_b, b_in_a, shingle_size)

    if isinstance(corpus, TermWeights):
        weights = corpus
    elif corpus is not None:
        weights = TermWeights(_chain_texts(corpus, text_a, text_b), "", "corpus")
        weights.source = f"a corpus of {weights.documents - 2} documents and the two versions"
    else:
        weights = TermWeights([s.text for s in sa] + [s.text for s in sb], "the two versions' sentences", "versions")

    # 1. Sentences with equal words in the same order are aligned.
    matcher = SequenceMatcher(None, [s.key for s in sa], [s.key for s in sb], autojunk=False)
    opcodes = matcher.get_opcodes()
    anchors = [(i1 + k, j1 + k) for op, i1, i2, j1, j2 in opcodes if op == "equal" for k in range(i2 - i1)]
    left_a = {i for op, i1, i2, _, _ in opcodes if op != "equal" for i in range(i1, i2)}
    left_b = {j for op, _, _, j1, j2 in opcodes if op != "equal" for j in range(j1, j2)}

    # 2. The same words elsewhere: moved.
    groups: list[_Group] = []
    by_key: dict[str, list[int]] = defaultdict(list)
    for j in sorted(left_b):
        by_key[sb[j].key].append(j)
    for i in sorted(left_a):
        spots = by_key.get(sa[i].key)
        if spots:
            j = spots.pop(0)
            left_a.discard(i)
            left_b.discard(j)
            groups.append(_Group("moved", (i,), (j,)))
    # 3. Split or joined sentences with the same words: trivial.
    groups += _resegmented(sa, sb, left_a, left_b)
    # 4. Similar sentences: changed; then sentences rewritten in place.
    groups += _fuzzy_pairs(sa, sb, left_a, left_b, cutoff)
    groups += _rewritten_pairs(sa, sb, left_a, left_b, cutoff)
    _joined_pairs(sa, sb, left_a, left_b, groups)

    trivial: list[TrivialEdit] = []
    for i, j in anchors:
        x, y = sa[i], sb[j]
        if x.text != y.text:
            trivial.append(TrivialEdit("case" if x.text.lower() == y.text.lower() else "punctuation", x.text, y.text))
        elif x.raw != y.raw:
            trivial.append(TrivialEdit("whitespace", x.raw, y.raw))
        if i > 0 and j > 0 and x.starts_paragraph != y.starts_paragraph:
            trivial.append(TrivialEdit("paragraph", x.text, y.text))
    for g in groups:
        if g.kind == "resegmented":
            trivial.append(TrivialEdit("resegmented", " ".join(sa[i].text for i in g.before),
                                       " ".join(sb[j].text for j in g.after)))

    # Salience: one transform for every scored text.
    changed_groups = [g for g in groups if g.kind == "changed"]
    joined = {id(g): (" ".join(sa[i].text for i in g.before), " ".join(sb[j].text for j in g.after))
              for g in changed_groups}
    edits = {id(g): word_edits(*joined[id(g)]) for g in changed_groups}
    rows, synced = _rows(opcodes, groups, edits, sa, sb)
    # A correction marker put in or taken out ("CORRECTED -") is not what the change says: it is left out.
    edit_texts = [" ".join(e.before + " " + e.after for e in edits[id(g)]
                           if e.op != "equal" and not CORRECTION_MARKER.fullmatch(normalize(e.before + " " + e.after)))
                  for g in changed_groups]
    added_idx, removed_idx = sorted(left_b), sorted(left_a)
    scores = weights.scores([sb[j].text for j in added_idx] + [sa[i].text for i in removed_idx] + edit_texts)
    s_add = scores[:len(added_idx)]
    s_rem = scores[len(added_idx):len(added_idx) + len(removed_idx)]
    s_chg = scores[len(added_idx) + len(removed_idx):]

    def by_score(items: list, key_score, key_pos):
        return tuple(sorted(items, key=lambda x: (-key_score(x), key_pos(x))))

    added = by_score([ScoredSentence(sb[j].text, round(s, 4), j) for j, s in zip(added_idx, s_add)],
                     lambda x: x.score, lambda x: x.index)
    removed = by_score([ScoredSentence(sa[i].text, round(s, 4), i) for i, s in zip(removed_idx, s_rem)],
                       lambda x: x.score, lambda x: x.index)
    changed = by_score(
        [ChangedSentence(*joined[id(g)], round(s, 4), edits[id(g)], g.before[0],
                         g.after[0], round(g.sim, 4), id(g) not in synced)
         for g, s in zip(changed_groups, s_chg)],
        lambda x: x.score, lambda x: x.after_index)
    moved = tuple(sorted((MovedSentence(sb[g.after[0]].text, g.before[0], g.after[0])
                          for g in groups if g.kind == "moved"), key=lambda m: m.after_index))
    added_terms, removed_terms = weights.term_shift(CORRECTION_MARKER.sub("", text_a, 1),
                                                    CORRECTION_MARKER.sub("", text_b, 1), top_terms,
                                                    name_terms([*sa, *sb]))
    # What tells one occasion or subject from another (dedup.occasion): whole figures and names.
    figs_a, figs_b = list(dict.fromkeys(figures(text_a))), list(dict.fromkeys(figures(text_b)))
    words_a, words_b = set(normalize(text_a).split()), set(normalize(text_b).split())
    names_a, names_b = name_terms(sa), name_terms(sb)

    return VersionDiff(
        a_about=_about(a), b_about=_about(b), a_label=la, b_label=lb, similarity=sim, added=added, removed=removed,
        changed=changed, moved=moved,
        trivial=tuple(trivial), added_terms=added_terms, removed_terms=removed_terms,
        older=tell_older(a, b, sim), sentences_a=tuple(sa), sentences_b=tuple(sb), rows=tuple(rows),
        idf_source=weights.source, cutoff=cutoff, idf_kind=weights.kind, idf_documents=weights.documents,
        figures_added=tuple(f for f in figs_b if f not in set(figs_a)),
        figures_removed=tuple(f for f in figs_a if f not in set(figs_b)),
        names_added=tuple(sorted(n for n in names_b if n not in words_a)),
        names_removed=tuple(sorted(n for n in names_a if n not in words_b)),
        top_terms=top_terms,
    )


def _about(version: Text) -> str:
    """A version's title and dates, for people telling versions apart ("" for plain text)."""
    if not isinstance(version, Document):
        return ""
    stamp = "%Y-%m-%d %H:%M %Z" if version.date is not None and version.date.time() != version.date.min.time() \
        else "%Y-%m-%d"
    parts = [version.title or ""]
    if version.date is not None:
        when = version.date.strftime(stamp).strip()
        parts.append(("file time " if version.date_is_mtime else "published ") + when)
    if version.updated is not None:
        parts.append("updated " + version.updated.strftime("%Y-%m-%d %H:%M %Z").strip())
    return " · ".join(p for p in parts if p)


def _chain_texts(corpus: Iterable[Text], a: str, b: str) -> Iterator[str]:
    for doc in corpus:
        yield _as_text(doc, "corpus")
    yield a
    yield b


def _rows(opcodes, groups: list[_Group], edits: dict[int, tuple[Edit, ...]], sa: Sequence[Sentence],
          sb: Sequence[Sentence]) -> tuple[list[Row], set[int]]:
    """The aligned view in reading order, and the ids of the groups that kept
    their place.

    Walks the opcodes. Inside a block of differences, groups lying wholly in
    the block and in the same order on both sides are sync points shown as
    one row; any other group shows at its B place, with a ``moved_out`` row
    at its A place.
    """
    at_a: dict[int, _Group] = {}
    at_b: dict[int, _Group] = {}
    for g in groups:
        for i in g.before:
            at_a[i] = g
        for j in g.after:
            at_b[j] = g
    rows: list[Row] = []
    synced: set[int] = set()

    def group_row(g: _Group) -> Row:
        if g.kind == "changed":
            return Row("changed", g.before, g.after, edits[id(g)])
        if g.kind == "moved":
            return Row("moved_in", (), g.after, partner=g.before[0])
        return Row("trivial", g.before, g.after)

    for op, i1, i2, j1, j2 in opcodes:
        if op == "equal":
            for k in range(i2 - i1):
                x, y = sa[i1 + k], sb[j1 + k]
                rows.append(Row("equal" if x.raw == y.raw else "trivial", (i1 + k,), (j1 + k,)))
            continue
        inside: list[_Group] = []
        last_i = i1 - 1
        for j in range(j1, j2):
            g = at_b.get(j)
            if g is None or g.kind == "moved" or j != g.after[0]:
                continue
            if all(i1 <= i < i2 for i in g.before) and all(j1 <= k < j2 for k in g.after) \
                    and min(g.before) > last_i:
                inside.append(g)
                synced.add(id(g))
                last_i = max(g.before)
        pa, pb = i1, j1
        for g in [*inside, None]:
            stop_a = min(g.before) if g else i2
            stop_b = min(g.after) if g else j2
            for i in range(pa, stop_a):
                h = at_a.get(i)
                rows.append(Row("removed", (i,)) if h is None else Row("moved_out", (i,), partner=h.after[0]))
            for j in range(pb, stop_b):
                h = at_b.get(j)
                if h is None:
                    rows.append(Row("added", (), (j,)))
                elif j == h.after[0]:
                    rows.append(group_row(h))
            if g is None:
                break
            rows.append(group_row(g))
            pa, pb = max(g.before) + 1, max(g.after) + 1
    return rows, synced



__all__ = ["ChangedSentence", "Edit", "MovedSentence", "Older", "Row", "ScoredSentence", "Sentence",
           "Similarity", "TermScore", "TermWeights", "TrivialEdit", "VersionDiff", "diff", "split_sentences",
           "tell_older", "word_edits", "word_similarity", "FUNCTION_WORDS", "TOKEN_PATTERN"]
