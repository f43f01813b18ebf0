"""dedup.short: the short-text rule, on hand-written texts and on Reuters-21578.

``Reference`` restates the rule's three measures (word 2-gram containment,
number agreement, rare-word agreement) from the module docstring in plain
Python sets; the tests use it to show which measure accepts or blocks a pair.
"""

from __future__ import annotations

import gzip
import json
import random
from collections import Counter
from typing import NamedTuple

import numpy as np
import pytest
from click.testing import CliRunner

import dedup.pipeline
from dedup.cli import cli
from dedup.errors import ConfigError
from dedup.io import Document, record_text
from dedup.normalize import words
from dedup.pipeline import ScanConfig, ScanResult, scan_documents
from dedup.shingle import shingle_set
from dedup.short import ShortFeatures, ShortMatcher, ShortRule, short_features, short_pairs
from dedup.signature import MinHasher
from dedup.verify import similarity

from conftest import REUTERS, need

RULE = ShortRule()
DEFAULT = ScanConfig()

# An earnings report and its correction with the figures swapped back: the same
# facts, but hardly a word 5-gram in common.
REPORT = ("ZORBEX MINING CORP <ZRBX> 2ND QTR NET\n\n"
          "Shr 14 cts vs nine cts\n    Net 1,250,000 vs 806,000\n    Revs 9,410,000 vs 7,002,000\n"
          "    Six mths\n    Shr 25 cts vs 17 cts\n    Net 2,310,000 vs 1,544,000\n Reuter")
CORRECTION = ("CORRECTED - ZORBEX MINING CORP <ZRBX> 2ND QTR\n\n"
              "Shr nine cts vs 14 cts\n    Net 806,000 vs 1,250,000\n    Revs 7,002,000 vs 9,410,000\n"
              "    Six mths\n    Shr 17 cts vs 25 cts\n    Net 1,544,000 vs 2,310,000\n"
              "    NOTE: Corrects reversed figures in March 3 item.\n Reuter")
# Two dividend notices of one company from one template; only the figures and months differ.
SPRING = ("Zorbex Mining said its board declared a quarterly dividend of 14 cts a share, payable April 2 to "
          "shareholders of record on March 16, and said it expects to keep the payout steady.")
SUMMER = ("Zorbex Mining said its board declared a quarterly dividend of 18 cts a share, payable July 3 to "
          "shareholders of record on June 15, and said it expects to keep the payout steady.")
# SUMMER with SPRING's figures: differs from SUMMER in the figures only.
SUMMER_SPRING_FIGURES = SUMMER.replace("18 cts", "14 cts").replace("July 3", "July 2").replace("June 15", "June 16")


# ---------------------------------------------------------------- helpers

class Measures(NamedTuple):
    containment: float
    numbers: float
    rare: float

    def accepted(self, rule: ShortRule = RULE) -> bool:
        return self.containment >= rule.containment and self.numbers >= rule.numbers and self.rare >= rule.rare


def _has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)


def _share(a: set, b: set, both_empty: float) -> float:
    """|a & b| over the smaller set's size."""
    if not a or not b:
        return both_empty if not a and not b else 0.0
    return len(a & b) / min(len(a), len(b))


class Reference:
    """The rule's measures for pairs of short texts, as the dedup.short docstring defines them.

    Args:
        texts: every short text of the scan (the rare-word counts are over all of them).
    """

    def __init__(self, texts: list[str]) -> None:
        tokens = [words(t) for t in texts]
        assert all(0 < len(ws) <= RULE.max_words for ws in tokens)
        df = Counter(w for ws in tokens for w in set(ws))
        cutoff = max(5, int(0.002 * len(texts)))
        self.bigrams = [set(zip(ws, ws[1:])) for ws in tokens]
        self.numbers = [{w for w in ws if _has_digit(w)} for ws in tokens]
        self.rare = [{w for w in ws if df[w] <= cutoff and not _has_digit(w)} for ws in tokens]

    def __call__(self, i: int, j: int) -> Measures:
        return Measures(_share(self.bigrams[i], self.bigrams[j], 0.0),
                        _share(self.numbers[i], self.numbers[j], 1.0),
                        _share(self.rare[i], self.rare[j], 0.0))


def pair(a: str, b: str) -> frozenset[str]:
    return frozenset((a, b))


def pairs_by_id(result: ScanResult) -> dict[frozenset[str], str]:
    """{pair of ids: rule} of a scan's pairs."""
    ids = [d.id for d in result.documents]
    return {pair(ids[p.left], ids[p.right]): p.rule for p in result.pairs}


def docs_of(texts: dict[str, str]) -> list[Document]:
    return [Document(k, v) for k, v in texts.items()]


def features(texts: list[str]) -> ShortFeatures:
    return short_features(texts, [len(words(t)) for t in texts], RULE.max_words)


def matches(texts: list[str]) -> list[tuple[int, int]]:
    """The pairs short_pairs accepts among the texts, on its own (no shingle rule)."""
    return [(m.left, m.right) for m in short_pairs(features(texts), RULE, MinHasher(DEFAULT.num_perm, DEFAULT.seed))]


def other_company(text: str, k: int, name: str) -> str:
    """The text about another company, with its digits shuffled (its own figures)."""
    digits = list("0123456789")
    random.Random(k).shuffle(digits)
    text = text.translate(str.maketrans("0123456789", "".join(digits)))
    return text.replace("ZORBEX", name.upper()).replace("ZRBX", name[:4].upper())


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


# ---------------------------------------------------------------- the rule on hand-written texts

def test_a_correction_with_swapped_figures_is_paired_by_the_short_rule_only():
    jac, a_in_b, b_in_a = similarity(shingle_set(REPORT), shingle_set(CORRECTION))
    assert jac < 0.05 and max(a_in_b, b_in_a) < 0.05
    m = Reference([REPORT, CORRECTION])(0, 1)
    assert m.accepted() and m.numbers == 1.0
    docs = docs_of({"report": REPORT, "correction": CORRECTION})
    assert pairs_by_id(scan_documents(docs)) == {pair("report", "correction"): "short"}
    assert scan_documents(docs, ScanConfig(short_words=0)).pairs == ()
    # The limit counts words: the report has 45, the correction 53.
    assert pairs_by_id(scan_documents(docs, ScanConfig(short_words=53))) == {pair("report", "correction"): "short"}
    assert scan_documents(docs, ScanConfig(short_words=52)).pairs == ()


def test_numbers_that_disagree_block_a_pair():
    ref = Reference([SPRING, SUMMER, SUMMER_SPRING_FIGURES])
    blocked, control = ref(0, 1), ref(0, 2)
    # Same template, same company: enough word pairs and rare words in common; the figures differ.
    assert blocked.containment >= RULE.containment and blocked.rare >= RULE.rare
    assert blocked.numbers == 0.0
    assert control.accepted() and control.numbers == 1.0
    assert matches([SPRING, SUMMER]) == []
    assert matches([SPRING, SUMMER_SPRING_FIGURES]) == [(0, 1)]
    assert scan_documents(docs_of({"spring": SPRING, "summer": SUMMER})).pairs == ()


def test_figures_on_one_side_only_block_a_pair():
    no_figures = SPRING.replace(" of 14 cts a share", "").replace(" April 2", " in April").replace(
        " March 16", " in March")
    ref = Reference([SPRING, no_figures])
    m = ref(0, 1)
    assert m.containment >= RULE.containment and m.rare >= RULE.rare and m.numbers == 0.0
    assert ref.numbers[1] == set()
    assert matches([SPRING, no_figures]) == []


def test_same_figures_from_another_company_are_blocked_by_rare_words():
    names = ("Zorbex", "Quillon", "Marrat", "Fendal", "Ostrowe")
    texts = [other_company(t, k, name) for t in (REPORT, CORRECTION) for k, name in enumerate(names)]
    # Zorbex's report under another name: the same figures, rare in these texts, make it a candidate.
    texts.append(other_company(REPORT, 0, "Pellam"))
    ref = Reference(texts)
    m = ref(0, 10)
    assert m.containment >= RULE.containment and m.numbers == 1.0 and m.rare == 0.0
    assert ref.rare[10] == {"pellam", "pell"}
    assert matches(texts) == [(k, k + 5) for k in range(5)]


def test_text_of_common_words_only_never_matches_by_the_short_rule():
    p = "the council said on tuesday it would close the library and sell the old school building next year"
    q = "next year the council would sell the old school building and close the library it said on tuesday"
    # Six other short texts made of the same words make every word common (in more than 5 texts).
    vocabulary = sorted(set(p.split()) | set(q.split()))
    filler = {}
    for k in range(6):
        shuffled = vocabulary[:]
        random.Random(k).shuffle(shuffled)
        filler[f"filler{k}"] = " ".join(shuffled)
    jac, p_in_q, q_in_p = similarity(shingle_set(p), shingle_set(q))
    assert jac < DEFAULT.threshold and max(p_in_q, q_in_p) < DEFAULT.containment
    texts = {**filler, "p": p, "q": q}
    m = Reference(list(texts.values()))(6, 7)
    assert m.containment >= RULE.containment and m.numbers == 1.0 and m.rare == 0.0
    assert scan_documents(docs_of(texts)).pairs == ()
    # One shared name (a rare word) is all the pair lacked.
    named = {**filler, "p": "Zorbex " + p, "q": q + " in Zorbex"}
    assert pairs_by_id(scan_documents(docs_of(named))) == {pair("p", "q"): "short"}


def test_short_features_skip_long_and_empty_texts():
    texts = ["Gold rose on Monday", "", "one two three four five six seven", "Zinc 12 pct", "   "]
    f = short_features(texts, [len(words(t)) for t in texts], 5, offset=10)
    assert f.index.tolist() == [10, 13]
    assert f.token_lengths.tolist() == [4, 3]
    assert f.bigram_lengths.tolist() == [3, 2]
    assert f.number_lengths.tolist() == [0, 1]
    assert len(f) == 2
    assert len(short_features(texts, [len(words(t)) for t in texts], 2)) == 0
    assert len(short_features(["", "   "], [0, 0], 150)) == 0


def test_texts_without_normalized_words_are_left_out():
    # Character shingles count words by whitespace: "-- ?! --" has three, but no normalized word.
    f = short_features(["-- ?! --", "Gold rose"], [3, 2], 150)
    assert f.index.tolist() == [1] and f.token_lengths.tolist() == [2]
    config = ScanConfig(shingle_kind="char", threshold=1.0, containment=1.0)
    for order in (["dashes", "report", "correction"], ["report", "dashes", "correction"],
                  ["report", "correction", "dashes"]):
        texts = {"report": REPORT, "correction": CORRECTION, "dashes": "-- ?! --"}
        result = scan_documents(docs_of({k: texts[k] for k in order}), config)
        assert pairs_by_id(result) == {pair("report", "correction"): "short"}


def test_short_rule_settings_are_checked():
    message = "The 'short_words' parameter must be an int >= 0. Got -1 instead."
    with pytest.raises(ConfigError, match=message):
        ShortRule(-1)
    with pytest.raises(ConfigError, match=message):
        ScanConfig(short_words=-1)
    with pytest.raises(ConfigError, match="The 'short_words' parameter must be an int >= 0. Got 1.5 instead."):
        ShortRule(1.5)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"The 'numbers' parameter must be in \(0.0, 1.0\]. Got 0.0 instead."):
        ShortRule(numbers=0.0)
    with pytest.raises(ConfigError, match=r"The 'containment' parameter must be in \(0.0, 1.0\]. Got 1.5 instead."):
        ShortRule(containment=1.5)
    assert not ShortRule(0).enabled and ShortRule(1).enabled
    assert ShortRule().cutoff(100) == 5 and ShortRule().cutoff(10_000) == 20


def test_short_pairs_needs_two_documents_with_rare_words():
    assert matches([REPORT]) == []
    assert list(short_pairs(ShortFeatures.empty(), RULE, MinHasher())) == []


def test_scans_are_deterministic_across_runs_and_workers(monkeypatch):
    names = ("Zorbex", "Quillon", "Marrat", "Fendal", "Ostrowe")
    texts = {}
    for kind, text in (("report", REPORT), ("copy", REPORT), ("correction", CORRECTION)):
        texts.update({f"{name}-{kind}": other_company(text, k, name) for k, name in enumerate(names)})
    docs = docs_of(texts)
    # Batches of four put the two documents of every pair in different batches (and worker processes).
    monkeypatch.setattr(dedup.pipeline, "BATCH", 4)
    first = scan_documents(docs)
    assert first.pairs == scan_documents(docs).pairs
    with_workers = scan_documents(docs, ScanConfig(jobs=2))
    assert first.pairs == with_workers.pairs and first.clusters == with_workers.clusters
    expected = {}
    for name in names:
        expected[pair(f"{name}-report", f"{name}-copy")] = "shingles"
        expected[pair(f"{name}-report", f"{name}-correction")] = "short"
        expected[pair(f"{name}-copy", f"{name}-correction")] = "short"
    assert pairs_by_id(first) == expected


# ---------------------------------------------------------------- CLI

@pytest.fixture
def correction_folder(tmp_path):
    (tmp_path / "report.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "correction.txt").write_text(CORRECTION, encoding="utf-8")
    return tmp_path


def test_cli_settings_line_names_the_short_rule_unless_it_is_off(seeds):
    occasion = (", and nothing says another occasion or subject (dates within 1 day, figures >= 0.6, "
                "subject <= 0.2), keep longest")
    rule = " (or, up to 150 words, by the short-text rule)"
    r = run("scan", seeds)
    assert r.exit_code == 0 and r.stdout.splitlines()[-1].endswith("containment >= 0.55" + rule + occasion)
    r = run("scan", seeds, "--short-words", "0")
    assert r.exit_code == 0 and r.stdout.splitlines()[-1].endswith("containment >= 0.55" + occasion)
    assert "short-text rule" not in r.stdout
    r = run("scan", seeds, "--short-words", "40", "-f", "json")
    assert json.loads(r.stdout)["summary"]["settings"]["short_words"] == 40


def test_cli_pair_records_say_which_rule(seeds, correction_folder):
    r = run("scan", seeds, "--pairs", "-f", "jsonl")
    assert [json.loads(x)["rule"] for x in r.stdout.splitlines()] == ["shingles"]
    r = run("scan", correction_folder, "--pairs", "-f", "jsonl")
    assert r.exit_code == 0
    (record,) = [json.loads(x) for x in r.stdout.splitlines()]
    assert record["rule"] == "short" and {record["a"], record["b"]} == {"report.txt", "correction.txt"}
    assert record["jaccard"] < 0.05
    r = run("scan", correction_folder, "--pairs")
    assert "  jaccard 0.02  a in b 0.04  b in a 0.05  accepted by the short-text rule (up to 150 words)\n" in r.stdout
    r = run("scan", correction_folder, "--pairs", "-f", "csv")
    header, row = r.stdout.splitlines()
    # The occasion check's values follow, as in JSON's "checks" (a correction: 1).
    checks = json.loads(run("scan", correction_folder, "--pairs", "-f", "jsonl").stdout)["checks"]
    assert header.endswith(",rule,days,figures,subject,correction")
    assert row.endswith(",short," + ",".join("" if checks[k] is None else str(int(checks[k]) if k == "correction"
                                                                              else checks[k])
                                             for k in ("days", "figures", "subject", "correction")))
    assert row.endswith(",1")
    r = run("scan", correction_folder, "--pairs", "-f", "csv", "--no-occasion")
    assert r.stdout.splitlines()[0].endswith(",rule")
    r = run("scan", correction_folder, "--pairs", "-f", "jsonl", "--short-words", "0")
    assert r.exit_code == 0 and r.stdout == ""


def test_cli_negative_short_words_is_a_usage_error(seeds):
    r = run("scan", seeds, "--short-words", "-1")
    assert r.exit_code == 2 and r.stdout == ""
    errors = [line for line in r.stderr.splitlines() if line.startswith("Error")]
    assert errors == ["Error: Invalid value for '--short-words': must be an int >= 0. Got -1 instead."]


# ---------------------------------------------------------------- Reuters-21578

# A report and its correction: NETWORK VIDEO (figures reversed), UNIVERSITY PATENTS (losses shown as profits).
CORRECTIONS = [("3668", "4169"), ("6105", "6594")]
# Same-template reports the short rule must keep apart, and the measure that does it:
# U.K. money-market help on 4 March and 7 April; dividend notices of Brenco and Rowe Furniture.
TEMPLATED = [(("1457", "13825"), "numbers"), (("461", "4025"), "rare")]


@pytest.fixture(scope="module")
def reuters() -> dict[str, dict]:
    with gzip.open(need(REUTERS), "rt", encoding="utf-8") as fh:
        return {str(r["newid"]): r for r in map(json.loads, fh)}


def text_of(record: dict) -> str:
    return record_text(record, None) or ""


def is_short(record: dict) -> bool:
    return 0 < len(words(text_of(record))) <= RULE.max_words


def earnings_reports(reuters: dict[str, dict]) -> dict[str, str]:
    """The corrected reports and 40 other short earnings reports, id -> text.

    Headline-only flashes are left out: each is contained in its own full
    report, a different question from templates.
    """
    chosen = [i for pair in CORRECTIONS for i in pair]
    others = [k for k, r in reuters.items()
              if k not in chosen and ("QTR" in r["title"] or "NET" in r["title"].split())
              and r["body"].strip() and is_short(r)]
    return {k: text_of(reuters[k]) for k in chosen + others[:40]}


def test_reuters_corrections_are_found_by_the_short_rule_only(reuters):
    texts = earnings_reports(reuters)
    for a, b in CORRECTIONS:
        jac, a_in_b, b_in_a = similarity(shingle_set(texts[a]), shingle_set(texts[b]))
        assert jac < DEFAULT.threshold and max(a_in_b, b_in_a) < DEFAULT.containment
    assert similarity(shingle_set(texts["3668"]), shingle_set(texts["4169"]))[0] < 0.05
    docs = docs_of(texts)
    shingles_only = pairs_by_id(scan_documents(docs, ScanConfig(short_words=0)))
    assert set(shingles_only.values()) <= {"shingles"}
    assert not any(pair(a, b) in shingles_only for a, b in CORRECTIONS)
    both = scan_documents(docs)
    # The short rule adds the two corrections and nothing else.
    assert pairs_by_id(both) == {**shingles_only, **{pair(a, b): "short" for a, b in CORRECTIONS}}
    groups = {frozenset(m.id for m in c.members) for c in both.clusters}
    assert {pair(a, b) for a, b in CORRECTIONS} <= groups


def test_reuters_short_pairs_measure_what_the_rule_says(reuters):
    texts = list(earnings_reports(reuters).values())
    ref = Reference(texts)
    rule_matches = list(short_pairs(features(texts), RULE, MinHasher(DEFAULT.num_perm, DEFAULT.seed)))
    assert [(m.left, m.right) for m in rule_matches] == [(0, 1), (2, 3)]
    for m in rule_matches:
        assert (m.containment, m.numbers, m.rare) == pytest.approx(tuple(ref(m.left, m.right)))
        assert ref(m.left, m.right).accepted()


def test_reuters_templated_reports_are_not_paired(reuters):
    family = {k: text_of(r) for k, r in reuters.items()
              if ("U.K. MONEY MARKET" in r["title"] or "QTLY DIV" in r["title"]) and is_short(r)}
    ids = list(family)
    ref = Reference(list(family.values()))
    result = scan_documents(docs_of(family))
    got = pairs_by_id(result)
    together = {frozenset(m.id for m in c.members) for c in result.clusters}
    for (a, b), blocker in TEMPLATED:
        m = ref(ids.index(a), ids.index(b))
        assert m.containment >= RULE.containment
        if blocker == "numbers":
            assert m.numbers < RULE.numbers and m.rare >= RULE.rare
        else:
            assert m.rare < RULE.rare and m.numbers >= RULE.numbers
        assert pair(a, b) not in got and not any({a, b} <= group for group in together)
    # The template is everywhere: hundreds of pairs share half their word pairs. What the short
    # rule accepts passes all three of its tests.
    shared = [(i, j) for i in range(len(ids)) for j in range(i + 1, len(ids))
              if ref(i, j).containment >= RULE.containment]
    assert len(shared) > 300
    short = [tuple(ids.index(k) for k in ab) for ab, rule in got.items() if rule == "short"]
    assert len(short) < 10
    # The rule alone (the occasion check, which parts the morning's report from the afternoon's, off).
    alone = pairs_by_id(scan_documents(docs_of(family), ScanConfig(occasion=False)))
    short = [tuple(ids.index(k) for k in ab) for ab, rule in alone.items() if rule == "short"]
    assert 0 < len(short) < 10
    for i, j in short:
        assert ref(i, j).accepted()


def _one_by_one_and_at_once(texts: list[str]) -> tuple[list, list]:
    matcher = ShortMatcher(features(texts), RULE)
    rows = np.array([(a, b) for a in range(len(texts)) for b in range(len(texts)) if a != b], dtype=np.int64)
    one_by_one = [m for m in (matcher._decide(a, b) for a, b in rows.tolist()) if m is not None]
    return one_by_one, matcher._decide_all(rows[:, 0], rows[:, 1])


def test_pairs_decided_at_once_are_those_decided_one_by_one():
    # Figures on one side only, on neither, a correction's swapped figures, a template's other figures.
    texts = [REPORT, CORRECTION, SPRING, SUMMER, SUMMER_SPRING_FIGURES, SPRING.replace("14 cts", "fourteen cents"),
             "Zorbex Mining said its board met today and named a new chairman, Anna Quist, from June",
             "Zorbex Mining said its board met today and named a new chairman, Anna Quist, from July"]
    one_by_one, at_once = _one_by_one_and_at_once(texts)
    assert one_by_one and at_once == one_by_one


def test_reuters_pairs_decided_at_once_are_those_decided_one_by_one(reuters):
    texts = [text_of(r) for r in reuters.values() if is_short(r)][:400]
    one_by_one, at_once = _one_by_one_and_at_once(texts)
    assert len(one_by_one) > 20 and at_once == one_by_one
