"""Labelled evaluation sets for benchmarks/accuracy.py, built from real news read in place.

* seeds: the five seed articles; 000 and 001 are one story, nothing else is.
* story chains: news-story-chains (100 energy-business articles, every pair
  labelled "same story" by two coders).
* Reuters CORRECTED: Reuters-21578 stories whose title starts with
  ``CORRECTED -`` (or ``(CORRECTED)``, ``CORRECTED-``), each matched to the
  original it republishes (see :func:`match_corrections`).
* Reuters revisions: real Reuters stories and revisions generated from them
  with the edits news revisions make (see :class:`Reviser`), mixed with other
  stories on the same Reuters topic as negatives.
* boilerplate: short real Reuters stories, once clean and once with the same
  site boilerplate around every article.
"""


from __future__ import annotations

import csv
import gzip
import json
import os
import random
import re
import sys
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dedup import Document, ShingleConfig, shingle_set, similarity, words  # noqa: E402
from dedup.io import record_text  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("DEDUP_DATA", ROOT.parent / "shared" / "data"))
SEED_PAIR = ("000_cc67e4122e3a257f.txt", "001_fbcee2db9c98bcf0.txt")
WORD5 = ShingleConfig(5, "word")



# ---------------------------------------------------------------- truth

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


# ---------------------------------------------------------------- one template, many reports

_SYLLABLES = ("an", "bel", "cor", "dex", "el", "fan", "gar", "hol", "in", "jor", "kel", "lan", "mar", "nor", "ol",
              "par", "quin", "ros", "sel", "tor", "ul", "ver", "wes", "xan", "yor", "zel")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def dividend_reports(n: int, seed: int = 7) -> list[Document]:
    """``n`` dividend notices from one template, each for a made-up company with random figures.

    No two are the same report: a scan should pair none of them. They carry
    no date, so only their figures and names tell them apart.
    """
    rng = random.Random(seed)
    docs = []
    for k in range(n):
        name = " ".join("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).title()
                        for _ in range(rng.randint(1, 2)))
        ticker = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(rng.randint(2, 4)))
        now, prior = rng.randint(2, 95), rng.randint(2, 95)
        verb = "RAISES" if now > prior else "CUTS" if now < prior else "SETS"
        pay, rec = rng.randrange(12), rng.randrange(12)
        text = (f"{name.upper()} <{ticker}> {verb} QUARTERLY DIVIDEND\n"
                f"Qtly div {now} cts vs {prior} cts prior\n"
                f"Pay {_MONTHS[pay]} {rng.randint(1, 28)}\n"
                f"Record {_MONTHS[rec]} {rng.randint(1, 28)}\n"
                f"NOTE: {name} Inc, the company said in a statement.\nReuter")
        docs.append(Document(f"div{k:04d}", text))
    return docs
