"""Tests of dedup.diff: sentence alignment, word edits, salience, and the
expected revision of the seed articles."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import dedup
from dedup.diff import TermWeights, VersionDiff, split_sentences, word_edits, word_similarity
from dedup.versions import diff_clusters, diff_older_first, diff_sources, read_version
from dedup.errors import ConfigError, InputError
from dedup.io import Document, ReadOptions
from dedup.shingle import ShingleConfig, shingle_set
from dedup.verify import similarity

from conftest import REUTERS

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
OLD = SEEDS / "000_cc67e4122e3a257f.txt"
NEW = SEEDS / "001_fbcee2db9c98bcf0.txt"


@pytest.fixture(scope="module")
def seed_diff() -> VersionDiff:
    return dedup.diff(OLD.read_text(encoding="utf-8"), NEW.read_text(encoding="utf-8"))


def texts(items) -> list[str]:
    return [x.text for x in items]


def test_seed_added_sentences(seed_diff: VersionDiff) -> None:
    added = texts(seed_diff.added)
    # The Sonia Askew quotes, all three sentences of them.
    assert "“We want a fair contract, and we want it now." in added
    assert any("Sonia Askew told FOX40" in t for t in added)
    assert "“Our Local 39 engineers are the ones who maintained this hospital." in added
    # The Randy Newell quotes.
    assert any("explained Randy Newell, a Kaiser Permanente assistant chief engineer" in t for t in added)
    assert "“We’re prepared to stay here as long as we can until we get a contract,” Newell said." in added
    # The Gaskill-Hames paragraphs.
    assert sum("Gaskill-Hames" in t for t in added) == 3
    # The pharmacy closures.
    assert any("outpatient pharmacies will be temporarily closed Thursday and Friday" in t for t in added)
    assert any("refill prescriptions" in t for t in added)


def test_seed_removed_golik_quote(seed_diff: VersionDiff) -> None:
    removed = texts(seed_diff.removed)
    assert "“Just a fair wage." in removed
    assert "We’re not asking for anything more than what other hospitals are paying,” Golik explained." in removed
    assert any("Stan Golik" in t for t in removed)
    # Nothing of the new quotes is reported as removed, nothing of Golik as added.
    assert not any("Golik" in t for t in texts(seed_diff.added))
    assert not any("Askew" in t or "Newell" in t for t in removed)


def test_seed_kaiser_permanente_is_a_word_insertion(seed_diff: VersionDiff) -> None:
    inserted = [c for c in seed_diff.changed
                if any(e.op == "insert" and e.after == "Permanente" for e in c.edits)]
    assert len(inserted) >= 3
    samuel = next(c for c in seed_diff.changed if "Kim Samuel" in c.after)
    assert [(e.op, e.before, e.after) for e in samuel.changes] == [("insert", "", "Permanente")]
    assert "explained Kaiser medical assistant Kim Samuel" in samuel.before
    # Changed, not removed and added again.
    assert not any("Kim Samuel" in t for t in texts(seed_diff.added) + texts(seed_diff.removed))
    tentative = next(c for c in seed_diff.changed if "tentative deal" in c.after)
    assert ("insert", "", "Permanente") in [(e.op, e.before, e.after) for e in tentative.changes]


def test_seed_terms(seed_diff: VersionDiff) -> None:
    added = [t.term for t in seed_diff.added_terms]
    removed = [t.term for t in seed_diff.removed_terms]
    assert {"askew", "newell", "gaskill", "hames"} <= set(added)
    assert removed[0] == "golik"
    assert all(t.score > 0 for t in seed_diff.added_terms + seed_diff.removed_terms)
    scores = [t.score for t in seed_diff.added_terms]
    assert scores == sorted(scores, reverse=True)


def test_seed_scores_most_significant_first(seed_diff: VersionDiff) -> None:
    for items in (seed_diff.added, seed_diff.removed, seed_diff.changed):
        scores = [x.score for x in items]
        assert scores == sorted(scores, reverse=True)
        assert all(s > 0 for s in scores)
    # A whole new quoted paragraph outweighs a one-word edit.
    assert seed_diff.added[0].score > seed_diff.changed[-1].score


def test_seed_trivial_edits(seed_diff: VersionDiff) -> None:
    kinds = Counter(t.kind for t in seed_diff.trivial)
    # "…this week. …" vs "…this week.": punctuation only.
    assert kinds["punctuation"] == 1
    # "Bargaining with Local 39 IUOE Kaiser Permanente has been…" became a heading and a sentence.
    reseg = [t for t in seed_diff.trivial if t.kind == "resegmented"]
    assert len(reseg) == 1 and reseg[0].before.startswith("Bargaining with Local 39 IUOE Kaiser Permanente")
    # The statement, one paragraph in 000, is several in 001.
    assert kinds["paragraph"] >= 4
    assert not any("this week" in c.after for c in seed_diff.changed)


def test_seed_similarity_and_older(seed_diff: VersionDiff) -> None:
    a = shingle_set(OLD.read_text(encoding="utf-8"), ShingleConfig(5))
    b = shingle_set(NEW.read_text(encoding="utf-8"), ShingleConfig(5))
    assert (seed_diff.similarity.jaccard, seed_diff.similarity.a_in_b, seed_diff.similarity.b_in_a) == \
        similarity(a, b)
    assert 0.40 < seed_diff.similarity.jaccard < 0.50
    assert seed_diff.older.side == "a"
    assert "73%" in seed_diff.older.reason
    reverse = dedup.diff(NEW.read_text(encoding="utf-8"), OLD.read_text(encoding="utf-8"))
    assert reverse.older.side == "b"


def test_diff_with_itself_is_empty() -> None:
    text = NEW.read_text(encoding="utf-8")
    d = dedup.diff(text, text)
    assert d.is_empty
    assert d.trivial == () and d.added_terms == () and d.removed_terms == ()
    assert {r.op for r in d.rows} == {"equal"}
    assert d.similarity.jaccard == 1.0


def test_changed_number_shows_both_terms() -> None:
    d = dedup.diff("5 people died in the fire.", "7 people died in the fire.")
    assert not d.added and not d.removed
    [c] = d.changed
    assert [(e.op, e.before, e.after) for e in c.changes] == [("replace", "5", "7")]
    assert [t.term for t in d.added_terms] == ["7"]
    assert [t.term for t in d.removed_terms] == ["5"]
    assert c.score > 0


def test_moved_sentence_is_not_delete_plus_add() -> None:
    a = ("The council met on Monday. The mayor resigned after the vote. Roads will close at noon. "
         "Schools stay open.")
    b = ("The mayor resigned after the vote. The council met on Monday. Roads will close at noon. "
         "Schools stay open.")
    d = dedup.diff(a, b)
    assert not d.added and not d.removed and not d.changed
    assert len(d.moved) == 1
    ops = [r.op for r in d.rows]
    assert ops.count("moved_in") == 1 and ops.count("moved_out") == 1


def test_changed_sentence_that_moved() -> None:
    a = "Alpha beta gamma delta epsilon. One two three. Four five six. Seven eight nine."
    b = "One two three. Four five six. Seven eight nine. Alpha beta gamma delta zeta."
    d = dedup.diff(a, b)
    [c] = d.changed
    assert c.moved and not d.added and not d.removed


def test_trivial_edits_are_not_changes() -> None:
    a = "The strike ended on Friday. Workers went back,  happy."
    b = "The strike ended on Friday! Workers went back happy."
    d = dedup.diff(a, b)
    assert d.is_empty
    assert [t.kind for t in d.trivial] == ["punctuation", "punctuation"]
    d = dedup.diff("The mayor spoke. It rained.", "The Mayor spoke. It rained.")
    assert d.is_empty and [t.kind for t in d.trivial] == ["case"]
    d = dedup.diff("One fine day.  It rained.", "One  fine day. It rained.")
    assert d.is_empty and [t.kind for t in d.trivial] == ["whitespace"]
    d = dedup.diff("It rained. Roads flooded.", "It rained.\n\nRoads flooded.")
    assert d.is_empty and [t.kind for t in d.trivial] == ["paragraph"]
    d = dedup.diff("Roads flooded and it rained.", "Roads flooded. And it rained.")
    assert d.is_empty and [t.kind for t in d.trivial] == ["resegmented"]


def test_split_sentences() -> None:
    text = ("SACRAMENTO, Calif. (KTXL) — Mr. Smith met the U.S. envoy. “Good.” He left.\n\n"
            "A new paragraph… Then more!\nStill the same paragraph? Yes.")
    s = split_sentences(text)
    assert [x.text for x in s] == [
        "SACRAMENTO, Calif. (KTXL) — Mr. Smith met the U.S. envoy.", "“Good.”", "He left.",
        "A new paragraph…", "Then more!", "Still the same paragraph?", "Yes."]
    assert [x.paragraph for x in s] == [0, 0, 0, 1, 1, 1, 1]
    assert [x.starts_paragraph for x in s] == [True, False, False, True, False, False, False]


def test_split_sentences_newswire_layout() -> None:
    body = ("Shares rose\nsharply on Monday.\n    The company said profit\nwould double.\n"
            "(corrects spelling of town in line five)\n Reuter\n")
    s = split_sentences(body)
    assert [x.text for x in s] == ["Shares rose sharply on Monday.", "The company said profit would double.",
                                   "(corrects spelling of town in line five)", "Reuter"]
    assert [x.paragraph for x in s] == [0, 1, 1, 2]


def test_word_similarity_and_edits() -> None:
    assert word_similarity("a b c d", "a b c d") == 1.0
    assert word_similarity("a b c d", "d c b a") == 0.25
    assert word_similarity("x y", "a b") == 0.0
    edits = word_edits("Kaiser argues the union’s demands are unreasonable.",
                       "Kaiser Permanente says the union’s demands are unreasonable!")
    assert [(e.op, e.before, e.after) for e in edits if e.op != "equal"] == [("replace", "argues", "Permanente says")]


def test_corpus_idf_is_fitted_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real_init = TermWeights.__init__

    def counting_init(self, *args, **kwargs):
        calls.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(TermWeights, "__init__", counting_init)
    corpus = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("00[234]_*.txt"))]
    d = dedup.diff(OLD.read_text(encoding="utf-8"), NEW.read_text(encoding="utf-8"), corpus=corpus)
    assert calls == [1]
    assert d.idf_source == "a corpus of 3 documents and the two versions"
    assert "newell" in [t.term for t in d.added_terms]
    # A fitted model is shared, not refitted.
    weights = TermWeights(corpus, "seeds")
    calls.clear()
    dedup.diff("5 people died.", "7 people died.", corpus=weights)
    dedup.diff("Rain fell.", "Snow fell.", corpus=weights)
    assert calls == []


def test_term_weights_are_scikit_learns() -> None:
    # The TF-IDF weights scikit-learn's TfidfVectorizer gives with the same settings, to the last bit; the sum
    # of a text's weights to the last bit or one unit of it (the order of floating-point additions).
    text = pytest.importorskip("sklearn.feature_extraction.text", reason="scikit-learn is not installed "
                               "(pip install 'dedup[test]')")
    TfidfVectorizer = text.TfidfVectorizer  # noqa: N806

    from dedup.salience import FUNCTION_WORDS, TOKEN_PATTERN

    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    corpus = texts + [t.replace("the", "a").upper() for t in texts[:2]] + ["", "the of and", "5 7 5 Ünïcödé"]
    ours = TermWeights(corpus)
    ref = TfidfVectorizer(token_pattern=TOKEN_PATTERN, preprocessor=dedup.normalize, stop_words=sorted(FUNCTION_WORDS),
                          sublinear_tf=True, norm=None).fit(corpus)
    assert ours.terms.tolist() == ref.get_feature_names_out().tolist() and ours.documents == len(corpus)
    queries = texts + [t[: len(t) // 3] for t in texts] + ["", "Nothing known here: zyx.", "5 people, 5 dogs"]
    matrix = ref.transform(queries)
    for k, (cols, weights) in enumerate(ours.weights(queries)):
        row = matrix[k]
        assert cols.tolist() == row.indices.tolist() and weights.tolist() == row.data.tolist()
    expected = np.asarray(matrix.sum(axis=1)).ravel().tolist()
    assert all(abs(a - b) <= 2 * np.spacing(max(abs(a), 1.0)) for a, b in zip(ours.scores(queries), expected))
    assert TermWeights(["", "the of"]).fitted is False and TermWeights(["", "the of"]).scores(["x"]) == [0.0]


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="Iterable over raw text documents expected"):
        dedup.diff("a", "b", corpus="just one string")
    with pytest.raises(ConfigError, match="The 'cutoff' parameter must be in"):
        dedup.diff("a", "b", cutoff=1.5)
    with pytest.raises(TypeError, match="must be a str or a Document"):
        dedup.diff(b"bytes", "b")  # type: ignore[arg-type]
    # A Document of no text, a corpus of numbers: AttributeError from deep inside, before.
    with pytest.raises(TypeError, match="Got a Document whose text is int instead"):
        dedup.diff(dedup.Document(id="a", text=5), "b")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="The 'corpus' parameter must be a str or a Document with str text. Got int"):
        dedup.diff("a b", "b", corpus=[1, 2])  # type: ignore[list-item]


def test_empty_versions() -> None:
    d = dedup.diff("", "")
    assert d.is_empty and d.added_terms == ()
    d = dedup.diff("", "Something happened today.")
    assert texts(d.added) == ["Something happened today."]


def test_documents_and_dates(tmp_path: Path) -> None:
    from datetime import datetime, timezone
    a = Document("old", "The dam held. Nobody was hurt.", date=datetime(2020, 1, 1, tzinfo=timezone.utc))
    b = Document("new", "The dam broke. Nobody was hurt.", date=datetime(2020, 1, 2, tzinfo=timezone.utc))
    d = dedup.diff(b, a)
    assert (d.a_label, d.b_label) == ("new", "old")
    assert d.older.side == "b" and "dated earlier" in d.older.reason
    c = dedup.diff("Profits rose 5%.", "CORRECTED - Profits rose 6%.")
    assert c.older.side == "a" and "CORRECTED" in c.older.reason
    # A date without a time is the whole day: a copy dated 2021-06-18 is not older than the story it copies,
    # dated 20:13 that day; the other signals decide (here: the copy holds the story and adds to it).
    story = "The dam held after the storm. Nobody was hurt. Roads reopened on Tuesday."
    timed = Document("wire", story, date=datetime(2021, 6, 18, 20, 13, tzinfo=timezone.utc))
    day = Document("copy", story + " More rain is due.", date=datetime(2021, 6, 18, tzinfo=timezone.utc))
    assert dedup.diff(day, timed).older.side == "b" and "likely B" in dedup.diff(day, timed).older.reason
    # The day may be another zone's: 19:05 EST on that day is 00:05 UTC the next.
    evening = Document("wire", story, date=datetime(2021, 6, 19, 0, 5, tzinfo=timezone.utc))
    assert "likely B" in dedup.diff(day, evening).older.reason
    day_before = Document("copy", day.text, date=datetime(2021, 6, 16, tzinfo=timezone.utc))
    assert dedup.diff(day_before, timed).older.side == "a"  # two days earlier: it was


def test_read_version_json_records(tmp_path: Path) -> None:
    f = tmp_path / "news.jsonl"
    f.write_text(json.dumps({"id": "x1", "text": "First story."}) + "\n" +
                 json.dumps({"id": "x2", "text": "Second story."}) + "\n", encoding="utf-8")
    assert read_version(f"{f}#x2").text == "Second story."
    with pytest.raises(InputError, match="holds more than one article; pick one as"):
        read_version(f)
    with pytest.raises(InputError, match="no record with id 'x9'"):
        read_version(f"{f}#x9")


def test_read_version_ids_with_hashes_repeated_ids_and_fields_no_record_has(tmp_path: Path) -> None:
    f = tmp_path / "news.jsonl"
    records = [{"id": "https://x.com/p#frag", "text": "First story."}, {"id": "x", "text": "Second story."},
               {"id": "x", "text": "Third story."}]
    f.write_text("".join(json.dumps(r) + "\n" for r in records) + "{broken\n", encoding="utf-8")
    # The file is the first part before a '#' that is a file: an id may hold one.
    assert read_version(f"{f}#https://x.com/p#frag").text == "First story."
    # Two records with the id asked for: neither is taken for the other.
    with pytest.raises(InputError, match=r"id 'x' names more than one record \(lines 2 and 3\); give the records"):
        read_version(f"{f}#x")
    # An id that is not there: the lines that could not be read are counted, as one may be the one meant.
    with pytest.raises(InputError, match=r"no record with id 'y' .*; 2 could not be read, the first: .*:3: duplicate"):
        read_version(f"{f}#y")
    # An id field that holds whole articles: a message quotes 200 characters of one, not the article.
    story = "A long story. " * 300
    g = tmp_path / "long.jsonl"
    g.write_text(json.dumps({"text": story}) + "\n" + json.dumps({"text": story}) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_version(f"{g}#{story}", ReadOptions(id_field="text"))
    assert "names more than one record" in str(err.value) and len(str(err.value)) < len(str(g)) + 450
    # --strict: the first record that cannot be read stops the reading, as in a scan.
    with pytest.raises(InputError, match=r":3: duplicate id 'x'"):
        read_version(f"{f}#https://x.com/p#frag", ReadOptions(strict=True))
    # A field no record has: that is what the error says, not that the id is missing.
    with pytest.raises(InputError, match=r":1: record has no field 'body' \(its fields: 'id', 'text'; .* "
                                         r"\(and 3 more\)$"):
        read_version(f"{f}#x", ReadOptions(text_field="body"))


# Few words, so that versions share sentences and near-identical sentences:
# equal, moved, changed, added and removed all occur.
WORDS = ["rain", "fell", "on", "the", "city", "5", "7", "roads", "closed"]
sentence = st.lists(st.sampled_from(WORDS), min_size=2, max_size=6).map(
    lambda ws: " ".join(ws).capitalize() + ".")
version = st.lists(sentence, min_size=0, max_size=8).map(" ".join)


# Sentences distinct within a version: of two equal sentences in one version (A: "Rain rain. Rain rain.
# Rain rain rain.", B: "Rain rain rain rain."), which one lines up with the other version is a matter of
# which version is read first, and so what sentences stand next to each other and join or split.
distinct_version = st.lists(sentence, min_size=0, max_size=8, unique_by=lambda s: s.lower()).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(distinct_version, distinct_version)
def test_what_a_to_b_adds_b_to_a_removes(a: str, b: str) -> None:
    ab, ba = dedup.diff(a, b), dedup.diff(b, a)
    key = lambda items: Counter(dedup.normalize(x.text) for x in items)  # noqa: E731
    assert key(ab.added) == key(ba.removed)
    assert key(ab.removed) == key(ba.added)
    pairs = Counter((dedup.normalize(c.before), dedup.normalize(c.after)) for c in ab.changed)
    mirrored = Counter((dedup.normalize(c.after), dedup.normalize(c.before)) for c in ba.changed)
    assert pairs == mirrored
    # Sentences with the same words are matched (in place or moved) as often as both versions hold them.
    same = sum((Counter(s.key for s in ab.sentences_a) & Counter(s.key for s in ab.sentences_b)).values())
    for d in (ab, ba):
        in_place = sum(r.op in ("equal", "trivial") and len(r.before) == len(r.after) == 1 and
                       d.sentences_a[r.before[0]].key == d.sentences_b[r.after[0]].key for r in d.rows)
        assert in_place + len(d.moved) == same
    assert [t.term for t in ab.added_terms] == [t.term for t in ba.removed_terms]


@settings(max_examples=60, deadline=None)
@given(version)
def test_diff_of_a_text_with_itself_is_empty(a: str) -> None:
    d = dedup.diff(a, a)
    assert d.is_empty and not d.trivial


@settings(max_examples=100, deadline=None)
@given(version, version)
def test_rows_show_every_sentence(a: str, b: str) -> None:
    d = dedup.diff(a, b)
    shown_a = [i for r in d.rows for i in r.before]
    shown_b = [j for r in d.rows for j in r.after]
    assert sorted(set(shown_a)) == list(range(len(d.sentences_a)))
    assert sorted(shown_b) == list(range(len(d.sentences_b)))
    # A changed sentence that moved shows at its A place too (as moved out): its A sentences show twice.
    twice = {i for i, n in Counter(shown_a).items() if n == 2}
    assert len(shown_a) == len(d.sentences_a) + len(twice)
    moved_out = {i for r in d.rows if r.op == "moved_out" for i in r.before}
    changed_moved = [r for r in d.rows if r.op == "changed" and set(r.before) <= moved_out]
    assert twice == {i for r in changed_moved for i in r.before}
    assert len(changed_moved) == sum(c.moved for c in d.changed)


def test_diff_clusters_rereads_only_what_it_needs(tmp_path: Path) -> None:
    result = dedup.scan([str(SEEDS)])
    [cd] = diff_clusters(result, [str(SEEDS)])
    [d] = cd.diffs
    # The copy kept (001) is the newer version: the diff still runs older -> newer.
    assert (cd.keep, d.a_label, d.b_label) == ("001_fbcee2db9c98bcf0.txt", "000_cc67e4122e3a257f.txt",
                                               "001_fbcee2db9c98bcf0.txt")
    assert cd.members == ("000_cc67e4122e3a257f.txt",)
    assert "“Just a fair wage." in texts(d.removed)
    assert any("Gaskill-Hames" in t for t in texts(d.added))
    assert d.added_terms[0].term in ("gaskill", "hames") and d.removed_terms[0].term == "golik"
    assert d.idf_source == "the scanned collection (5 documents)"
    assert (d.idf_kind, d.idf_documents) == ("collection", 5)
    assert d.older.side == "a"
    with pytest.raises(ConfigError, match="standard input cannot be read twice"):
        diff_clusters(result, ["-"])


def test_diff_clusters_order_follows_dates_not_the_copy_kept() -> None:
    old = Document("old", "The council met on Monday. Roads will close at noon. The mayor spoke to reporters.",
                   date=datetime(2026, 1, 1, tzinfo=timezone.utc))
    new = Document("new", "The council met on Monday. Roads will close at noon. The mayor spoke to reporters. "
                          "Buses will run on the usual routes. Schools stay open.",
                   date=datetime(2026, 1, 2, tzinfo=timezone.utc))
    for keep_first, keep_last in ((new, old), (old, new)):
        # Whichever copy is kept, A is the older one and B the newer.
        d = diff_older_first(keep_first, keep_last)
        assert (d.a_label, d.b_label) == ("old", "new")
        assert texts(d.added) == ["Buses will run on the usual routes.", "Schools stay open."]
        assert d.removed == ()


def test_rewritten_lead_is_one_changed_sentence(seed_texts: dict[str, str]) -> None:
    d = dedup.diff(seed_texts["000_cc67e4122e3a257f.txt"], seed_texts["001_fbcee2db9c98bcf0.txt"])
    lead = next(c for c in d.changed if c.after.startswith("SACRAMENTO"))
    assert lead.before.startswith("date 2021-11-18 SACRAMENTO") and "took to the picket lines" in lead.after
    assert not any(t.startswith("SACRAMENTO") for t in texts(d.added))
    assert not any("SACRAMENTO" in t for t in texts(d.removed))
    assert d.counts == {"added": 17, "removed": 8, "changed": 7, "moved": 0, "trivial": 7}
    # Two unrelated sentences at the same place, sharing two of their words, are not paired.
    a, b = "Heavy rain flooded three streets near the river.", "Three new teachers joined the river school staff."
    d = dedup.diff(f"The mayor spoke. {a}", f"The mayor spoke. {b}")
    assert texts(d.added) == [b] and texts(d.removed) == [a] and d.changed == ()


def _reuters(ids: set[int]) -> dict[int, dict]:
    if not REUTERS.exists():
        pytest.skip(f"{REUTERS} not present")
    found = {}
    with gzip.open(REUTERS, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["newid"] in ids:
                found[rec["newid"]] = rec
    return found


def test_reuters_corrected_story() -> None:
    recs = _reuters({13044, 13091})
    original, corrected = recs[13044], recs[13091]
    assert corrected["title"].startswith("CORRECTED - ")
    d = dedup.diff(original["body"], corrected["body"])
    [town] = [c for c in d.changed if "Manningham" in c.after and "fire" in c.after]
    assert [(e.op, e.before, e.after) for e in town.changes] == [("replace", "Reidgefield,", "Ridgefield,")]
    assert texts(d.added) == ["(corrects spelling of town in line five)"]
    assert not d.removed
    assert d.added_terms[0].term == "ridgefield"
    assert "reidgefield" in [t.term for t in d.removed_terms]


def test_older_by_file_modification_time(tmp_path: Path) -> None:
    import os
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("The dam held. Nobody was hurt.", encoding="utf-8")
    b.write_text("The dam broke. Nobody was hurt.", encoding="utf-8")
    os.utime(a, (1_600_000_000, 1_600_000_000))
    os.utime(b, (1_600_000_030, 1_600_000_030))
    d = dedup.diff(read_version(b), read_version(a))
    assert d.older.side is None
    assert d.older.reason.startswith("cannot tell: dates too close to tell")
    os.utime(b, (1_600_090_000, 1_600_090_000))
    d = dedup.diff(read_version(b), read_version(a))
    assert d.older.side == "b" and "file modification time" in d.older.reason


def test_a_figure_that_changed_sign_currency_or_separator_is_a_change():
    # Their words are the same ("2 1", "5", "1 042"): a figure's sign, currency and separators count.
    before = ("The index moved -2.1 pct on the day.\n\nProfit was $5 mln.\n\nNet profit was 1.042 mln dlrs.\n\n"
              "Results for Manningham, 53, follow.")
    after = ("The index moved +2.1 pct on the day.\n\nProfit was £5 mln.\n\nNet profit was 1,042 mln dlrs.\n\n"
             "Results for Manningham (53) follow.")
    d = dedup.diff(before, after)
    edits = sorted((e.before, e.after) for c in d.changed for e in c.changes if e.op != "equal")
    assert edits == [("$5", "£5"), ("-2.1", "+2.1"), ("1.042", "1,042")]
    assert [t.kind for t in d.trivial] == ["punctuation"]  # brackets around an age are not a figure change
    assert [(e.op, e.before, e.after) for e in word_edits("It rose 1987, then", "It rose 1987 then")] == [
        ("equal", "It rose 1987, then", "It rose 1987 then")]


def test_words_of_a_headline_in_capitals_are_not_names():
    before = "GAF CORP OFFERS 36 DLRS A SHARE\n\nGAF Corp said it offered 36 dlrs a share for Borg-Warner Corp."
    after = ("CORRECTED - GAF CORP OFFERS 46 DLRS A SHARE (CORRECTING AMOUNT)\n\n"
             "GAF Corp said it offered 46 dlrs a share for Borg-Warner Corp.")
    d = dedup.diff(before, after)
    assert d.names_added == () and d.names_removed == ()
    from dedup.salience import name_terms
    assert name_terms(split_sentences("He met Smith in Rome. Smith left.")) == frozenset({"smith", "rome"})


def test_moved_spaces_are_no_word_edit_and_a_correction_marker_is_no_term():
    assert [(e.op, e.before, e.after) for e in word_edits("GAF INC <PGULF> named a vice-president",
                                                          "GAF INC<PGULF> named a vice- president")] == [
        ("equal", "GAF INC <PGULF> named a vice-president", "GAF INC<PGULF> named a vice- president")]
    d = dedup.diff("GAF Corp offers 36 dlrs a share for Borg-Warner Corp, its chairman said.",
                   "CORRECTED - GAF Corp offers 46 dlrs a share for Borg-Warner Corp, its chairman said.")
    assert [t.term for t in d.added_terms] == ["46"] and [t.term for t in d.removed_terms] == ["36"]
    alone = dedup.diff("GAF Corp offers 36 dlrs a share for Borg-Warner Corp, its chairman said.",
                       "GAF Corp offers 46 dlrs a share for Borg-Warner Corp, its chairman said.")
    assert d.changed[0].score == alone.changed[0].score  # the marker adds nothing to the change's weight


def test_a_higher_cutoff_leaves_fewer_changed_sentences():
    # A rewrite sharing half its content words is a changed sentence at the default cutoff only; before,
    # such rewrites were paired whatever the cutoff.
    before = "The council approved the budget on Tuesday after a long debate.\n\nThe mayor will sign it."
    after = "After a heated debate, the city council passed its budget.\n\nThe mayor will sign it."
    assert [dedup.diff(before, after, cutoff=c).counts["changed"] for c in (0.5, 0.7)] == [1, 0]
    assert dedup.diff(before, after, cutoff=0.7).counts["added"] == 1


def test_an_editors_note_after_a_dash_is_a_sentence_and_state_abbreviations_are_not_ends():
    assert [s.text for s in split_sentences("It paid five dlrs a share. - corrects the amount.")] == [
        "It paid five dlrs a share.", "- corrects the amount."]
    assert [s.text for s in split_sentences("Sold to Banner Corp. -- Corrects name of buyer.")] == [
        "Sold to Banner Corp.", "-- Corrects name of buyer."]
    text = "Plants in Wentsville, Mo. (4,900 workers) and Oshawa, Ont. (6,100 workers) will close."
    assert [s.text for s in split_sentences(text)] == [text]


def test_pieces_of_a_figure_are_not_terms():
    d = dedup.diff("Output rose 41.6 pct to 12 mln tonnes, the governments said.",
                   "Output rose 83.2 pct to 12 mln tonnes, the government said.")
    terms = [t.term for t in d.added_terms + d.removed_terms]
    assert not {"83", "2", "41", "6"} & set(terms) and "governments" in terms
    whole = dedup.diff("GAF offers 36 dlrs a share for the company, it said.",
                       "GAF offers 46 dlrs a share for the company, it said.")
    assert [t.term for t in whole.added_terms] == ["46"]


def test_a_text_without_sentence_ends_is_compared_in_pieces_its_words_choose():
    # One 'sentence' of 30,000 words (a flattened table, a text without punctuation) used to be compared
    # word by word as a whole: a 1 MB pair took minutes. Pieces are cut where the words say, so that an
    # edit moves no cut but its own.
    import random

    from dedup.diff import LONG_PIECE_WORDS, diff, split_sentences

    rng = random.Random(4)
    vocab = [f"w{i}" for i in range(3000)]
    words = rng.choices(vocab, k=30_000)
    edited = [("zz" if k % 100 == 50 else w) for k, w in enumerate(words)]
    pieces = split_sentences(" ".join(words))
    assert len(pieces) > 30_000 / (2 * LONG_PIECE_WORDS) and all(len(p.text.split()) <= 2 * LONG_PIECE_WORDS
                                                                  for p in pieces)
    assert " ".join(p.text for p in pieces) == " ".join(words)
    def cuts(sentences):
        sizes = [len(p.text.split()) for p in sentences]
        return {sum(sizes[:k]) for k in range(len(sizes))}

    cuts, cuts_after = cuts(pieces), cuts(split_sentences(" ".join(edited)))
    assert len(cuts & cuts_after) > 0.5 * len(cuts)  # most cuts fall where they did
    d = diff(" ".join(words), " ".join(edited))
    assert len(d.changed) > 100 and len(d.added) + len(d.removed) < len(d.changed) / 10


def test_a_web_page_is_diffed_block_by_block(tmp_path: Path) -> None:
    # A page's extracted text has one block a line: a headline, a subhead or a list item ends without a full
    # stop, and is not run into the sentence after it as lines of wrapped text are.
    old = ("City passes budget\nThe council passed the budget on Monday. The mayor praised the vote.\n"
           "What it means\nTaxes will rise by 3 pct.\n- Parks get 2 mln dlrs\n- Libraries get 1 mln dlrs\n"
           "The budget takes effect in July.")
    new = old.replace("What it means", "What it means for you").replace("get 1 mln", "get 1.5 mln")
    pages = [Document(k, t, f"{k}.html", extractor="html") for k, t in (("old", old), ("new", new))]
    d = dedup.diff(*pages)
    assert sorted((c.before, c.after) for c in d.changed) == [
        ("- Libraries get 1 mln dlrs", "- Libraries get 1.5 mln dlrs"), ("What it means", "What it means for you")]
    assert not d.added and not d.removed
    # The same text from a plain file: its lines are wrapped text, joined into paragraphs.
    wrapped = dedup.diff(old, new)
    assert any("The budget takes effect in July." in c.after for c in wrapped.changed)


def test_two_sentences_joined_with_an_edit_are_one_changed_sentence() -> None:
    # "About 200 workers ..." was not dropped: it was joined to the sentence before and its figure changed.
    a = "The plant will close in May. About 200 workers will lose their jobs. Talks with the union continue."
    b = "The plant will close in May, and about 250 workers will lose their jobs. Talks with the union continue."
    d = dedup.diff(a, b)
    assert not d.removed and not d.added and len(d.changed) == 1
    [c] = d.changed
    assert c.before == "The plant will close in May. About 200 workers will lose their jobs."
    assert ("replace", "200", "250") in [(e.op, e.before, e.after) for e in c.changes]
    assert [r.before for r in d.rows if r.op == "changed"] == [(0, 1)]
    # Split again, the other way round: the mirror image.
    back = dedup.diff(b, a)
    assert not back.added and not back.removed and [r.after for r in back.rows if r.op == "changed"] == [(0, 1)]
    # A neighbour the other version does not hold stays removed.
    d = dedup.diff("The plant will close in May. Shares fell 3 pct on Friday.", "The plant will close in June.")
    assert texts(d.removed) == ["Shares fell 3 pct on Friday."] and len(d.changed) == 1


def test_salient_terms_leave_out_letters_of_abbreviations_and_calendar_names() -> None:
    d = dedup.diff("The U.S. plant in N.Y. will close at 5 p.m. on Friday.",
                   "The U.S. plant in Albany, N.Y. will close at 7 p.m. on Friday in May, officials said.")
    assert [t.term for t in d.added_terms] == ["albany", "7", "officials"]  # no "u", "n", "y" or "p"
    from dedup.salience import name_terms
    assert name_terms(split_sentences("He met Smith on Friday in May. Smith left in June.")) == {"smith"}


def test_a_record_on_standard_input_is_read_as_a_file_s_record_is() -> None:
    # Its id, date and title come from the fields a JSON lines file's record gives them from ("_id",
    # "published_at", "headline"); a record with no id field is "-"; one too large is refused by name.
    import io

    text = (SEEDS / "000_cc67e4122e3a257f.txt").read_text(encoding="utf-8")
    record = {"_id": "v2", "headline": "Teachers strike", "content": text, "published_at": "2026-11-30T10:00:00Z"}
    doc = read_version("-", stdin=io.BytesIO(json.dumps(record).encode()))
    assert (doc.id, doc.text, doc.title) == ("v2", text, "Teachers strike")
    assert doc.date == datetime(2026, 11, 30, 10, tzinfo=timezone.utc)
    # Its id only names it: a missing one, or one that is no id, is "-", and the diff goes on.
    assert read_version("-", ReadOptions(id_field="story"), stdin=io.BytesIO(json.dumps(record).encode())).id == "-"
    del record["_id"]
    assert read_version("-", stdin=io.BytesIO(json.dumps(record).encode())).id == "-"
    assert read_version("-", stdin=io.BytesIO(json.dumps({**record, "id": ["a"]}).encode())).id == "-"
    with pytest.raises(InputError, match="^-: text larger than 100 bytes"):
        read_version("-", ReadOptions(max_document_bytes=100), stdin=io.BytesIO(json.dumps(record).encode()))


def test_one_path_where_a_list_of_paths_is_asked_for_is_refused_as_scan_refuses_it() -> None:
    # A string is a sequence of one-letter "paths": diff_clusters and diff_sources' corpus refuse it.
    result = dedup.scan([str(SEEDS)])
    older, newer = SEEDS / "000_cc67e4122e3a257f.txt", SEEDS / "001_fbcee2db9c98bcf0.txt"
    for call in (lambda: dedup.scan(str(SEEDS)), lambda: diff_clusters(result, str(SEEDS)),
                 lambda: diff_sources(older, newer, corpus=str(SEEDS)),
                 lambda: diff_sources(older, newer, corpus=SEEDS)):
        with pytest.raises(TypeError, match="single path received: wrap it in a list"):
            call()
    # The list works: the five seed articles weigh the terms, with the two versions themselves.
    assert diff_sources(older, newer, corpus=[SEEDS]).idf_documents == 7
