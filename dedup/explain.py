"""Why two articles are, or are not, grouped: every check of the scan's rule
on one pair of a collection, with its value, threshold and verdict
(``dedup explain``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

import numpy as np

from .candidates import scan_candidate_pairs
from .config import ScanConfig
from .io import Document
from .occasion import MIN_OTHER_DOCS, Evidence
from .pages import prepare_pages
from .pipeline import BATCH, DocInfo, hash_batch, scan_documents
from .spool import stack_signatures
from .short import ShortFeatures, ShortMatcher, select_segments
from .signature import MinHasher
from .verify import ShingleCounts, similarity

@dataclass(frozen=True)
class Check:
    """One step of the rule on one pair: its value, its threshold and whether it passed.

    ``passed`` is None for a step that does not apply (a short-text rule
    between long texts, a date check without dates).
    """

    name: str
    value: Optional[float]
    threshold: str
    passed: Optional[bool]
    detail: str = ""


@dataclass(frozen=True)
class Explanation:
    """Why two documents are, or are not, near-duplicates in a scan.

    Attributes:
        a, b: the two documents.
        checks: every step of the rule, in order.
        candidate: whether LSH proposed the pair (a pair LSH never proposes
            is never verified, whatever its similarity).
        near_duplicates: whether the rule accepts the pair.
        same_cluster: whether the scan put them in one cluster.
        keep: the kept copy of their cluster, if they share one.
    """

    a: DocInfo
    b: DocInfo
    checks: tuple[Check, ...]
    candidate: bool
    near_duplicates: bool
    same_cluster: bool
    keep: Optional[str]


def explain(docs: Iterable[Document], a: str, b: str, config: Optional[ScanConfig] = None) -> Explanation:
    """Every check of the rule on documents ``a`` and ``b`` among ``docs``, with its value and threshold.

    The other documents matter: they give the words' rarity (subject
    check), the boilerplate and the short-text rule's rare words, and the
    clusters. Two documents alone can be explained too; the checks that need
    a collection then say so.

    Args:
        docs: the collection, with ids ``a`` and ``b`` in it.
        a, b: the ids of the two documents.
        config: the scan's settings.

    Raises:
        InputError: ``a`` or ``b`` is not among the documents.
        ValueError: ``a`` and ``b`` are the same id.

    Example:
        >>> from dedup import read_documents
        >>> e = explain(read_documents(["seeds/"]), "000_cc67e4122e3a257f.txt", "001_fbcee2db9c98bcf0.txt")
        >>> e.near_duplicates, [c.name for c in e.checks][:2]
        (True, ['jaccard', 'containment'])
    """
    from .errors import InputError
    from .normalize import words as words_of
    from .occasion import figures as figure_list, headline_of, headline_sessions, lead
    from .records import separate_titles

    if a == b:
        raise ValueError(f"a and b are the same document ({a}); give the ids of two documents")
    config = config or ScanConfig()
    # Web pages read unextracted are extracted and stripped of their sites' templates as a scan does.
    docs = list(prepare_pages(docs, config.workers, []))
    where = {d.id: k for k, d in enumerate(docs)}
    for name in (a, b):
        if name not in where:
            raise InputError(f"{name}: no document with this id among the inputs (ids are file paths relative to "
                             "the folder given, or the JSON id field)")
    result = scan_documents(docs, config)
    i, j = where[a], where[b]
    lo, hi = min(i, j), max(i, j)
    infos = result.documents
    # The pair's own features, with the collection's statistics.
    hasher = MinHasher(config.num_perm, config.seed)
    df = ShingleCounts() if config.boilerplate_share < 1.0 else None
    word_df = ShingleCounts()
    shorts: list[ShortFeatures] = []
    kept: dict[int, tuple] = {}
    signatures: list[np.ndarray] = []
    seen = 0
    for start in range(0, len(docs), BATCH):
        batch = docs[start:start + BATCH]
        hb = hash_batch([d.text for d in batch], config, hasher, separate_titles(batch))
        signatures.append(hb.signatures)
        if df is not None:
            df.add(hb.values, len(batch))
        word_df.add(hb.word_values, len(batch))
        if len(hb.short):
            hb.short.index += seen
            shorts.append(hb.short)
        for k in (lo, hi):
            if start <= k < start + len(batch):
                r = k - start
                kept[k] = (select_segments(hb.values, hb.lengths, [r])[0], hb.signatures[r],
                           select_segments(hb.word_values, hb.word_lengths, [r])[0],
                           select_segments(hb.occasion.figures, hb.occasion.figure_lengths, [r])[0],
                           select_segments(hb.leads, hb.lead_lengths, [r])[0], bool(hb.occasion.corrections[r]),
                           select_segments(hb.titles, hb.title_lengths, [r])[0])
        seen += len(batch)
    get = (lambda k: kept[k][0]) if df is None else \
        df.boilerplate(config.boilerplate_share, config.boilerplate_min_docs).view(lambda k: kept[k][0])
    jac, lr, rl = similarity(get(lo), get(hi))

    def a_first(x: Any, y: Any) -> tuple[Any, Any]:
        """Two values of (lo, hi) in the order A, B: the details name A first, as the header does."""
        return (x, y) if i == lo else (y, x)

    rule = config.rule
    (name_a, name_b), (in_a, in_b) = a_first(docs[lo].id, docs[hi].id), a_first(lr, rl)
    checks = [Check("jaccard", jac, f">= {config.threshold:g}", jac >= config.threshold),
              Check("containment", max(lr, rl), f">= {config.containment:g}", max(lr, rl) >= config.containment,
                    f"{name_a} in {name_b}: {in_a:.2f}; {name_b} in {name_a}: {in_b:.2f}")]
    shingles_ok = rule.accepts(jac, lr, rl)
    short_ok: Optional[bool] = None
    if config.short_words:
        matcher = ShortMatcher(ShortFeatures.concat(shorts), config.short_rule)
        both_short = lo in matcher.row and hi in matcher.row
        if both_short:
            short_ok = matcher.match(lo, hi) is not None
        checks.append(Check("short-text rule", None, f"both <= {config.short_words} words", short_ok,
                            "applies" if both_short else f"does not apply: a text has more than {config.short_words} words"))
    accepted = shingles_ok or bool(short_ok)
    # Proposed as the scan proposes: a shared band, in a bucket not split for its size.
    cands = scan_candidate_pairs(stack_signatures(signatures, config.num_perm), result.bands, result.rows,
                                 config.max_bucket)
    candidate = bool(((cands[:, 0] == lo) & (cands[:, 1] == hi)).any())
    near = accepted
    occasion = config.occasion_rule
    if occasion is not None:
        ev = [Evidence(kept[k][2], kept[k][3], kept[k][4], None if infos[k].date_is_mtime else infos[k].date,
                       kept[k][5], infos[k].words, kept[k][6]) for k in (lo, hi)]
        got = occasion.check(ev[0], ev[1], jac, max(lr, rl), word_df.weights())
        ta, tb = docs[lo].text, docs[hi].text
        fa, fb = figure_list(ta), figure_list(tb)
        only_a = [f for f in dict.fromkeys(fa) if f not in set(fb)]
        only_b = [f for f in dict.fromkeys(fb) if f not in set(fa)]
        wa = set(w for w in words_of(ta) if w.isalpha())
        wb = set(w for w in words_of(tb) if w.isalpha())
        titles = separate_titles([docs[lo], docs[hi]])
        heads_a = lead(ta).split() + lead(titles[0] or "").split()
        heads_b = lead(tb).split() + lead(titles[1] or "").split()
        lead_a = [w for w in dict.fromkeys(heads_a) if w not in wb]
        lead_b = [w for w in dict.fromkeys(heads_b) if w not in wa]
        if got.days is None:
            date_detail = "a date is unknown (a file's modification time does not count)"
        else:
            exempt = (occasion.window_days > 0 and "dates" not in got.failed and got.days >= occasion.window_days
                      and not (got.correction or got.copy))
            date_detail = (f"{got.days:.2f} days apart" + (" (a correction)" if got.correction else "")
                           + (" (a long story refiled: most of one in the other, every figure of one in the other)"
                              if got.refiled else " (a copy of a long text)" if got.copy else "")
                           + (" (a date without a time stands for its whole day)" if exempt else ""))
        if got.another_time:
            when = [headline_sessions(headline_of(title, docs[k].text)) for k, title in zip((lo, hi), titles)]
            when = list(a_first(*when))
            date_detail += (f" (another time of day: {name_a}: {', '.join(when[0]) or '-'}; "
                            f"{name_b}: {', '.join(when[1]) or '-'})")
        window = f"{occasion.window_days:g} day{'' if occasion.window_days == 1 else 's'}"
        checks.append(Check("dates", got.days, f"< {window} unless a correction or a copy",
                            None if got.days is None and "dates" not in got.failed else "dates" not in got.failed,
                            date_detail))
        only_a, only_b = a_first(only_a, only_b)
        fig_detail = (f"only in {name_a}: {', '.join(only_a[:12]) or '-'}; only in {name_b}: "
                      f"{', '.join(only_b[:12]) or '-'}")
        if got.figures is not None and got.figures < occasion.figures and "figures" not in got.failed:
            fig_detail += " (waived: a correction, or an update that keeps most of the text)"
        elif ("figures" in got.failed and max(lr, rl) >= occasion.keeps_text
              and min(infos[lo].words, infos[hi].words) < occasion.update_words
              and (got.days is None or got.days <= occasion.update_days)):
            fig_detail += (f" (not an update that keeps most of the text: a text has fewer than "
                           f"{occasion.update_words} words)")
        checks.append(Check("figures", got.figures, f">= {occasion.figures:g}",
                            None if got.figures is None else "figures" not in got.failed, fig_detail))
        lead_a, lead_b = a_first(lead_a, lead_b)
        subj_detail = (f"first-line words missing from the other: {name_a}: {', '.join(lead_a[:12]) or '-'}; "
                       f"{name_b}: {', '.join(lead_b[:12]) or '-'}")
        if got.subject is not None and got.subject > occasion.subject and "subject" not in got.failed:
            subj_detail += (" (waived: a correction" if got.correction else
                            f" (waived: one text is found almost whole in the other, containment >= "
                            f"{occasion.same_subject_containment:g}") + ")"
        if got.subject is None:
            subj_detail = "does not apply: no first line to weigh"
        elif word_df.docs - 2 < MIN_OTHER_DOCS:
            subj_detail += f" (fewer than {MIN_OTHER_DOCS} other documents: every word weighs alike)"
        checks.append(Check("subject", got.subject, f"<= {occasion.subject:g}",
                            None if got.subject is None else "subject" not in got.failed, subj_detail))
        near = accepted and got.passed
    same = None
    for c in result.clusters:
        ids = {m.id for m in c.members}
        if a in ids and b in ids:
            same = c.keep
    return Explanation(infos[i], infos[j], tuple(checks), candidate, near, same is not None, same)
