"""Accuracy of dedup on real news: pairwise precision, recall, F1 and cluster ARI.

Evaluation sets (all built from files read in place, never copied):

* seeds: the five seed articles; 000 and 001 are one story, nothing else is.
* story chains: news-story-chains (100 energy-business articles, every pair
  labelled "same story" by two coders). Recall is given on all positives and
  on the positives whose word 5-gram Jaccard is at least 0.2 (the ones that
  share substantial text); a shingle method cannot find rewrites that share
  no text.
* Reuters CORRECTED: Reuters-21578 stories whose title starts with
  ``CORRECTED -`` (or ``(CORRECTED)``, ``CORRECTED-``), each matched to the
  original it republishes (see :func:`match_corrections`).
* Reuters revisions: real Reuters stories and revisions generated from them
  with the edits news revisions make (see :func:`revise`), mixed with other
  stories on the same Reuters topic as negatives, plus the CORRECTED pairs.
* boilerplate: short real Reuters stories and revisions of some of them, once
  clean and once with the same site boilerplate around every article.

Every scan goes through :func:`dedup.scan_documents`; the script only builds
inputs and scores outputs.

Usage:
    python benchmarks/accuracy.py                 # defaults and the full sweep
    python benchmarks/accuracy.py --quick         # defaults and the shingle sweep only
    python benchmarks/accuracy.py --data DIR      # shared data elsewhere
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import re
import sys
import time
from dataclasses import dataclass, field, replace
from itertools import combinations
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dedup  # noqa: E402
from dedup import Document, ScanConfig, ShingleConfig, scan_documents, shingle_set, similarity, words  # noqa: E402
from dedup.io import record_text  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
SEED_PAIR = ("000_cc67e4122e3a257f.txt", "001_fbcee2db9c98bcf0.txt")
WORD5 = ShingleConfig(5, "word")


# ---------------------------------------------------------------- scoring

@dataclass
class Truth:
    """What is known about an evaluation set.

    Attributes:
        docs: the documents, in scan order.
        positives: unordered id pairs that are the same story.
        groups: id -> true cluster label, when clusters are known (ARI).
        subsets: named subsets of ``positives`` whose recall is reported too.
        labelled: when set, only these pairs count as negatives (precision
            over labelled pairs); otherwise every other pair is negative.
    """

    docs: list[Document]
    positives: set[frozenset]
    groups: Optional[dict[str, object]] = None
    subsets: dict[str, set[frozenset]] = field(default_factory=dict)
    labelled: Optional[set[frozenset]] = None


@dataclass
class Score:
    precision: float
    recall: float
    f1: float
    ari: Optional[float]
    subset_recall: dict[str, float]
    predicted: int
    false_pairs: int
    false_clusters: int
    clusters: int


def cluster_pairs(result: dedup.ScanResult) -> tuple[set[frozenset], list[list[str]]]:
    """Pairs of documents put in one cluster, and the clusters as id lists."""
    clusters = [[m.id for m in c.members] for c in result.clusters]
    pairs = {frozenset(p) for ids in clusters for p in combinations(ids, 2)}
    return pairs, clusters


def score(result: dedup.ScanResult, truth: Truth) -> Score:
    pred, clusters = cluster_pairs(result)
    counted = pred if truth.labelled is None else pred & truth.labelled
    tp = len(counted & truth.positives)
    precision = tp / len(counted) if counted else 1.0
    recall = tp / len(truth.positives) if truth.positives else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    ari = None
    false_clusters = 0
    if truth.groups is not None:
        predicted_label = {d.id: ("single", d.id) for d in truth.docs}
        for n, ids in enumerate(clusters):
            for i in ids:
                predicted_label[i] = ("cluster", n)
        ids = [d.id for d in truth.docs]
        ari = adjusted_rand_score([str(truth.groups[i]) for i in ids], [str(predicted_label[i]) for i in ids])
        false_clusters = sum(1 for c in clusters if len({truth.groups[i] for i in c}) > 1)
    else:
        false_clusters = sum(1 for c in clusters if any(frozenset(p) not in truth.positives
                                                        for p in combinations(c, 2)))
    subset_recall = {name: (len(pred & sub) / len(sub) if sub else 1.0) for name, sub in truth.subsets.items()}
    return Score(precision, recall, f1, ari, subset_recall, len(counted), len(counted) - tp, false_clusters,
                 len(clusters))


def run(truth: Truth, config: ScanConfig) -> Score:
    return score(scan_documents(truth.docs, config), truth)


# ---------------------------------------------------------------- seeds

def seeds_truth(root: Path) -> Truth:
    docs = [Document(p.name, p.read_text(encoding="utf-8"), str(p)) for p in sorted((root / "seeds").glob("*.txt"))]
    groups = {d.id: ("seed", 0 if d.id in SEED_PAIR else d.id) for d in docs}
    return Truth(docs, {frozenset(SEED_PAIR)}, groups)


# ---------------------------------------------------------------- news story chains

def chains_truth(folder: Path, coder: str) -> tuple[Truth, int, int]:
    """Story-chain articles and one coder's labels.

    Returns:
        (truth, labelled pairs whose URL has no text row, positives among them).
    """
    csv.field_size_limit(1 << 27)
    with open(folder / "article_texts.csv", encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["text"].strip()]
    docs = [Document(r["url"], f"{r['title']}\n\n{r['text']}") for r in rows]
    known = {d.id for d in docs}
    positives, labelled = set(), set()
    missing = missing_pos = 0
    with open(folder / f"pairs_{coder}.csv", encoding="utf-8-sig") as fh:
        for line in fh:
            parts = line.rstrip("\r\n").split(";")
            if len(parts) != 3:
                continue
            a, b, label = parts
            if a not in known or b not in known:
                missing += 1
                missing_pos += label.strip() == "1"
                continue
            pair = frozenset((a, b))
            labelled.add(pair)
            if label.strip() == "1":
                positives.add(pair)
    return _chain_truth(docs, positives, labelled), missing, missing_pos


def agreed_truth(one: Truth, two: Truth) -> Truth:
    """The pairs both coders label alike: positive by both, or negative by both."""
    assert one.labelled is not None and two.labelled is not None
    labelled = {p for p in one.labelled & two.labelled if (p in one.positives) == (p in two.positives)}
    return _chain_truth(one.docs, one.positives & two.positives, labelled)


def _chain_truth(docs: list[Document], positives: set[frozenset], labelled: set[frozenset]) -> Truth:
    sets = {d.id: shingle_set(d.text, WORD5) for d in docs}
    substantial = {p for p in positives if similarity(*(sets[i] for i in p))[0] >= 0.2}
    return Truth(docs, positives, None, {"J>=0.2": substantial}, labelled)


# ---------------------------------------------------------------- Reuters

CORRECTED = re.compile(r"^\W*CORRECTED\W*-\s*", re.IGNORECASE)
TICKER = re.compile(r"<[^>]*>")


def load_reuters(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def title_words(title: str) -> set[str]:
    return set(words(CORRECTED.sub("", title)))


@dataclass(frozen=True)
class Correction:
    corrected: int
    original: int
    title_jaccard: float
    text_jaccard: float
    text_containment: float


def match_corrections(records: Sequence[dict]) -> tuple[list[Correction], list[int]]:
    """Match each ``CORRECTED -`` story to the original it republishes.

    Rule: the original is a story without the CORRECTED mark, with a smaller
    ``newid`` (filed earlier), that is close to the correction by title or
    by text: title word Jaccard (the mark removed, tickers kept) >= 0.5, or
    title word Jaccard >= 0.25 with word 5-gram Jaccard >= 0.15, or word
    5-gram Jaccard >= 0.5; among those, the one with the highest title
    Jaccard plus text Jaccard. No such story: the original is not in the
    collection and the correction is left out.

    Returns:
        (matches, newids of corrections without an original).
    """
    texts = {r["newid"]: record_text(r, None) for r in records}
    originals = [r for r in records if not CORRECTED.match(r["title"]) and texts[r["newid"]]]
    corrections = [r for r in records if CORRECTED.match(r["title"])]
    title_only = {r["newid"] for r in records if not r["body"].strip()}
    csets = {r["newid"]: shingle_set(record_text({**r, "title": CORRECTED.sub("", r["title"])}, None) or "", WORD5)
             for r in corrections}
    cwords = {r["newid"]: title_words(r["title"]) for r in corrections}
    union = np.unique(np.concatenate(list(csets.values()))) if csets else np.empty(0, np.uint32)
    all_words = set().union(*cwords.values()) if cwords else set()
    # Only stories sharing a title word or a 5-gram with some correction can match one.
    near = []
    for orig in originals:
        ow = title_words(orig["title"])
        oset = shingle_set(texts[orig["newid"]], WORD5)
        if ow & all_words or np.isin(oset, union, assume_unique=True).any():
            near.append((orig["newid"], ow, oset))
    matches, unmatched = [], []
    for rec in corrections:
        cset, tw = csets[rec["newid"]], cwords[rec["newid"]]
        best: Optional[Correction] = None
        for newid, ow, oset in near:
            if newid >= rec["newid"]:
                continue
            tj = len(tw & ow) / len(tw | ow) if tw | ow else 0.0
            jac, c_in_o, o_in_c = similarity(cset, oset)
            shared = jac > 0 or (newid in title_only and rec["newid"] in title_only)
            if not ((tj >= 0.5 and shared) or (tj >= 0.25 and jac >= 0.15) or jac >= 0.5):
                continue
            cand = Correction(rec["newid"], newid, tj, jac, max(c_in_o, o_in_c))
            if best is None or cand.title_jaccard + cand.text_jaccard > best.title_jaccard + best.text_jaccard:
                best = cand
        if best is None:
            unmatched.append(rec["newid"])
        else:
            matches.append(best)
    return matches, unmatched


def paragraphs(body: str) -> list[str]:
    """A Reuters body's paragraphs (indented lines start them), without the sign-off."""
    paras = [" ".join(p.split()) for p in re.split(r"\n\s{2,}", body.strip())]
    paras = [p for p in paras if p]
    if paras and re.fullmatch(r"reuter", paras[-1], re.IGNORECASE):
        paras.pop()
    elif paras:
        paras[-1] = re.sub(r"\s*reuter\s*$", "", paras[-1], flags=re.IGNORECASE)
    return paras


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", text) if s]


def story_text(title: str, paras: Sequence[str]) -> str:
    return title + "\n\n" + "\n\n".join(paras) + "\n\nReuter"


SPEAKERS = ("a company spokesman", "an analyst", "a spokeswoman", "one trader", "an official",
            "the chief executive", "a senior economist")
WIDEN = ("Group", "Holdings", "International", "Corp", "Inc", "Industries")
NOT_NAMES = {"The", "It", "He", "She", "In", "A", "An", "But", "This", "That", "They", "Its", "On", "At", "For",
             "NOTE", "Shr", "Net", "Revs", "Avg", "Qtr", "Year", "Mths", "Pay", "Record", "Reuter", "Qtly", "Div",
             "Oper", "Sales", "January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
             "Friday", "Saturday", "Sunday", "U", "S", "We", "Mln", "Dlrs", "Pct"}


class Reviser:
    """Edits a story the way a newsroom revises one. Deterministic with its seed.

    Edit kinds: ``update`` (an appended paragraph of later news), ``quote``
    (an inserted quote), ``name`` (a name widened in several sentences, as
    "Kaiser" to "Kaiser Permanente"), ``numbers`` (one to three figures
    corrected), ``dateline`` (a dateline or an "updated" line added),
    ``reorder`` (a paragraph moved), ``lead`` (the lead rewritten).
    Appended and quoted text comes from donor stories that are not in the
    evaluation set.
    """

    KINDS = ("update", "quote", "name", "numbers", "dateline", "reorder", "lead")

    def __init__(self, rng: random.Random, donors: list[list[str]]) -> None:
        self.rng = rng
        self.donors = donors

    def _donor(self) -> list[str]:
        return self.donors.pop()

    def apply(self, title: str, paras: list[str], dateline: str, kinds: Sequence[str]) -> list[str]:
        paras = list(paras)
        for kind in kinds:
            paras = getattr(self, kind)(title, paras, dateline)
        return paras

    def update(self, title: str, paras: list[str], dateline: str) -> list[str]:
        donor = self._donor()
        added = donor[: self.rng.choice((1, 1, 2))]
        return paras + added

    def quote(self, title: str, paras: list[str], dateline: str) -> list[str]:
        sent = sentences(self._donor()[0])[0].rstrip(".")
        quote = f'"{sent}," {self.rng.choice(SPEAKERS)} said.'
        at = self.rng.randint(1, len(paras)) if len(paras) > 1 else 1
        return paras[:at] + [quote] + paras[at:]

    def name(self, title: str, paras: list[str], dateline: str) -> list[str]:
        text = " ".join(paras)
        caps = [w for w in re.findall(r"\b[A-Z][a-z]{3,}\b", text) if w not in NOT_NAMES]
        if not caps:
            return self.numbers(title, paras, dateline)
        counts: dict[str, int] = {}
        for w in caps:
            counts[w] = counts.get(w, 0) + 1
        target = max(sorted(counts), key=lambda w: counts[w])
        wider = f"{target} {self.rng.choice(WIDEN)}"
        pattern = re.compile(rf"\b{re.escape(target)}\b(?! {wider.split()[1]})")
        return [pattern.sub(lambda m: wider if self.rng.random() < 0.75 else m.group(0), p) for p in paras]

    def numbers(self, title: str, paras: list[str], dateline: str) -> list[str]:
        spots = [(i, m) for i, p in enumerate(paras) for m in re.finditer(r"\b\d+(?:\.\d+)?\b", p)]
        if not spots:
            return self.dateline(title, paras, dateline)
        chosen = self.rng.sample(spots, min(len(spots), self.rng.randint(1, 3)))
        out = list(paras)
        # Replace right to left so earlier match offsets stay valid.
        for i, m in sorted(chosen, key=lambda s: (s[0], -s[1].start())):
            old = m.group(0)
            if "." in old:
                head, tail = old.split(".")
                new = f"{head}.{(int(tail) + self.rng.randint(1, 9)) % (10 ** len(tail)):0{len(tail)}d}"
            else:
                new = str(int(old) + self.rng.randint(1, 9))
            p = out[i]
            out[i] = p[: m.start()] + new + p[m.end():]
        return out

    def dateline(self, title: str, paras: list[str], dateline: str) -> list[str]:
        choice = self.rng.randrange(3)
        if choice == 0 and dateline and not paras[0].startswith(dateline.split(",")[0]):
            return [f"{dateline} {paras[0]}"] + paras[1:]
        if choice == 1:
            return [f"(Updated {self.rng.randint(0, 23):02d}{self.rng.choice(('00', '15', '30', '45'))} GMT)"] + paras
        return [f"(Adds details in paragraph {self.rng.randint(2, max(2, len(paras)))})"] + paras

    def reorder(self, title: str, paras: list[str], dateline: str) -> list[str]:
        if len(paras) < 3:
            return self.quote(title, paras, dateline)
        src = self.rng.randrange(1, len(paras))
        moved = paras[src]
        rest = paras[:src] + paras[src + 1:]
        dst = self.rng.choice([k for k in range(1, len(rest) + 1) if k != src])
        return rest[:dst] + [moved] + rest[dst:]

    def lead(self, title: str, paras: list[str], dateline: str) -> list[str]:
        first = sentences(paras[0])
        lead = first[0]
        said = re.match(r"^(.{8,}?),? said (?:that |it )?(.{12,})$", lead)
        if said and self.rng.random() < 0.5:
            who, what = said.group(1), said.group(2).rstrip(".")
            new = f"{what[0].upper()}{what[1:]}, {who} said."
        else:
            head = " ".join(w if w.isupper() and len(w) <= 4 else w.lower() for w in TICKER.sub("", title).split())
            speaker = self.rng.choice(SPEAKERS)
            day = self.rng.choice(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"))
            new = f"{head[0].upper()}{head[1:]}, {speaker} said on {day}."
        return [" ".join([new] + first[1:])] + paras[1:]


def _covered(s: np.ndarray, seen: set[int]) -> float:
    """Share of a shingle set already in ``seen``."""
    return sum(1 for x in s.tolist() if x in seen) / len(s) if len(s) else 1.0


def revision_truth(records: Sequence[dict], corrections: Sequence[Correction], seed: int, stories: int,
                   negatives: int) -> Truth:
    """Reuters stories, generated revisions, same-topic negatives and the CORRECTED pairs.

    Stories are real bodies of 60 to 500 words with at least one topic.
    Negatives are drawn at random from the original's first topic, so they
    include Reuters' templated stories (earnings tables, dividend notices,
    prime rate moves, daily market reports) that share much wording with
    other stories but are different news. A story enters the set (as an
    original or a negative) unless it may be a natural duplicate of a story
    already in it: filed the same day with a title sharing half its words
    (word Jaccard >= 0.5), or with 80% of its word 5-grams already in the
    set. Each original gets one revision (1 to 4 edits); a third get a
    second revision of the first.
    """
    rng = random.Random(seed)
    by_id = {r["newid"]: r for r in records}
    docs: list[Document] = []
    groups: dict[str, object] = {}
    positives: set[frozenset] = set()
    seen: set[int] = set()
    used: set[int] = set()
    titles: dict[str, list[set[str]]] = {}

    def admit(rec: dict, rec_set: np.ndarray) -> bool:
        tw = title_words(rec["title"])
        for other in titles.get(rec["date"][:11], ()):
            if len(tw & other) >= 0.5 * len(tw | other):
                return False
        return _covered(rec_set, seen) < 0.8

    def add_seen(rec: dict, s: np.ndarray) -> None:
        seen.update(s.tolist())
        titles.setdefault(rec["date"][:11], []).append(title_words(rec["title"]))

    corrected_pairs = set()
    for m in corrections:
        a, b = by_id[m.original], by_id[m.corrected]
        if m.original in used or m.corrected in used:
            # One original corrected twice: the second correction joins the first group.
            pass
        for rec in (a, b):
            if rec["newid"] in used:
                continue
            used.add(rec["newid"])
            docs.append(Document(f"r{rec['newid']}", record_text(rec, None)))
            add_seen(rec, shingle_set(docs[-1].text, WORD5))
        ga, gb = groups.get(f"r{a['newid']}"), groups.get(f"r{b['newid']}")
        label = ga or gb or ("corr", m.original)
        groups[f"r{a['newid']}"] = groups[f"r{b['newid']}"] = label
        corrected_pairs.add(frozenset((f"r{a['newid']}", f"r{b['newid']}")))

    pool = [r for r in records if r["topics"] and not CORRECTED.match(r["title"]) and r["newid"] not in used
            and 60 <= len(r["body"].split()) <= 500]
    rng.shuffle(pool)
    by_topic: dict[str, list[dict]] = {}
    for r in pool:
        by_topic.setdefault(r["topics"][0], []).append(r)
    donors_pool = [r for r in records if not r["topics"] and len(r["body"].split()) >= 60
                   and not CORRECTED.match(r["title"])]
    rng.shuffle(donors_pool)
    donors = [paragraphs(r["body"]) for r in donors_pool]
    donors = [p for p in donors if p and sentences(p[0])]
    reviser = Reviser(rng, donors)

    originals = 0
    rejected: set[int] = set()
    for rec in pool:
        if originals >= stories:
            break
        if rec["newid"] in used:
            continue
        paras = paragraphs(rec["body"])
        if len(paras) < 2:
            continue
        text = story_text(rec["title"], paras)
        s = shingle_set(text, WORD5)
        if not admit(rec, s):
            continue
        used.add(rec["newid"])
        originals += 1
        gid = ("story", rec["newid"])
        base = f"s{rec['newid']}"
        docs.append(Document(base, text))
        groups[base] = gid
        add_seen(rec, s)
        version, ids = paras, [base]
        for n in range(2 if rng.random() < 1 / 3 else 1):
            kinds = rng.sample(Reviser.KINDS, rng.randint(1, 4))
            version = reviser.apply(rec["title"], version, rec.get("dateline") or "", kinds)
            vid = f"{base}.v{n + 1}"
            docs.append(Document(vid, story_text(rec["title"], version)))
            groups[vid] = gid
            ids.append(vid)
        positives.update(frozenset(p) for p in combinations(ids, 2))
        # Negatives: other stories on the same topic, not near-duplicates of anything in the set.
        added = 0
        for other in by_topic.get(rec["topics"][0], []):
            if added >= negatives:
                break
            if other["newid"] in used:
                continue
            if other["newid"] in rejected:
                continue
            otext = story_text(other["title"], paragraphs(other["body"]))
            os_ = shingle_set(otext, WORD5)
            if not admit(other, os_):
                # The set only grows, so a story once too close stays too close.
                rejected.add(other["newid"])
                continue
            used.add(other["newid"])
            nid = f"n{other['newid']}"
            docs.append(Document(nid, otext))
            groups[nid] = ("neg", other["newid"])
            add_seen(other, os_)
            added += 1

    # Positives of the CORRECTED groups (a group can hold two corrections of one original).
    members: dict[object, list[str]] = {}
    for d in docs:
        members.setdefault(groups[d.id], []).append(d.id)
    for label, ids in members.items():
        if label[0] == "corr":
            positives.update(frozenset(p) for p in combinations(ids, 2))
    corr_all = {p for p in positives if all(i.startswith("r") for i in p)}
    generated = positives - corr_all
    rng.shuffle(docs)
    return Truth(docs, positives, groups, {"CORRECTED": corr_all, "generated": generated})


# ---------------------------------------------------------------- boilerplate

SITE_HEADER = ("This is an archived article and the information in the article may be outdated. "
               "Please look at the time stamp on the story to see when it was last updated.")
SITE_BYLINE = "By The Daily Ledger Staff | Published {date} | Updated {date}"
SITE_NEWSLETTER = ("Sign up for our Morning Briefing newsletter to get the day's top business stories "
                   "delivered to your inbox every weekday. Subscribe now and never miss a story.")
SITE_RELATED = ("Related stories:\n- Markets close mixed as investors weigh earnings reports\n"
                "- Five things to know before the opening bell\n- Fed officials signal patience on rates\n"
                "- Oil prices slip as supplies rise\n- How the latest jobs report affects your wallet")
SITE_FOOTER = ("Copyright 2024 The Daily Ledger. All rights reserved. This material may not be published, "
               "broadcast, rewritten, or redistributed. Follow us on Facebook, Twitter and Instagram. "
               "Download our free app for the latest news, weather and sports.")


def with_boilerplate(text: str, date: str) -> str:
    head, _, body = text.partition("\n\n")
    return "\n\n".join([SITE_HEADER, head, SITE_BYLINE.format(date=date), body, SITE_NEWSLETTER, SITE_RELATED,
                        SITE_FOOTER])


def boilerplate_truths(records: Sequence[dict], seed: int, stories: int) -> tuple[Truth, Truth]:
    """Short real Reuters stories (30 to 90 words), a third of them with one
    revision, once clean and once wrapped in the same site boilerplate.

    Revisions here use the light edits (quote, name, numbers, dateline,
    reorder) so that they stay near-duplicates of a short story.
    """
    rng = random.Random(seed)
    pool = [r for r in records if r["topics"] and not CORRECTED.match(r["title"])
            and 30 <= len(r["body"].split()) <= 90]
    rng.shuffle(pool)
    donors = [paragraphs(r["body"]) for r in records if not r["topics"] and len(r["body"].split()) >= 60]
    donors = [p for p in donors if p and sentences(p[0])]
    rng.shuffle(donors)
    reviser = Reviser(rng, donors)
    seen: set[int] = set()
    clean: list[Document] = []
    groups: dict[str, object] = {}
    positives: set[frozenset] = set()
    for rec in pool:
        if len({g for g in groups.values()}) >= stories:
            break
        paras = paragraphs(rec["body"])
        if not paras:
            continue
        text = story_text(rec["title"], paras)
        s = shingle_set(text, WORD5)
        if _covered(s, seen) >= 0.2:
            continue
        seen.update(s.tolist())
        sid = f"b{rec['newid']}"
        clean.append(Document(sid, text))
        groups[sid] = sid
        if rng.random() < 1 / 3:
            kinds = rng.sample(("quote", "name", "numbers", "dateline", "reorder"), rng.randint(1, 2))
            rid = f"{sid}.v1"
            revised = reviser.apply(rec["title"], paras, rec.get("dateline") or "", kinds)
            clean.append(Document(rid, story_text(rec["title"], revised)))
            groups[rid] = sid
            positives.add(frozenset((sid, rid)))
    dates = [f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/2024" for _ in clean]
    wrapped = [Document(d.id, with_boilerplate(d.text, date)) for d, date in zip(clean, dates)]
    return Truth(clean, positives, groups), Truth(wrapped, positives, groups)


# ---------------------------------------------------------------- title-only records

def title_only_report(records: Sequence[dict], config: ScanConfig) -> dict[str, int]:
    """What Reuters' title-only records (no body) do in a scan of the whole collection."""
    docs, title_only = [], set()
    for r in records:
        text = record_text(r, None)
        if not text:
            continue
        docs.append(Document(str(r["newid"]), text))
        if not r["body"].strip():
            title_only.add(str(r["newid"]))
    result = scan_documents(docs, config)
    linked = {frozenset((p.left, p.right)) for p in result.pairs}
    index = {d.id: n for n, d in enumerate(docs)}
    with_title = bridged = 0
    for c in result.clusters:
        ids = [m.id for m in c.members]
        if not any(i in title_only for i in ids):
            continue
        with_title += 1
        # Two stories with a body in the cluster that are not themselves a verified pair.
        bodied = [i for i in ids if i not in title_only]
        if any(frozenset((index[a], index[b])) not in linked for a, b in combinations(bodied, 2)):
            bridged += 1
    return {"documents": len(docs), "title_only": len(title_only), "clusters": len(result.clusters),
            "clusters_with_title_only": with_title, "bridging": bridged}


def collection_row(records: Sequence[dict], docs: list[Document], config: ScanConfig) -> list[str]:
    """A scan of the whole Reuters collection: counts, time, and suspect pairs.

    A verified pair is *suspect* when both stories have a body and they were
    filed on different days or under titles sharing under half their words:
    mostly templated stories about different companies or days (a few are
    real updates with a new headline). Title-only records are left out
    because a headline flash is a short version of its story under another
    title.
    """
    by_id = {str(r["newid"]): r for r in records}
    t0 = time.perf_counter()
    result = scan_documents(docs, config)
    seconds = time.perf_counter() - t0
    suspect = 0
    for p in result.pairs:
        a, b = by_id[docs[p.left].id], by_id[docs[p.right].id]
        if not a["body"].strip() or not b["body"].strip():
            continue
        ta, tb = title_words(a["title"]), title_words(b["title"])
        if a["date"][:11] != b["date"][:11] or len(ta & tb) < 0.5 * len(ta | tb):
            suspect += 1
    return [label(config), f"{result.bands}x{result.rows}", str(result.candidates), str(len(result.pairs)),
            str(suspect), str(len(result.clusters)), str(sum(c.size - 1 for c in result.clusters)), f"{seconds:.1f}"]


# ---------------------------------------------------------------- tables

def fmt(x: Optional[float], digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def label(config: ScanConfig) -> str:
    c = "off" if config.containment >= 1.0 else f"{config.containment:.2f}"
    b = "" if config.boilerplate_share == ScanConfig.boilerplate_share else f" bp{config.boilerplate_share:g}"
    lsh = "" if config.bands is None else f" {config.bands}x{config.rows}"
    return f"{config.shingle_kind}{config.shingle_size} t{config.threshold:.2f} c{c}{lsh}{b}"


@dataclass
class Sets:
    seeds: Truth
    chains: dict[str, Truth]
    revisions: Optional[Truth]
    clean: Optional[Truth]
    boiler: Optional[Truth]


def evaluate_row(sets: Sets, config: ScanConfig) -> list[str]:
    row = [label(config)]
    s = run(sets.seeds, config)
    row.append("yes" if s.precision == 1.0 and s.recall == 1.0 else f"no({s.predicted}p)")
    for coder in ("coder1", "coder2"):
        t = sets.chains.get(coder)
        if t is None:
            row += ["-", "-", "-"]
            continue
        c = run(t, config)
        row += [fmt(c.precision), fmt(c.recall), fmt(c.subset_recall["J>=0.2"])]
    agreed = sets.chains.get("agreed")
    row.append(fmt(run(agreed, config).precision) if agreed is not None else "-")
    if sets.revisions is not None:
        r = run(sets.revisions, config)
        row += [fmt(r.precision), fmt(r.subset_recall["generated"]), fmt(r.subset_recall["CORRECTED"]),
                fmt(r.f1), fmt(r.ari)]
    else:
        row += ["-"] * 5
    if sets.boiler is not None and sets.clean is not None:
        clean = run(sets.clean, config)
        boiler = run(sets.boiler, config)
        row += [str(boiler.false_clusters), fmt(clean.recall), fmt(boiler.recall)]
    else:
        row += ["-"] * 3
    return row


HEADER = ["config", "seeds", "c1 P", "c1 R", "c1 R.2", "c2 P", "c2 R", "c2 R.2", "c12 P", "rev P", "rev Rg",
          "rev Rc", "rev F1", "rev ARI", "bp FC", "bp Rcl", "bp Rst"]


WIDTHS = [24, 6] + [7] * (len(HEADER) - 2)


def print_row(row: Sequence[str]) -> None:
    """One table row, columns at fixed widths so rows can be printed as they are computed."""
    cells = [str(v).ljust(w) if i == 0 else str(v).rjust(w) for i, (v, w) in enumerate(zip(row, WIDTHS))]
    print(" ".join(cells).rstrip(), flush=True)


def print_table(rows: Iterable[Sequence[str]]) -> None:
    print_row(HEADER)
    for row in rows:
        print_row(row)


def sweep_configs(quick: bool) -> list[ScanConfig]:
    base = ScanConfig()
    kinds = (("word", 3), ("word", 4), ("word", 5), ("word", 7), ("char", 5))
    configs = [replace(base, shingle_size=n, shingle_kind=k) for k, n in kinds]
    if quick:
        return configs
    for k, n in kinds:
        for t in (0.3, 0.4, 0.5, 0.6):
            for c in (0.5, 0.55, 0.6, 0.7, 0.8, 1.0):
                cfg = replace(base, shingle_size=n, shingle_kind=k, threshold=t, containment=c)
                if cfg not in configs:
                    configs.append(cfg)
    return configs


def share_rows(sets: Sets, shares: Sequence[float]) -> list[list[str]]:
    """The boilerplate rule on the site set alone and mixed into the Reuters revision set."""
    assert sets.boiler is not None and sets.revisions is not None and sets.boiler.groups is not None
    rv = sets.revisions
    assert rv.groups is not None
    # Both sets draw on Reuters: leave out site stories that are also in the revision set.
    taken = {re.match(r"[a-z](\d+)", d.id).group(1) for d in rv.docs}  # type: ignore[union-attr]
    site_docs = [d for d in sets.boiler.docs
                 if re.match(r"b(\d+)", d.id).group(1) not in taken]  # type: ignore[union-attr]
    kept = {d.id for d in site_docs}
    site_pos = {p for p in sets.boiler.positives if p <= kept}
    mixed = Truth(rv.docs + site_docs, rv.positives | site_pos, {**rv.groups, **sets.boiler.groups})
    rows = []
    for share in shares:
        config = replace(ScanConfig(), boilerplate_share=share)
        site, mix = run(sets.boiler, config), run(mixed, config)
        rows.append([f"{share:g}", str(site.false_clusters), fmt(site.precision), fmt(site.recall),
                     str(mix.false_clusters), fmt(mix.precision),
                     fmt(mix.recall), fmt(run(rv, config).recall)])
    return rows


def collection_configs() -> list[ScanConfig]:
    base = ScanConfig()
    # Character shingles are left out: one scan of the collection takes minutes (650 s measured).
    return [base, replace(base, containment=0.6), replace(base, containment=0.5),
            replace(base, containment=0.5, bands=47, rows=2), replace(base, shingle_size=4),
            replace(base, shingle_size=3), replace(base, shingle_size=3, threshold=0.4, containment=0.5)]


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder [default: %(default)s]")
    parser.add_argument("--seed", type=int, default=1987, help="seed of the generated sets [default: %(default)s]")
    parser.add_argument("--stories", type=int, default=400, help="Reuters originals in the revision set")
    parser.add_argument("--negatives", type=int, default=2, help="same-topic negatives per original")
    parser.add_argument("--short", type=int, default=150, help="short stories in the boilerplate set")
    parser.add_argument("--quick", action="store_true", help="defaults and the shingle sweep only")
    parser.add_argument("--no-sweep", action="store_true", help="defaults only")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    sets = Sets(seeds_truth(ROOT), {}, None, None, None)
    chains = args.data / "news-story-chains"
    if (chains / "article_texts.csv").exists():
        for coder in ("coder1", "coder2"):
            truth, missing, missing_pos = chains_truth(chains, coder)
            sets.chains[coder] = truth
            print(f"story chains {coder}: {len(truth.docs)} articles, {len(truth.labelled or ())} labelled pairs, "
                  f"{len(truth.positives)} positive ({len(truth.subsets['J>=0.2'])} with word 5-gram J >= 0.2); "
                  f"{missing} labelled pairs ({missing_pos} positive) name a URL without text")
        both = sets.chains["agreed"] = agreed_truth(sets.chains["coder1"], sets.chains["coder2"])
        print(f"story chains, pairs both coders label alike: {len(both.labelled or ())}, {len(both.positives)} "
              f"positive ({len(both.subsets['J>=0.2'])} with J >= 0.2)")
    else:
        print(f"story chains: {chains} not found, skipped")
    reuters = args.data / "reuters21578" / "reuters21578.jsonl.gz"
    records: list[dict] = []
    if reuters.exists():
        records = load_reuters(reuters)
        corrections, unmatched = match_corrections(records)
        print(f"Reuters CORRECTED stories: {len(corrections) + len(unmatched)}; matched to an original: "
              f"{len(corrections)}; original not in the collection: {len(unmatched)} {unmatched}")
        by = {r["newid"]: r for r in records}
        for m in corrections:
            print(f"  {m.corrected:>5} <- {m.original:>5}  title J {m.title_jaccard:.2f}  text J "
                  f"{m.text_jaccard:.2f}  containment {m.text_containment:.2f}  | {by[m.original]['title'][:60]}")
        sets.revisions = revision_truth(records, corrections, args.seed, args.stories, args.negatives)
        rv = sets.revisions
        sims = []
        index = {d.id: d for d in rv.docs}
        for p in sorted(rv.subsets["generated"], key=sorted):
            a, b = sorted(p)
            sims.append(similarity(shingle_set(index[a].text, WORD5), shingle_set(index[b].text, WORD5)))
        jac = np.array([s[0] for s in sims])
        con = np.array([max(s[1], s[2]) for s in sims])
        print(f"Reuters revision set: {len(rv.docs)} documents, {len(rv.positives)} positive pairs "
              f"({len(rv.subsets['generated'])} generated, {len(rv.subsets['CORRECTED'])} CORRECTED); "
              f"generated pairs word 5-gram J: min {jac.min():.2f}, 5% {np.quantile(jac, 0.05):.2f}, "
              f"median {np.median(jac):.2f}; larger containment: min {con.min():.2f}, 5% "
              f"{np.quantile(con, 0.05):.2f}, median {np.median(con):.2f}")
        sets.clean, sets.boiler = boilerplate_truths(records, args.seed, args.short)
        print(f"boilerplate set: {len(sets.boiler.docs)} short stories and revisions, {len(sets.boiler.positives)} "
              f"positive pairs, the same site boilerplate around each")
    else:
        print(f"Reuters: {reuters} not found, skipped")
    print(f"(sets built in {time.perf_counter() - t0:.1f} s)\n")

    print("Columns: seeds = 000+001 found and nothing else; c1/c2 = story chains coder 1/2 (P precision, R recall "
          "on all positives, R.2 recall on positives with word 5-gram J >= 0.2); c12 P = precision on the pairs both "
          "coders label alike; rev = Reuters revision set (P precision, Rg / Rc recall on generated / CORRECTED "
          "pairs, F1, ARI); bp = boilerplate set (FC clusters mixing stories, Rcl / Rst recall without / with the "
          "site boilerplate).\n")
    default = ScanConfig()
    print(f"Defaults: {label(default)} ({default.num_perm} permutations, LSH {default.banding[0]} x "
          f"{default.banding[1]}, boilerplate share {default.boilerplate_share:g}, min docs "
          f"{default.boilerplate_min_docs})")
    rows = [evaluate_row(sets, default), evaluate_row(sets, replace(default, boilerplate_share=1.0))]
    print_table(rows)
    if sets.revisions is not None:
        result = scan_documents(sets.revisions.docs, default)
        found, _ = cluster_pairs(result)
        missed = sorted((sorted(p) for p in sets.revisions.subsets["CORRECTED"] - found))
        index = {d.id: d.text for d in sets.revisions.docs}
        print(f"CORRECTED pairs the defaults miss ({len(missed)}):")
        for a, b in missed:
            jac, ab, ba = similarity(shingle_set(index[a], WORD5), shingle_set(index[b], WORD5))
            print(f"  {a} {b}  J {jac:.2f}  containment {max(ab, ba):.2f}  | {index[a].splitlines()[0][:60]}")
    if records:
        print("\nReuters title-only records in a scan of the whole collection:")
        for cfg in (default,):
            print(f"  {label(cfg)}: {title_only_report(records, cfg)}")
    if sets.boiler is not None and not args.no_sweep:
        print(f"\nBoilerplate share (defaults otherwise): the site set alone ({len(sets.boiler.docs)} documents), and "
              "mixed into the Reuters revision set (the site's stories that are not in it: about a tenth of the "
              "documents carry the site boilerplate)")
        header = ["share", "site FC", "site P", "site R", "mixed FC", "mixed P", "mixed R", "rev R"]
        rows = [header] + share_rows(sets, (1.0, 0.5, 0.2, 0.05, 0.02))
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        for r in rows:
            print("  ".join(v.rjust(w) for v, w in zip(r, widths)))
    if records and not args.quick and not args.no_sweep:
        print("\nWhole Reuters collection (title + body per record; suspect = pair of stories with a body filed on "
              "different days or under titles sharing under half their words):")
        docs = [Document(str(r["newid"]), record_text(r, None)) for r in records if record_text(r, None)]
        header = ["config", "LSH", "candidates", "pairs", "suspect", "clusters", "dups", "seconds"]
        rows = [header] + [collection_row(records, docs, cfg) for cfg in collection_configs()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        for r in rows:
            print("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))
    if not args.no_sweep:
        print("\nSweep (shingles, Jaccard threshold t, containment c):")
        print_table(evaluate_row(sets, cfg) for cfg in sweep_configs(args.quick))
    print(f"\n(total {time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
