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
  original it republishes.
* Reuters revisions: real Reuters stories and revisions generated from them
  with the edits news revisions make, mixed with other
  stories on the same Reuters topic as negatives, plus the CORRECTED pairs.
* boilerplate: short real Reuters stories and revisions of some of them, once
  clean and once with the same site boilerplate around every article.
* saved pages: Reuters stories as saved web pages of several sites
  (saved_pages.py), wire stories republished by two to four sites; once with
  six large sites and twelve small ones, once with three pages a site.
  Written to a temporary folder and scanned as files, like a user's folder.

The sets are built in labelled_sets.py and saved_pages.py. Every scan goes
through :func:`dedup.scan_documents` (the saved pages through
:func:`dedup.scan`); the script only builds inputs and scores outputs.

Usage:
    python3 benchmarks/accuracy.py                 # defaults and the full sweep
    python3 benchmarks/accuracy.py --quick         # defaults and the shingle sweep only
    python3 benchmarks/accuracy.py --data DIR      # shared data elsewhere
    python3 benchmarks/accuracy.py --pages-only   # the saved-pages table only
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass, replace
from itertools import combinations
from pathlib import Path
from typing import Iterable, Optional, Sequence

import numpy as np
from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dedup  # noqa: E402
from dedup import Document, ScanConfig, scan_documents, shingle_set, similarity  # noqa: E402
from dedup.io import parse_date, record_text  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
import wild  # noqa: E402
from saved_pages import SavedPages  # noqa: E402
from labelled_sets import (  # noqa: E402
    DEFAULT_DATA,
    dividend_reports,
    WORD5,
    Truth,
    agreed_truth,
    boilerplate_truths,
    chains_truth,
    load_reuters,
    match_corrections,
    revision_truth,
    seeds_truth,
    title_words,
)



# ---------------------------------------------------------------- scoring

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


# ---------------------------------------------------------------- saved web pages

def page_score(result: dedup.ScanResult, sp: "SavedPages") -> dict[str, object]:
    """Pairwise precision and recall of a scan of saved pages, and its wrong pairs within one site."""
    pred, _ = cluster_pairs(result)
    tp = pred & sp.positives
    wrong = pred - sp.positives
    site = sp.site_of
    same_site = [p for p in wrong if len({site[i] for i in p}) == 1]
    extractors: dict[str, int] = {}
    for d in result.documents:
        key = d.extractor or "text"
        extractors[key] = extractors.get(key, 0) + 1
    return {"P": len(tp) / len(pred) if pred else 1.0, "R": len(tp) / len(sp.positives), "wrong": len(wrong),
            "same_site": len(same_site), "missed": sorted(sorted(p) for p in sp.positives - pred),
            "extractors": extractors, "documents": len(result.documents), "candidates": result.candidates}


def page_rows(records: Sequence[dict], seed: int, show_missed: bool = True) -> list[list[str]]:
    """The saved-pages table: dedup's defaults on the page files, and the same pages scanned as text
    extracted by the built-in parser alone, by trafilatura alone, and by dedup without its template stage."""
    import tempfile

    import trafilatura

    from dedup.extract import extract_page
    from dedup.decode import html_to_text
    from saved_pages import build

    def traf(page: str) -> str:
        return trafilatura.extract(page, include_comments=False) or ""

    ways = (("built-in parser (text)", lambda h: html_to_text(h)[0]), ("trafilatura.extract (text)", traf),
            ("dedup, no template stage", lambda h: extract_page(h).text))
    rows = []
    for layout in ("mixed", "small"):
        sp = build(records, seed, layout)
        wire = sum(s.wire for s in sp.specs)
        with tempfile.TemporaryDirectory(prefix="dedup-pages-") as tmp:
            sp.write(Path(tmp))
            result = dedup.scan([tmp], ScanConfig())
        scores = [("dedup scan (defaults)", page_score(result, sp))]
        for name, fn in ways:
            docs = [Document(pid, fn(page)) for pid, page in sp.pages.items()]
            docs = [d for d in docs if d.text.strip()]
            scores.append((name, page_score(scan_documents(docs, ScanConfig()), sp)))
        for name, sc in scores:
            ex = sc["extractors"]
            rows.append([layout, name, str(len(sp.pages)), str(len(sp.sites)), str(wire), str(len(sp.positives)),
                         str(sc["candidates"]), fmt(sc["P"]), fmt(sc["R"]), str(sc["wrong"]), str(sc["same_site"]),
                         "/".join(str(ex.get(k, 0)) for k in ("trafilatura", "html", "blocks"))
                         if "text" not in ex else "-"])
        if show_missed and scores[0][1]["missed"]:
            print(f"  {layout}: pairs the defaults miss: {scores[0][1]['missed']}")
    return rows


PAGE_HEADER = ["set", "input", "pages", "sites", "wire", "pairs", "candidates", "P", "R", "wrong", "same-site",
               "extracted by"]


def print_pages_table(rows: Sequence[Sequence[str]]) -> None:
    table = [PAGE_HEADER] + list(rows)
    widths = [max(len(r[i]) for r in table) for i in range(len(PAGE_HEADER))]
    for r in table:
        print("  ".join(v.ljust(w) if i < 2 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))), flush=True)


# ---------------------------------------------------------------- title-only records

def title_only_report(records: Sequence[dict], config: ScanConfig) -> dict[str, int]:
    """What Reuters' title-only records (no body) do in a scan of the whole collection."""
    docs, title_only = [], set()
    for r in records:
        text = record_text(r, None)
        if not text:
            continue
        docs.append(Document(str(r["newid"]), text, date=parse_date(r.get("date"))))
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


# ---------------------------------------------------------------- in the wild

def wild_configs() -> list[tuple[str, ScanConfig]]:
    base = ScanConfig()
    return [("defaults", base), ("no occasion check", replace(base, occasion=False)),
            ("no date check", replace(base, date_window=0.0)), ("no figure check", replace(base, figures=0.0)),
            ("no subject check", replace(base, subject=1.0)), ("date window 2 days", replace(base, date_window=2.0)),
            ("subject 0.3", replace(base, subject=0.3)), ("short-text rule off", replace(base, short_words=0))]


def wild_table(sets: "Sets", records: Sequence[dict]) -> None:
    """Precision in the wild on all of Reuters (three labelled samples), with the revision sets beside it."""
    docs = wild.documents(records)
    samples = {name: (sample, wild.load_labels(sample.labels)) for name, sample in wild.SAMPLES.items()}
    design_same = {k for k, (label, _) in samples["design"][1].items() if label == "same"}
    print("Precision in the wild: a scan of all of Reuters-21578 (title + body, the record's date), its reported "
          "pairs scored on three samples of pairs read by hand (benchmarks/wild.py): test = drawn from the final "
          "defaults' pairs and labelled after the last change; heldout, design = read while the rule was "
          "designed. P with its 95% Wilson interval; n = labelled pairs in the sample; unl = sampled pairs "
          "nobody has read yet (not counted; P is '-' where more than 5% of a sample is unread). wild R = share of the design sample's 'same' pairs (drawn from "
          "what the rule without an occasion check reported) still reported. verified = share of cluster "
          "members that the whole rule accepts against the kept copy. rev R / Rc / c1 P / seeds as above.")
    header = ["config", "pairs", "test P", "test 95%", "n", "heldout P", "design P", "unl", "wild R", "verified",
              "rev R", "rev Rc", "c1 P", "seeds", "sec"]
    rows = [header]
    for name, config in wild_configs():
        t0 = time.perf_counter()
        result = scan_documents(docs, config)
        seconds = time.perf_counter() - t0
        reported = wild.reported_pairs(result)
        keys = {wild.pair_key(a, b) for a, b, _ in reported}
        cells = {}
        unlabelled = 0
        for sname, (sample, labels) in samples.items():
            sc = wild.score_pairs(reported, labels, sample)
            cells[sname] = sc
            unlabelled += len(sc.unlabelled)
        def p_of(sc: "wild.WildScore") -> str:
            # A sample with many unread pairs says little about this configuration.
            return fmt(sc.precision) if len(sc.unlabelled) <= 0.05 * sc.sampled else "-"

        lo, hi = cells["test"].interval
        members = sum(c.size - 1 for c in result.clusters)
        rev = run(sets.revisions, config) if sets.revisions is not None else None
        c1 = run(sets.chains["coder1"], config) if "coder1" in sets.chains else None
        seeds = run(sets.seeds, config)
        interval = f"[{lo:.3f}, {hi:.3f}]" if p_of(cells["test"]) != "-" else "-"
        rows.append([name, str(len(reported)), p_of(cells["test"]), interval,
                     str(cells["test"].labelled), p_of(cells["heldout"]), p_of(cells["design"]),
                     str(unlabelled), fmt(len(design_same & keys) / len(design_same)),
                     fmt(result.members_verified / members if members else 1.0),
                     fmt(rev.recall if rev else None), fmt(rev.subset_recall["CORRECTED"] if rev else None),
                     fmt(c1.precision if c1 else None),
                     "yes" if seeds.precision == 1.0 and seeds.recall == 1.0 else "no", f"{seconds:.1f}"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths))))


def template_check(records: Sequence[dict], n: int = 1000) -> None:
    """Reuters plus ``n`` dividend notices from one template with random figures: no pair among them."""
    docs = wild.documents(records)
    reports = dividend_reports(n)
    t0 = time.perf_counter()
    plain = scan_documents(docs)
    t1 = time.perf_counter()
    mixed = scan_documents(docs + reports)
    t2 = time.perf_counter()
    ids = [d.id for d in mixed.documents]
    among = sum(1 for p in mixed.pairs if ids[p.left].startswith("div") and ids[p.right].startswith("div"))
    touching = sum(1 for p in mixed.pairs if ids[p.left].startswith("div") or ids[p.right].startswith("div"))
    print(f"\nOne template, {n} reports with random figures and names, added to Reuters: {among} pairs among them, "
          f"{touching} touching them; candidates {plain.candidates} -> {mixed.candidates}; scan {t1 - t0:.1f} s -> "
          f"{t2 - t1:.1f} s ({(t2 - t1) / (t1 - t0):.2f}x); rejected by the occasion check: {mixed.rejected}")


# ---------------------------------------------------------------- tables

def fmt(x: Optional[float], digits: int = 3) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def label(config: ScanConfig) -> str:
    c = "off" if config.containment >= 1.0 else f"{config.containment:.2f}"
    b = "" if config.boilerplate_share == ScanConfig.boilerplate_share else f" bp{config.boilerplate_share:g}"
    lsh = "" if config.bands is None else f" {config.bands}x{config.rows}"
    short = "" if config.short_words == ScanConfig.short_words else f" s{config.short_words}"
    return f"{config.shingle_kind}{config.shingle_size} t{config.threshold:.2f} c{c}{lsh}{b}{short}"


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
        row += [fmt(r.precision), fmt(r.recall), fmt(r.subset_recall["generated"]),
                fmt(r.subset_recall["CORRECTED"]), fmt(r.f1), fmt(r.ari)]
    else:
        row += ["-"] * 6
    if sets.boiler is not None and sets.clean is not None:
        clean = run(sets.clean, config)
        boiler = run(sets.boiler, config)
        row += [str(boiler.false_clusters), fmt(clean.recall), fmt(boiler.recall)]
    else:
        row += ["-"] * 3
    return row


HEADER = ["config", "seeds", "c1 P", "c1 R", "c1 R.2", "c2 P", "c2 R", "c2 R.2", "c12 P", "rev P", "rev R",
          "rev Rg", "rev Rc", "rev F1", "rev ARI", "bp FC", "bp Rcl", "bp Rst"]


WIDTHS = [27, 6] + [7] * (len(HEADER) - 2)


def print_row(row: Sequence[str]) -> None:
    """One table row, columns at fixed widths so rows can be printed as they are computed."""
    widths = WIDTHS + [8] * (len(row) - len(WIDTHS))
    cells = [str(v).ljust(w) if i == 0 else str(v).rjust(w) for i, (v, w) in enumerate(zip(row, widths))]
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
    return [base, replace(base, short_words=0), replace(base, containment=0.6), replace(base, containment=0.5),
            replace(base, containment=0.5, bands=47, rows=2), replace(base, shingle_size=4),
            replace(base, shingle_size=3), replace(base, shingle_size=3, threshold=0.4, containment=0.5)]


def print_pages(records: Sequence[dict], seed: int) -> None:
    print("Saved web pages (saved_pages.py, seed %d): mixed = six large sites and twelve with two or three pages, "
          "small = three pages a site. dedup scan reads the page files with the defaults; the other rows scan the "
          "text of each page as extracted by the built-in parser, by trafilatura.extract, or by dedup's extraction "
          "without the template stage. wrong = false pairs, same-site = false pairs of two pages of one site, "
          "extracted by = pages whose text came from trafilatura / the built-in parser / the page's blocks less its "
          "site's template (trafilatura's text was all template)." % seed)
    print_pages_table(page_rows(records, seed))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder [default: %(default)s]")
    parser.add_argument("--seed", type=int, default=1987, help="seed of the generated sets [default: %(default)s]")
    parser.add_argument("--stories", type=int, default=400, help="Reuters originals in the revision set")
    parser.add_argument("--negatives", type=int, default=2, help="same-topic negatives per original")
    parser.add_argument("--short", type=int, default=150, help="short stories in the boilerplate set")
    parser.add_argument("--quick", action="store_true", help="defaults and the shingle sweep only")
    parser.add_argument("--no-sweep", action="store_true", help="defaults only")
    parser.add_argument("--wild", action="store_true", help="the precision-in-the-wild table and the template check only")
    parser.add_argument("--pages-only", action="store_true", help="the saved-pages table only")
    parser.add_argument("--pages-seed", type=int, default=11,
                        help="seed of the saved-pages sets [default: %(default)s]")
    args = parser.parse_args(argv)
    reuters = args.data / "reuters21578" / "reuters21578.jsonl.gz"
    if args.pages_only:
        if not reuters.exists():
            print(f"Reuters: {reuters} not found")
            return 1
        print_pages(load_reuters(reuters), args.pages_seed)
        return 0

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
    if records:
        wild_table(sets, records)
        template_check(records)
        print()
    if args.wild:
        print(f"\n(total {time.perf_counter() - t0:.1f} s)")
        return 0

    print("Columns: seeds = 000+001 found and nothing else; c1/c2 = story chains coder 1/2 (P precision, R recall "
          "on all positives, R.2 recall on positives with word 5-gram J >= 0.2); c12 P = precision on the pairs both "
          "coders label alike; rev = Reuters revision set (P precision, R recall on all its pairs, Rg / Rc recall on "
          "generated / CORRECTED pairs, F1, ARI); bp = boilerplate set (FC clusters mixing stories, Rcl / Rst recall without / with the "
          "site boilerplate).\n")
    default = ScanConfig()
    print(f"Defaults: {label(default)} ({default.num_perm} permutations, LSH {default.banding[0]} x "
          f"{default.banding[1]}, boilerplate share {default.boilerplate_share:g}, min docs "
          f"{default.boilerplate_min_docs})")
    rows = [evaluate_row(sets, default), evaluate_row(sets, replace(default, boilerplate_share=1.0)),
            evaluate_row(sets, replace(default, short_words=0))]
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
        print()
        print_pages(records, args.pages_seed)
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
        print("\nWhole Reuters collection (title + body and the date of each record; suspect = pair of stories with a body filed on "
              "different days or under titles sharing under half their words):")
        docs = wild.documents(records)  # title + body and each record's date, as `dedup scan FILE` reads them
        header = ["config", "LSH", "candidates", "pairs", "suspect", "clusters", "dups", "seconds"]
        rows = [header] + [collection_row(records, docs, cfg) for cfg in collection_configs()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        for r in rows:
            print("  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(r, widths))))
    if records and not args.no_sweep:
        print("\nShort-text rule by word limit (defaults otherwise; s0 = off), with the whole Reuters collection:")
        docs = wild.documents(records)  # title + body and each record's date, as `dedup scan FILE` reads them
        print_row(HEADER + ["pairs", "suspect", "seconds"])
        for words_limit in (0, 100, 150, 200, 300):
            cfg = replace(default, short_words=words_limit)
            coll = collection_row(records, docs, cfg)
            print_row(evaluate_row(sets, cfg) + [coll[3], coll[4], coll[7]])
    if not args.no_sweep:
        print("\nSweep (shingles, Jaccard threshold t, containment c):")
        print_table(evaluate_row(sets, cfg) for cfg in sweep_configs(args.quick))
    print(f"\n(total {time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
