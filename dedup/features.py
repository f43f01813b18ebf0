"""Per-document features: what the scan computes of each batch of texts
(:func:`hash_batch`: shingle and word sets, signatures, occasion evidence,
short-text features) and what it keeps of each document (:class:`DocInfo`).

Plain functions on arrays, with no I/O and no state, so that every engine
(the local scan, the index, Spark) calls the same kernel.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, fields
from datetime import datetime
from typing import NamedTuple, Optional, Sequence

import numpy as np

from .config import ScanConfig
from .occasion import OccasionFeatures, digit_sets, is_correction, lead_sets, letter_sets, occasion_features
from .shingle import batch_token_hashes, batch_word_tokens, sets_from_hashes
from .short import ShortFeatures, short_features
from .signature import MinHasher


@dataclass(frozen=True, slots=True)
class DocInfo:
    """What a scan keeps of each document: no text, just its identity and size,
    and ``title``, a label for people (the document's title, else its first
    words: :func:`dedup.io.headline`).

    A scan keeps one per document, so it has slots and no ``__dict__``
    (about 110 bytes instead of 350).
    """

    id: str
    path: str
    line: int
    words: int
    shingles: int
    date: Optional[datetime]
    is_file: bool
    date_is_mtime: bool = False
    title: Optional[str] = None
    site: Optional[str] = None
    url: Optional[str] = None
    extractor: Optional[str] = None
    date_text: Optional[str] = None
    updated: Optional[datetime] = None  # a web page's later modification (Document.updated)

    # Pickled between the scan's processes, one per document: as the arguments that make it again (Python
    # 3.10 cannot unpickle a frozen class with slots by itself, and a field-by-field state costs twice).
    def __reduce__(self) -> tuple:
        return DocInfo, _DOCINFO_FIELDS(self)


_DOCINFO_FIELDS = operator.attrgetter(*(f.name for f in fields(DocInfo)))


class HashedBatch(NamedTuple):
    """What the scan keeps of a batch of texts (see :func:`hash_batch`)."""

    values: np.ndarray  # concatenated sorted shingle-hash sets
    lengths: np.ndarray  # set size per text
    words: np.ndarray  # word count per text
    signatures: np.ndarray  # (n, num_perm) MinHash signatures
    word_values: np.ndarray  # concatenated sorted word-hash sets (words without digits)
    word_lengths: np.ndarray
    leads: np.ndarray  # concatenated sorted word-hash sets of the first lines
    lead_lengths: np.ndarray
    titles: np.ndarray  # the same of the titles given apart from the text (separate_titles; empty elsewhere)
    title_lengths: np.ndarray
    occasion: OccasionFeatures
    short: ShortFeatures  # the short texts, indexed within the batch


#: What :func:`hash_batch` computes: everything; what a scan that reads its input twice needs of
#: every document on the first reading (signatures, counts, short-text features); what it needs of
#: the documents in candidate pairs on the second (the sets verification compares).
PARTS = ("all", "signatures", "sets")


def hash_batch(texts: Sequence[str], config: ScanConfig, hasher: MinHasher,
               titles: Optional[Sequence[Optional[str]]] = None, part: str = "all") -> HashedBatch:
    """Every per-document feature of a batch of texts, in one pass over their words.

    A plain function over a list of texts (no I/O, no global state): the
    local scan, the index and other engines call it alike.

    Args:
        texts: raw document texts.
        config: the scan's settings.
        hasher: the MinHash permutations.
        titles: per text, a headline the source gives apart from the text
            (a web page's title), or None.
        part: one of :data:`PARTS`. ``"signatures"`` leaves the figure,
            first-line and title sets empty; ``"sets"`` leaves out the
            signatures (a ``(n, 0)`` array) and the short-text features.
            Shingle and word sets, word counts and correction marks are
            always computed.
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}; got {part!r}")
    kind = config.shingle_kind
    tokens = batch_word_tokens(texts)
    if kind == "word":
        hashes, counts = tokens.hashes, tokens.counts
        n_words = counts
    else:
        hashes, counts = batch_token_hashes(texts, kind)
        n_words = np.fromiter((len(t.split()) for t in texts), dtype=np.int64, count=len(texts))
    word_tokens = (tokens.hashes, tokens.counts)
    values, lengths = sets_from_hashes(hashes, counts, config.shingle_size)
    # The subject check weighs words without digits: figures have their own check.
    word_values, word_lengths = letter_sets(texts, tokens)
    none = (np.empty(0, np.uint32), np.zeros(len(texts), np.int64))
    if part == "signatures":
        occasion = OccasionFeatures(*none, np.fromiter((is_correction(t) for t in texts), dtype=bool,
                                                       count=len(texts)))
        (leads, lead_lengths), (title_values, title_lengths) = none, none
    else:
        occasion = occasion_features(texts, tokens)
        leads, lead_lengths = lead_sets(texts)
        title_values, title_lengths = lead_sets([t or "" for t in titles] if titles is not None
                                                else [""] * len(texts))
    if titles is not None:
        # A title given apart from the text may carry the mark ("CORRECTED-..." in a record's title field).
        marked = [k for k, title in enumerate(titles) if title and is_correction(title)]
        occasion.corrections[marked] = True
    if part == "sets" or not config.short_words:
        short = ShortFeatures.empty()
    else:
        # The short-text features find the figures and digits of their own texts when the batch's are not made.
        short = short_features(texts, n_words.tolist(), config.short_words, token_hashes=word_tokens,
                               figures=(occasion.figures, occasion.figure_lengths) if part == "all" else None,
                               digits=digit_sets(texts, tokens) if part == "all" else None,
                               corrections=occasion.corrections)
    signatures = (np.empty((len(texts), 0), np.uint32) if part == "sets"
                  else hasher.signatures_flat(values, lengths))
    return HashedBatch(values, lengths, n_words, signatures, word_values, word_lengths,
                       leads, lead_lengths, title_values, title_lengths, occasion, short)
