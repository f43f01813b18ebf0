"""The occasion check (dedup.occasion): dates, whole figures and the subject of the first line, on
hand-written texts and on Reuters-21578; clusters that never chain through a hub; thresholds that
only add pairs when loosened; the index applying the same rule (`dedup explain`: test_explain.py)."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from conftest import REUTERS, SEEDS, need
from dedup import Document, Index, ScanConfig, read_documents, scan_documents
from dedup.features import hash_batch
from dedup.records import separate_titles
from dedup.signature import MinHasher
from dedup.cli import cli
from dedup.cluster import trusted_groups
from dedup.normalize import words
from dedup.occasion import (Evidence, OccasionRule, WordWeights, agreement, decode_evidence, digit_sets, encode_evidence,
                            dateless, figure_hashes, figure_sets, figures, first_line, headline_sessions,
                            is_correction, lead, letter_sets, sessions, LEAD_WORDS)
from dedup.shingle import batch_token_hashes, batch_word_tokens, sets_from_hashes, shingle_hash
from dedup.index_store import decode_set, encode_set

DAY = timedelta(days=1)
T0 = datetime(1987, 3, 3, 14, 0, tzinfo=timezone.utc)


def u32(*values: int) -> np.ndarray:
    return np.array(sorted(set(values)), dtype=np.uint32)


# ---------------------------------------------------------------- figures and marks

def test_figures_are_whole_tokens():
    assert figures("rose to 350,000 from 150,000 shares") == ["350000", "150000"]
    assert figures("6.1 pct vs 7.1 pct, at 6-1/4 or 6 1/8, up 1/8") == ["6.1", "7.1", "6-1/4", "6-1/8", "1/8"]
    # A spelled-out number is its value: a notice's "Pay July four" and its repeat's "Pay July 4" agree.
    assert figures("Pay May five, record April 15, Seventy") == ["5", "15", "70"]
    assert figure_hashes("Pay July four").tolist() == figure_hashes("Pay July 4").tolist()
    # A comma that does not group thousands separates two figures.
    assert figures("in 1986,1987 and 1,250,000") == ["1986", "1987", "1250000"]
    assert "one" not in figures("one of the banks")


def _reference_figure_set(text: str) -> np.ndarray:
    import zlib
    return np.unique(np.array([zlib.crc32(f.encode()) for f in figures(text)], dtype=np.uint32))


def _reuters_texts(n: int) -> list[str]:
    import gzip
    texts = []
    with gzip.open(need(REUTERS), "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            text = "\n\n".join(v for v in (rec.get("title"), rec.get("body")) if v)
            if text.strip():
                texts.append(text)
            if len(texts) == n:
                break
    return texts


@pytest.mark.parametrize("source", ["reuters", "written"])
def test_batch_figure_sets_are_the_figures_of_each_text(source):
    texts = _reuters_texts(3000) if source == "reuters" else [
        "", "no figures here", "Five Cats and TWO dogs, 1,250,000 of them at 6 1/4 and 6-1/8",
        "Ünïcode twenty 3,5 and 12,345.67 fourteen\u00a0ninety", "1986,1987 four-five one"]
    values, lengths = figure_sets(texts)
    assert len(lengths) == len(texts) and int(lengths.sum()) == len(values)
    ends = np.cumsum(lengths)
    for k, text in enumerate(texts):
        got = values[ends[k] - lengths[k]:ends[k]]
        assert got.tolist() == _reference_figure_set(text).tolist(), text[:80]
        assert figure_hashes(text).tolist() == got.tolist()
    assert int((lengths > 0).sum()) >= (len(texts) // 2 if source == "reuters" else 3)


def test_spelled_out_numbers_are_words_as_dedup_splits_them():
    # An underscore separates words for dedup, so "four_five" holds two numbers.
    assert len(figure_hashes("lot four_five")) == 2
    assert figures("lot four_five") == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(list("ab1 Ä\n\r\x0c\u2028.,_-") + ["two", "Nine", "7,000"]),
                         max_size=40).map("".join), min_size=1, max_size=6))
def test_word_sets_split_words_with_and_without_digits(texts):
    tokens = batch_word_tokens(texts)
    hashes, counts = batch_token_hashes(texts)
    assert tokens.hashes.tolist() == hashes.tolist() and tokens.counts.tolist() == counts.tolist()
    flags = [not w.isalpha() for t in texts for w in words(t)]
    assert tokens.digits.tolist() == flags
    for got, keep in ((digit_sets(texts, tokens), True), (letter_sets(texts, tokens), False)):
        picked = [" ".join(w for w in words(t) if (not w.isalpha()) == keep) for t in texts]
        want = sets_from_hashes(*batch_token_hashes(picked), 1)
        assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
    for t in texts:
        assert first_line(t).strip() == next((line.strip() for line in t.splitlines() if line.strip()), "")


def test_a_draw_of_numbers_joined_by_hyphens_is_one_figure():
    # Two days' draws share their single digits, not their draws.
    assert figures("Pick 3: 4-7-1. Fireball: 9. Cash 5: 06-11-19-27-33.") == ["3", "4-7-1", "9", "5", "06-11-19-27-33"]
    # A score, a season, a phone number or a date stay their numbers, as "24 to 17" or "Nov. 19, 2026" give them.
    assert figures("won 24-17 in 1986-87, call 937-333-2677 on 2026-11-19") == [
        "24", "17", "1986", "87", "937", "333", "2677", "2026", "11", "19"]
    assert figures("a 50-50 venture, 6-1/4 pct, 4-7-123") == ["50", "50", "6-1/4", "4", "7", "123"]
    # Typeset with en dashes, a draw is the same figure; a score or a range stays its numbers.
    assert figures("Pick 3: 4\u20137\u20131. Won 24\u201317 in 1986\u201387.") == [
        "3", "4-7-1", "24", "17", "1986", "87"]
    assert figure_hashes("Pick 3: 4\u20137\u20131").tolist() == figure_hashes("Pick 3: 4-7-1").tolist()
    a, b = figure_hashes("Pick 3: 4-7-1. Pick 4: 0-3-3-8."), figure_hashes("Pick 3: 1-7-4. Pick 4: 3-0-8-3.")
    assert agreement(a, b) == 0.5  # "3" and "4" only


def test_a_correction_noted_at_the_end_or_in_a_title_is_one():
    story = "Budget talks stall\n\n" + "The council met on Tuesday to discuss the budget. " * 12
    assert not is_correction(story)
    assert is_correction(story + "\nCorrection: An earlier version of this story misstated the council's vote.")
    assert is_correction(story + "\nThis article has been corrected.")
    # A line's end is not its start; the word anywhere is not a mark; nor a site's menu, a statistic "corrected
    # for" something, or a quote.
    assert not is_correction(story + " Correction: none.") and not is_correction(story + "\nHouse of Corrections staff")
    for tail in ("\n\nAbout us\nCorrections\nPrivacy policy", "\nOutput rose 0.4 pct (corrected for seasonal effects).",
                 '\n"We corrected it on the spot," said the owner.'):
        assert not is_correction(story + tail), tail
    # A long note, a note under a copyright line, a clarification, "updated to correct".
    note = ("Correction: An earlier version of this story misstated the number of council members who voted for "
            "the budget; it was seven, not nine, and the vote took place on Tuesday, not on Monday.")
    assert is_correction(story + "\n" + note) and is_correction(story + "\n" + note + "\n\nCopyright 2026 AP.")
    assert is_correction(story + "\nClarification: the council has nine members.")
    assert is_correction(story + "\nThis story has been updated to correct the vote count.")
    # A short text: its lines after the first 200 characters, not a line's middle there.
    assert not is_correction("x" * 195 + " Mid Correction: a word in the middle of a line, past character 200.")
    assert is_correction("Head\n" + "y " * 100 + "\nCorrection: the name was misspelled.")
    docs = [Document("orig", "Northgate mall sold\n\n" + story),
            Document("fix", story, title="CORRECTED-Northgate mall sold")]
    hashed = hash_batch([d.text for d in docs], ScanConfig(), MinHasher(), separate_titles(docs))
    assert hashed.occasion.corrections.tolist() == [False, True]


def test_corrections_say_so_near_the_start():
    assert is_correction("CORRECTED - GAF <GAF> OFFERS 46 DLRS")
    assert is_correction("(Corrects amount in paragraph two)\nThe company said...")
    assert not is_correction("Stocks fell. " + "x " * 200 + "a technical correction in prices")
    for marked in ("(CORRECTED) - BANPONCE PLACES NOTES", "CORRECTED-NETWORK VIDEO INC 3RD QTR",
                   "REFILE-CORRECTED-ACME BUYS WIDGET", "UPDATE 2-CORRECTED-ACME BUYS WIDGET",
                   "MEDIA GENERAL UPS DIV (CORRECTS TO SHOW RAISE IN ANNUAL DIV)", "Acme buys Widget (corrected)",
                   "Council vote\n\nCorrection: the vote was 5-4.", "Council vote\nCORRECTION\nThe vote was 5-4.",
                   "CORRECTIONS: A story on Monday misstated the vote.",
                   "An earlier version of this story gave the wrong date.",
                   "This story has been corrected to show the final vote.", "We corrected this story to fix a name.",
                   "Editor's note: this story was updated and corrected."):
        assert is_correction(marked), marked
    # The word anywhere in the first lines is not a mark: it waived the date, figure and subject checks, and
    # three days' market closes ("correction territory") and weekly jail counts were one story each.
    for unmarked in ("Stocks fell as the Nasdaq Composite remained in correction territory on Monday.",
                     "The Lakeshore County Department of Correction said the jail held 412 people.",
                     "UK EQUITIES SEEN DUE FOR DOWNWARD CORRECTION",
                     "Correction officers rally for higher pay at the state prison",
                     "The effect of rate movements in correcting international trade imbalances",
                     "Market correction: Nasdaq extends slide", "Department of Corrections: inmate count 412",
                     "Nasdaq corrects 10% from its peak", "Correcting course: Fed signals pause",
                     "He has been corrected by the judge twice", "The earlier version of this phone had a notch"):
        assert not is_correction(unmarked), unmarked


def test_agreement_counts_the_smaller_set():
    assert agreement(u32(1, 2, 3), u32(1, 2, 3, 4, 5)) == 1.0
    assert agreement(u32(1, 2, 3), u32(1, 9)) == 0.5
    assert agreement(u32(), u32(1)) is None


# ---------------------------------------------------------------- the rule on evidence

def weights_for(docs: int, counts: dict[int, int]) -> WordWeights:
    return WordWeights(lambda w: np.array([counts.get(int(x), 0) for x in w], dtype=np.int64), docs)


COMMON = {w: 900 for w in range(1, 20)}  # words in most of 1,000 documents


def ev(words=range(1, 20), figs=(), lead_words=range(1, 6), date=None, correction=False, n=40) -> Evidence:
    return Evidence(u32(*words), u32(*figs), u32(*lead_words), date, correction, n)


def test_date_window_rejects_another_day_unless_a_correction_or_a_long_copy():
    rule, w = OccasionRule(), weights_for(1000, COMMON)
    same_day = rule.check(ev(date=T0), ev(date=T0 + 0.3 * DAY), 0.6, 0.8, w)
    assert same_day.passed and abs(same_day.days - 0.3) < 1e-9
    # A daily item published at the same hour is exactly a day apart: another day's item (it passed); two
    # dates without a time (midnight UTC, as they are read) a day apart may be one story's versions.
    assert rule.check(ev(date=T0), ev(date=T0 + DAY), 0.6, 0.8, w).failed == ("dates",)
    day = datetime(2026, 11, 30, tzinfo=timezone.utc)
    assert rule.check(ev(date=day), ev(date=day + DAY), 0.6, 0.8, w).passed
    local_midnight = datetime(2026, 11, 30, tzinfo=timezone(timedelta(hours=-5)))  # 05:00 UTC: a time given
    assert rule.check(ev(date=local_midnight), ev(date=local_midnight + DAY), 0.6, 0.8, w).failed == ("dates",)
    # A date without a time stands for its whole day: a print copy dated March 3 and the story published at
    # 22:40 -05:00 that day (03:40 UTC the next) were 1.15 days apart; two days on is still another day.
    story = datetime(2026, 3, 3, 22, 40, tzinfo=timezone(timedelta(hours=-5)))
    printed = datetime(2026, 3, 3, tzinfo=timezone.utc)
    assert rule.check(ev(date=printed), ev(date=story), 0.7, 0.98, w).passed
    assert rule.check(ev(date=printed), ev(date=story + 2 * DAY), 0.7, 0.98, w).failed == ("dates",)
    later = rule.check(ev(date=T0), ev(date=T0 + 3 * DAY), 1.0, 1.0, w)
    assert later.failed == ("dates",)  # a 40-word notice repeated word for word is the next notice
    assert rule.check(ev(date=T0), ev(date=T0 + 3 * DAY, correction=True), 0.4, 0.6, w).passed
    assert rule.check(ev(date=T0, n=400), ev(date=T0 + 3 * DAY, n=400), 0.95, 0.97, w).passed
    assert rule.check(ev(date=None), ev(date=T0 + 30 * DAY), 0.6, 0.8, w).passed  # no date: no evidence
    assert OccasionRule(window_days=0).check(ev(date=T0), ev(date=T0 + 9 * DAY), 0.6, 0.8, w).passed


def test_a_long_story_refiled_within_three_days_is_a_copy_a_recurring_report_is_not():
    rule, w = OccasionRule(), weights_for(1000, COMMON)
    # A weekend story run again, shorter, on Monday (Reuters 5161 and 5325: Jaccard 0.49, the shorter one
    # found 0.88 in the longer, its figures all there): a copy, whatever the dates.
    story, monday = ev(date=T0, n=219, figs=[1, 2, 3]), ev(date=T0 + 1.38 * DAY, n=132, figs=[1, 2])
    refiled = rule.check(story, monday, 0.49, 0.88, w)
    assert refiled.passed and refiled.copy and refiled.refiled
    assert rule.check(story, ev(date=T0 + 1.38 * DAY, n=132), 0.49, 0.88, w).passed  # no figure: nothing differs
    # Not when a figure of each is missing from the other (next month's estimates), three days or more
    # apart, less of it found in the other, or a short notice.
    assert rule.check(story, ev(date=T0 + DAY, n=219, figs=[1, 2, 4]), 0.77, 0.87, w).failed == ("dates",)
    assert rule.check(story, ev(date=T0 + 3 * DAY, n=132, figs=[1, 2]), 0.49, 0.88, w).failed == ("dates",)
    assert rule.check(story, monday, 0.49, 0.75, w).failed == ("dates",)
    assert rule.check(ev(date=T0, n=60), ev(date=T0 + 1.38 * DAY, n=60), 0.9, 0.95, w).failed == ("dates",)
    assert not rule.check(ev(date=T0, n=400), ev(date=T0 + 3 * DAY, n=400), 0.95, 0.97, w).refiled  # a copy
    # Days as the date check counts them: a date without a time stands for its whole day.
    printed = datetime(2026, 3, 3, tzinfo=timezone.utc)
    assert rule.check(ev(date=printed, n=219), ev(date=printed + 3.2 * DAY, n=132), 0.49, 0.88, w).refiled
    assert not rule.check(ev(date=printed, n=219), ev(date=printed + 4.2 * DAY, n=132), 0.49, 0.88, w).passed


def test_a_headline_for_another_time_of_day_is_another_report_of_that_day():
    midday, evening, afternoon = (shingle_hash(x) for x in ("midday", "evening", "afternoon"))
    rule, w = OccasionRule(), weights_for(1000, {**COMMON, midday: 900, evening: 900, afternoon: 900})
    lottery = list(range(1, 8))  # "state", "lottery", "draw", ..., common words
    a = ev(words=[*range(1, 20), midday], lead_words=[*lottery, midday], date=T0, figs=[7, 8])
    b = ev(words=[*range(1, 20), evening], lead_words=[*lottery, evening], date=T0 + 0.3 * DAY, figs=[7, 9])
    assert rule.check(a, b, 0.5, 0.7, w).failed == ("dates",)
    # The morning's gradings say no time; the afternoon's do: another report too. Without dates as well;
    # a correction of one day's evening draw is not its midday draw.
    gradings = ev(words=range(1, 20), lead_words=lottery)
    later = ev(words=[*range(1, 20), afternoon], lead_words=[*lottery, afternoon])
    assert rule.check(gradings, later, 0.5, 0.7, w).failed == ("dates",)
    assert sessions(later) == {afternoon} and sessions(gradings) == frozenset()
    fixed = Evidence(b.words, b.figures, b.lead, b.date, True, b.n_words)
    assert rule.check(a, fixed, 0.5, 0.7, w).failed == ("dates",)
    # A copy under another headline ("Evening update: ...", "... - The Morning Call"): most of the text and
    # every figure the same. The same time of day, or no date check: nothing said either.
    copy = ev(words=[*range(1, 20), evening], lead_words=[*lottery, evening], figs=[7, 8])
    assert rule.check(a, copy, 0.85, 0.9, w).passed and not rule.check(a, copy, 0.7, 0.75, w).passed
    assert not rule.check(a, b, 0.85, 0.9, w).passed  # a copy of the text, but with other figures
    assert rule.check(a, ev(words=[*range(1, 20), midday], lead_words=[*lottery, midday]), 0.5, 0.7, w).passed
    assert OccasionRule(window_days=0).check(a, b, 0.5, 0.7, w).passed
    # A web page's headline is its title (its text's first line is a paragraph, which may say "this morning"),
    # and a first line longer than a headline is a paragraph too.
    page = Evidence(a.words, a.figures, u32(*lottery, midday), None, False, 40, u32(*lottery))
    assert sessions(page) == frozenset() and rule.check(page, gradings, 0.5, 0.7, w).passed
    assert sessions(ev(lead_words=[*range(100, 116), evening])) == frozenset()
    assert headline_sessions("Pick 3 EVENING draw, Oct. 14 (midday results below)") == ("midday", "evening")


def test_figures_must_agree_unless_a_correction_or_an_update_close_in_time():
    rule, w = OccasionRule(), weights_for(1000, COMMON)
    a, b = ev(figs=(1, 2, 3, 4)), ev(figs=(1, 7, 8, 9))
    assert rule.check(a, b, 0.3, 0.5, w).failed == ("figures",)
    assert rule.check(a, ev(figs=(1, 7, 8, 9), correction=True), 0.3, 0.5, w).passed
    # An update that keeps most of its text may change figures, but not a day later.
    assert rule.check(ev(figs=(1, 2, 3, 4), date=T0), ev(figs=(1, 7, 8, 9), date=T0 + 0.2 * DAY), 0.5, 0.7, w).passed
    assert rule.check(ev(figs=(1, 2, 3, 4), date=T0),
                      ev(figs=(1, 7, 8, 9), date=T0 + 0.9 * DAY), 0.5, 0.7, w).failed == ("figures",)
    # Not in a flash of a dozen words either: there the frame a template repeats is most of the text.
    coffee, cocoa = ev(figs=(7, 20), n=12, date=T0), ev(figs=(7, 146), n=11, date=T0 + 0.2 * DAY)
    assert rule.check(coffee, cocoa, 0.36, 0.57, w).failed == ("figures",)
    assert OccasionRule(update_words=10).check(coffee, cocoa, 0.36, 0.57, w).passed
    assert rule.check(ev(figs=()), ev(figs=(5, 6)), 0.3, 0.5, w).passed  # nothing to compare
    assert rule.check(ev(figs=(1, 2, 3)), ev(figs=(1, 2, 9)), 0.3, 0.5, w).passed  # 2 of 3 agree


def test_subject_fails_when_a_rare_word_of_the_first_line_is_missing():
    rule = OccasionRule()
    counts = {**COMMON, 100: 3, 101: 2}  # 100, 101: rare names
    w = weights_for(1000, counts)
    one = ev(words=[*range(1, 20), 100], lead_words=[1, 2, 100])
    other = ev(words=[*range(1, 20), 101], lead_words=[1, 2, 101])
    got = rule.check(one, other, 0.5, 0.7, w)
    assert got.failed == ("subject",) and got.subject > 0.9
    # A flash whose headline words are all in the story passes, whatever the story adds.
    flash = ev(words=[1, 2, 100], lead_words=[1, 2, 100], n=5)
    story = ev(words=[*range(1, 20), 100, 101], lead_words=[3, 4, 101])
    assert rule.check(flash, story, 0.0, 0.1, w).subject == 0.0
    # A web page's title counts as a first line too: a caption on top of the text does not hide the subject.
    caption = ev(words=[*range(1, 20), 100, 102], lead_words=[3, 102])
    assert rule.check(caption, other, 0.5, 0.7, w).failed == ("subject",)
    titled = Evidence(caption.words, caption.figures, caption.lead, None, False, 40, u32(1, 2, 101))
    assert rule.check(titled, other, 0.5, 0.7, w).passed
    # Too small a collection to weigh words (the check did not apply): every word weighs alike, so two pages
    # of one small site that share a promo block are told apart by their headlines, and a flash is not.
    small = weights_for(10, counts)
    got = rule.check(one, other, 0.5, 0.7, small)
    assert got.subject == pytest.approx(1 / 3) and got.failed == ("subject",)
    assert rule.check(flash, story, 0.0, 0.1, small).subject == 0.0


def test_evidence_round_trips_through_its_byte_layout():
    e = Evidence(u32(5, 9, 70000), u32(3), u32(5), T0, True, 123, u32(9))
    back = decode_evidence(encode_evidence(e, encode_set), decode_set)
    assert back.date == T0 and back.correction and back.n_words == 123
    assert [x.tolist() for x in (back.words, back.figures, back.lead, back.title)] == [[5, 9, 70000], [3], [5], [9]]
    assert decode_evidence(encode_evidence(Evidence(u32(), u32(), u32()), encode_set), decode_set).date is None


def test_lead_is_the_first_line_without_figures():
    assert lead("\n\nFED ADDS 1.5 BLN DLRS VIA REPURCHASES\nThe Federal Reserve...") == "fed adds bln dlrs via repurchases"


def whole_line_lead(text: str) -> str:
    """The lead as the whole first line split at once (the definition ``lead`` follows piece by piece)."""
    return " ".join([w for w in words(first_line(text)) if w.isalpha()][:LEAD_WORDS])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Kаiser", "café", "cafe\u0301", " \u0301x", "4.5", "ﬁrst", "STRIKE",
                                 "\u00a0", "dup\u200blicate", "1st", "straße", "İstanbul", "word_two", "x" * 400,
                                 " ", "  ", "\t", "-", "Ⅻ", "⑴", "ά", "\n", "\r\n", "\x0b", "\x1c", "\x85",
                                 "\u2029", "y" * 317, "z\nz"]), max_size=400))
def test_lead_split_in_pieces_is_the_whole_lines_lead(parts):
    text = " ".join(parts)
    assert lead(text) == whole_line_lead(text)


def test_lead_of_long_lines_and_reuters_is_the_whole_lines_lead():
    rng = random.Random(5)
    vocab = ["alpha", "Beta", "12", "3.5", "gamma-ray", "über", "naïve", "x" * 700, "", "\u00a0", "\u2028", "\n", "\r",
             "y" * 319]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randrange(0, 900))) for _ in range(300)]
    texts += _reuters_texts(3000)
    assert [lead(t) for t in texts] == [whole_line_lead(t) for t in texts]


# ---------------------------------------------------------------- scans of templates

_NAMES = ["Acme", "Borel", "Cortex", "Delmar", "Ensign", "Fulton", "Garland", "Hollis", "Ivory", "Juniper",
          "Kestrel", "Lamont", "Monarch", "Norwood", "Osprey", "Pinnacle", "Quarry", "Redwood", "Sterling", "Tamarack"]


def notice(name: str, now: int, prior: int, pay: int, record: int) -> str:
    return (f"{name.upper()} CORP SETS QUARTERLY DIVIDEND\nQtly div {now} cts vs {prior} cts prior\n"
            f"Pay April {pay}\nRecord March {record}\nNOTE: {name} Corp, the company said in a statement. The "
            "board said the payout reflects its continued confidence in the outlook for earnings this year and "
            "its policy of returning cash to shareholders.\nReuter")


def filler(k: int, rng: random.Random) -> str:
    vocab = [f"word{n}" for n in range(3000)]
    return " ".join(rng.choice(vocab) for _ in range(120))


def test_one_template_filled_for_other_companies_and_figures_gives_no_pair():
    rng = random.Random(5)
    docs = [Document(f"n{k}", notice(name, rng.randint(2, 90), rng.randint(2, 90), rng.randint(1, 28),
                                     rng.randint(1, 28))) for k, name in enumerate(_NAMES)]
    docs += [Document(f"f{k}", filler(k, rng)) for k in range(60)]  # a collection to weigh words
    assert scan_documents(docs, ScanConfig(occasion=False)).pairs  # the shingles alone pair the template
    assert scan_documents(docs).pairs == ()
    # The same notice twice, and once corrected, are found.
    text = notice("Acme", 12, 10, 15, 30)
    docs += [Document("copy", text), Document("corrected", "CORRECTED - " + notice("Acme", 21, 10, 15, 30))]
    found = {frozenset((p.left, p.right)) for p in scan_documents(docs).pairs}
    assert {frozenset((0, len(docs) - 2)), frozenset((len(docs) - 2, len(docs) - 1))} <= found


def test_a_report_repeated_on_other_days_is_another_occasion():
    text = "FED ADDS RESERVES VIA CUSTOMER REPURCHASES\nThe Federal Reserve entered the market, a spokesman said."
    rng = random.Random(3)
    docs = [Document(f"fed{k}", text, date=T0 + k * 7 * DAY) for k in range(3)]
    docs += [Document(f"f{k}", filler(k, rng)) for k in range(60)]
    assert scan_documents(docs).pairs == ()
    # Without dates they are copies, and that is all a scan can tell.
    undated = [Document(d.id, d.text) for d in docs]
    assert len(scan_documents(undated).pairs) == 3


# ---------------------------------------------------------------- clusters

def test_a_chain_through_a_hub_is_split():
    # 0 ~ 1 ~ 2, but 2 contradicts 0 (another occasion): 2 is not in 0's cluster.
    adjacent = {0: {1}, 1: {0, 2}, 2: {1}}
    clusters = trusted_groups([0, 1, 2], adjacent, choose=lambda m: min(m), compatible=lambda k, i: (k, i) != (0, 2))
    assert clusters == [[0, 1]]
    # Two revisions of one original stay with it when nothing contradicts the kept copy.
    assert trusted_groups([0, 1, 2], adjacent, choose=lambda m: 1, compatible=lambda k, i: True) == [[1, 0, 2]]
    assert trusted_groups([0, 1, 2], adjacent, choose=lambda m: 0, compatible=lambda k, i: True) == [[0, 1, 2]]


def test_every_cluster_member_is_compatible_with_the_kept_copy_on_templates():
    base = "MARKET REPORT\nPrices were steady in moderate trade, dealers said, with buyers cautious."
    docs = [Document("mon", base + " Index 101.5 on Monday.", date=T0),
            Document("mon-copy", base + " Index 101.5 on Monday. Reuter", date=T0 + 0.01 * DAY),
            Document("tue-copy", base + " Index 99.2 on Tuesday. Reuter", date=T0 + 0.99 * DAY),
            Document("tue", base + " Index 99.2 on Tuesday.", date=T0 + 1.0 * DAY)]
    rng = random.Random(1)
    docs += [Document(f"f{k}", filler(k, rng)) for k in range(60)]
    result = scan_documents(docs, ScanConfig(short_words=0))
    members = [{m.id for m in c.members} for c in result.clusters]
    assert {"mon", "mon-copy"} in members and {"tue", "tue-copy"} in members
    assert result.members_verified == sum(c.size - 1 for c in result.clusters)


# ---------------------------------------------------------------- thresholds only add

def _corpus(seed: int) -> list[Document]:
    rng = random.Random(seed)
    vocab = [f"w{n}" for n in range(400)]
    docs = []
    for k in range(12):
        words = [rng.choice(vocab) for _ in range(rng.randint(30, 90))]
        docs.append(Document(f"d{k}", " ".join(words)))
        for v in range(rng.randint(0, 2)):
            w = list(words)
            for _ in range(rng.randint(1, 30)):
                op = rng.random()
                pos = rng.randrange(len(w))
                if op < 0.4:
                    w[pos] = rng.choice(vocab)
                elif op < 0.7:
                    w.insert(pos, rng.choice(vocab))
                elif len(w) > 10:
                    del w[pos]
            docs.append(Document(f"d{k}v{v}", " ".join(w)))
    return docs


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.3, 0.9), st.floats(0.3, 0.9), st.floats(0.0, 0.3), st.floats(0.0, 0.3))
def test_loosening_a_threshold_never_loses_a_pair(seed, t, c, dt, dc):
    docs = _corpus(seed)
    strict = ScanConfig(threshold=t, containment=c, short_words=0)
    loose = ScanConfig(threshold=max(0.05, t - dt), containment=max(0.05, c - dc), short_words=0)
    found = {(p.left, p.right) for p in scan_documents(docs, strict).pairs}
    more = {(p.left, p.right) for p in scan_documents(docs, loose).pairs}
    assert found <= more


def test_bands_nest_across_settings():
    lo = ScanConfig(containment=0.5).banding
    hi = ScanConfig(containment=0.6).banding
    assert lo[1] == hi[1] and lo[0] >= hi[0]


# ---------------------------------------------------------------- Reuters-21578

@pytest.fixture(scope="module")
def reuters() -> tuple[list[Document], object]:
    docs = list(read_documents([str(need(REUTERS))]))
    return docs, scan_documents(docs)


def _pairs(result) -> set[frozenset]:
    ids = [d.id for d in result.documents]
    return {frozenset((ids[p.left], ids[p.right])) for p in result.pairs}


def test_reuters_templates_for_other_days_and_companies_are_not_pairs(reuters):
    docs, result = reuters
    pairs = _pairs(result)
    for a, b in (("475", "1503"),     # money-market report two days apart, other figures
                 ("3729", "6044"),    # "Fed adds reserves" headline six days apart
                 ("693", "701"),      # two Franklin funds' payouts, same day
                 ("11660", "12112"),  # two banks' prime-rate rises
                 ("13562", "14204"),  # London coffee and cocoa gradings, 11-word flashes, totals 20 and 146
                 ("13562", "14206")):  # the morning's coffee gradings and the afternoon's, hours apart
        assert frozenset((a, b)) not in pairs, (a, b)
    assert result.rejected["dates"] > 200 and result.rejected["subject"] > 50 and result.rejected["figures"] > 5


def test_reuters_corrections_and_copies_stay_found(reuters):
    docs, result = reuters
    pairs = _pairs(result)
    for a, b in (("6324", "6739"),    # CORRECTED dividend: a figure changed, found by the short-text rule
                 ("8457", "8580"),    # CORRECTED quarterly loss
                 ("8219", "10227"),   # a correction filed days later
                 ("4", "16"),         # the same story twice
                 ("5161", "5325"),    # a weekend story run again, shorter, on Monday (1.4 days)
                 ("230", "347"),      # a story refiled the next day, lightly reworded (1.25 days)
                 ("16094", "16253")):  # the first third of a Saturday story, on Monday (2.2 days)
        assert frozenset((a, b)) in pairs, (a, b)
    # A monthly report whose figures changed is not a story refiled, however much of it is the same.
    assert frozenset(("3334", "15870")) not in pairs
    members = sum(c.size - 1 for c in result.clusters)
    assert result.members_verified / members > 0.98


def test_index_queries_apply_the_occasion_check(tmp_path: Path):
    text = ("FED ADDS RESERVES VIA CUSTOMER REPURCHASES\nThe Federal Reserve entered the government securities "
            "market to arrange customer repurchase agreements, a Fed spokesman said.")
    rng = random.Random(9)
    background = [Document(f"f{k}", filler(k, rng)) for k in range(60)]
    with Index(tmp_path / "a.db") as index:
        index.add(background + [Document("mar3", text, date=T0)])
        (later,) = index.query([Document("mar19", text, date=T0 + 16 * DAY)])
        (same_day,) = index.query([Document("mar3b", text, date=T0 + 0.1 * DAY)])
    assert later.matches == () and [m.id for m in same_day.matches] == ["mar3"]
    assert same_day.matches[0].days == pytest.approx(0.1)
    with Index(tmp_path / "a.db", ScanConfig(occasion=False)) as index:
        (later,) = index.query([Document("mar19", text, date=T0 + 16 * DAY)])
    assert [m.id for m in later.matches] == ["mar3"]


def test_diff_lists_the_figures_and_names_that_differ():
    r = CliRunner().invoke(cli, ["diff", str(SEEDS / "000_cc67e4122e3a257f.txt"),
                                 str(SEEDS / "001_fbcee2db9c98bcf0.txt"), "--no-color"])
    assert r.exit_code == 0
    line = next(x for x in r.output.splitlines() if x.startswith("figures:"))
    assert line.startswith("figures: + none | - 2021, 11, 18, 5; names: + askew, fox40, gaskill, hames")
    assert line.endswith("| - golik, stan")


def _figures_by_definition(text: str) -> list[str]:
    """figures() written with the plainest patterns: the definition the fast ones must keep."""
    import re

    found = []
    draw = r"\d{1,2}(?:[-\u2013]\d{1,2}){2,}(?![\w.,/\u2013-]?\d)"  # three or more numbers of one or two digits
    for m in re.finditer(rf"(?<![\w.])(?:{draw}|\d+(?:[.,]\d+)*(?:[- ]\d+/\d+)?(?:/\d+)?)", text):
        offset = m.start()
        for part in re.split(r",(?!\d{3}(?!\d))", m.group()):
            found.append((offset, part.replace(",", "").replace(" ", "-").replace("\u2013", "-")))
            offset += len(part) + 1
    from dedup.occasion import NUMBER_VALUES

    for word, value in NUMBER_VALUES.items():
        found += [(m.start(), str(value)) for m in re.finditer(rf"\b{word}\b", text, re.IGNORECASE)]
    return [t for _, t in sorted(found)]


@pytest.mark.parametrize("text", [
    "Raised 350,000 shares to 6-1/4 pct, up 17.5 from four", "SIX Six \u017fix f\u0131ve F\u0130VE seventeen seventy",
    "seven_ 7seven seven7 twenty-two x.5 _5 \u00e95 a1 .12 12. 3,000,12 6 1/4 1/8 \u0663\u0664", "twos hundredth Hundred",
    "", "two", "Eleven.ten,nine;EIGHT", "Pick 3: 4-7-1, Cash 5: 06-11-19-27-33, a 50-50 venture, 1,200-1,500, 24-17",
    "5-5-5 2-2-1 1986-87 6-1/4-1 555-0100 7- 1-2-3-4-5-6-7-8 12-345-6 1-2-3.5 1-2-3/4 x1-2-3 1-2-3x",
    "4\u20137\u20131 4-7\u20131 24\u201317 1990\u201395 11\u201314\u20132026 1-2-3\u20134 1-2-3\u2013"])
def test_figures_agree_with_their_definition(text):
    assert figures(text) == _figures_by_definition(text)


def test_figures_agree_with_their_definition_on_reuters():
    import gzip
    import json

    need(REUTERS)
    with gzip.open(REUTERS, "rt", encoding="utf-8") as f:
        texts = [json.loads(line).get("body") or "" for line, _ in zip(f, range(3000))]
    assert [figures(t) for t in texts] == [_figures_by_definition(t) for t in texts]


def test_a_date_without_a_zone_given_to_scan_documents_is_taken_as_utc():
    # A naive and an aware datetime could not be compared (TypeError deep in the occasion check).
    from datetime import datetime, timezone

    from dedup import Document, scan_documents

    text = (SEEDS / "000_cc67e4122e3a257f.txt").read_text(encoding="utf-8")
    got = scan_documents([Document("a", text, date=datetime(2021, 11, 18, 9)),
                          Document("b", text, date=datetime(2021, 11, 18, 12, tzinfo=timezone.utc))])
    assert [sorted(m.id for m in c.members) for c in got.clusters] == [["a", "b"]]
    assert {d.id: d.date for d in got.documents}["a"] == datetime(2021, 11, 18, 9, tzinfo=timezone.utc)


def test_a_byline_line_is_not_the_subject():
    assert lead("By Courier Staff\n\nFood bank short of 2,000 turkeys\nmore") == "food bank short of turkeys"
    assert lead(" BY JANE DOE, Associated Press\r\n\r\nThe quake hit at dawn") == "the quake hit at dawn"
    assert lead("By The Associated Press\nBody") == "body" and lead("By Jean-Luc Picard and Mary O'Brien\nX") == "x"
    # Headlines that start with "By": lower-case words, figures, an article after it.
    for head in ("By the numbers: a year of storms", "By late Tuesday, 38,000 homes were without power",
                 "By land and sea, refugees flee war", "BY A WHISKER, SMITH WINS EVENING RACE"):
        assert lead(head + "\nBody") == lead(head), head
    assert lead("By Courier Staff") == "by courier staff"  # nothing after it: the line is all there is


def test_a_time_given_at_midnight_utc_with_another_offset_is_not_a_date_alone():
    rule, w = OccasionRule(), weights_for(1000, COMMON)
    evening = datetime(2026, 11, 16, 19, 0, tzinfo=timezone(timedelta(hours=-5)))  # 00:00 UTC the next day
    assert not dateless(evening) and dateless(datetime(2026, 11, 16, tzinfo=timezone.utc))
    # Two days' forecasts posted at 19:00 -05:00 are a day apart, not a day each and so hours apart.
    assert rule.check(ev(date=evening), ev(date=evening + DAY), 0.6, 0.8, w).failed == ("dates",)
