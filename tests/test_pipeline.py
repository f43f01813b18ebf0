import shutil

import pytest

import dedup
from dedup.errors import ConfigError
from dedup.io import Document, ReadOptions, read_documents
from dedup.pipeline import ScanConfig, scan, scan_documents

from conftest import REUTERS, SEED_PAIR, need


def test_seed_pair_found_and_nothing_else(seeds):
    result = dedup.scan([seeds])
    assert len(result.documents) == 5
    assert [(p.left, p.right) for p in result.pairs] == [(0, 1)]
    (cluster,) = result.clusters
    assert cluster.keep == SEED_PAIR[1]  # longest
    keep, dup = cluster.members
    assert keep.keep and keep.id == SEED_PAIR[1]
    assert dup.id == SEED_PAIR[0] and not dup.keep
    assert 0.44 < dup.jaccard < 0.46 and 0.72 < dup.containment < 0.74
    assert result.duplicate_ids == [SEED_PAIR[0]]
    assert result.keep_ids == [p.name for p in sorted(seeds.glob("*.txt")) if p.name != SEED_PAIR[0]]


def test_seed_pair_missed_by_a_naive_jaccard_threshold(seeds):
    result = scan([seeds], threshold=0.8, containment=1.0)
    assert result.clusters == ()


def test_scan_documents_api_and_keep_first(seed_texts):
    docs = [Document(name, text) for name, text in seed_texts.items()]
    result = scan_documents(docs, ScanConfig(keep="first"))
    assert result.clusters[0].keep == SEED_PAIR[0]


def test_scan_documents_refuses_a_string():
    with pytest.raises(TypeError, match="Iterable over Document objects expected, string object received."):
        scan_documents("some text")


def test_config_errors():
    with pytest.raises(ConfigError, match="The 'threshold' parameter must be in \\(0.0, 1.0\\]. Got 1.5 instead."):
        ScanConfig(threshold=1.5)
    with pytest.raises(ConfigError, match="bands \\* rows must be at most num_perm"):
        ScanConfig(bands=64, rows=4)
    with pytest.raises(TypeError, match="either config or keyword settings"):
        scan(["seeds"], ScanConfig(), threshold=0.4)


def test_exact_copies_and_empty_documents():
    text = "The council voted on Tuesday to close three branch libraries after a long and bitter debate."
    docs = [Document("a", text), Document("b", text), Document("c", "?!"), Document("d", "Something else entirely.")]
    result = scan_documents(docs)
    assert [[m.id for m in c.members] for c in result.clusters] == [["a", "b"]]
    assert result.clusters[0].members[1].jaccard == 1.0
    assert any(s.reason.startswith("no words to compare") for s in result.skipped)


def test_short_documents_under_shingle_size_still_match():
    docs = [Document("a", "Fire on Main Street"), Document("b", "FIRE on main street!")]
    assert len(scan_documents(docs).clusters) == 1


def test_same_result_with_worker_processes(seeds, tmp_path):
    for i in range(3):
        shutil.copytree(seeds, tmp_path / f"copy{i}")
    one = scan([tmp_path], jobs=1)
    two = scan([tmp_path], jobs=2)
    assert one.clusters == two.clusters and one.pairs == two.pairs
    # Every copy of the seed pair and each unrelated seed's copies end in one cluster each.
    assert sorted(c.size for c in one.clusters) == [3, 3, 3, 6]


def test_reuters_deterministic_and_exact_copies_grouped():
    path = need(REUTERS)
    first = scan([path])
    second = scan([path])
    assert first.clusters == second.clusters
    assert len(first.documents) > 19000
    # Identical bodies are always grouped with Jaccard 1.
    assert sum(1 for c in first.clusters for m in c.members[1:] if m.jaccard == 1.0) > 200


SITE_HEADER = ("This is an archived article and the information in the article may be outdated. Please look at "
               "the time stamp on the story to see when it was last updated.")
SITE_FOOTER = ("Sign up for our Morning Briefing newsletter to get the day's top stories delivered to your inbox. "
               "Related stories: Markets close mixed as investors weigh earnings; Five things to know before the "
               "opening bell; Fed officials signal patience on rates. Copyright 2024 The Daily Ledger. All rights "
               "reserved. This material may not be published, broadcast, rewritten, or redistributed.")


def passages(seed_texts: dict[str, str]) -> list[str]:
    """Paragraphs of 30+ words from the three unrelated seed stories: 21 short, distinct texts."""
    out = []
    for name in sorted(seed_texts)[2:]:
        out += [p for p in seed_texts[name].split("\n") if len(p.split()) >= 30]
    return out


def site(texts: list[str]) -> list[Document]:
    return [Document(f"p{i:02d}", f"{SITE_HEADER}\n\n{t}\n\n{SITE_FOOTER}") for i, t in enumerate(texts)]


def test_site_boilerplate_does_not_group_short_articles(seed_texts):
    docs = site(passages(seed_texts)[:20])
    assert scan_documents(docs).clusters == ()
    # Without the boilerplate rule the shared header and footer group them.
    assert scan_documents(docs, ScanConfig(boilerplate_share=1.0)).clusters != ()


def test_ten_copies_in_a_twenty_document_folder_still_cluster(seed_texts):
    texts = passages(seed_texts)
    docs = site([texts[0]] * 10 + texts[1:11])
    (cluster,) = scan_documents(docs).clusters
    assert sorted(m.id for m in cluster.members) == [f"p{i:02d}" for i in range(10)]


def test_copies_in_most_of_a_folder_still_cluster(seed_texts):
    texts = passages(seed_texts)
    docs = site([texts[0]] * 14 + texts[1:7])
    (cluster,) = scan_documents(docs).clusters
    assert cluster.size == 14


def test_seed_pair_unchanged_by_the_boilerplate_rule(seeds):
    on, off = scan([seeds]), scan([seeds], boilerplate_share=1.0)
    assert on.pairs == off.pairs and on.clusters == off.clusters


def test_boilerplate_config_errors():
    message = "The 'boilerplate_share' parameter must be in \\(0.0, 1.0\\]. Got 0 instead."
    with pytest.raises(ConfigError, match=message):
        ScanConfig(boilerplate_share=0)
    with pytest.raises(ConfigError, match="The 'boilerplate_min_docs' parameter must be an int >= 2. Got 1 instead."):
        ScanConfig(boilerplate_min_docs=1)


def test_read_options_given_to_a_scan_hold_that_scan_s_notes_and_are_otherwise_left_alone(tmp_path):
    # Used for two scans, the options give each scan its own counts and notes, and a scan does not leave
    # them deferring web pages (a later read_documents with them extracts pages as before).
    (tmp_path / "a.txt").write_text("One story about the council and its budget vote on Tuesday night.")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "page.html").write_text("<html><body><article><p>" + "The mayor opened the new bridge. " * 5
                                        + "</p></article></body></html>")
    opts = ReadOptions()
    first, second = scan([tmp_path], read_options=opts), scan([tmp_path], read_options=opts)
    assert (first.files_read, len(first.skipped)) == (second.files_read, len(second.skipped)) == (3, 1)
    assert opts.defer_html is False and opts.files_read == 3
    page = [d for d in read_documents([tmp_path / "page.html"], opts)]
    assert page[0].text.startswith("The mayor opened the new bridge.")


def test_api_mistakes_get_plain_errors():
    with pytest.raises(TypeError, match=r"Document objects expected \(dedup.Document\(id, text\)\); got dict"):
        scan_documents([{"id": "a", "text": "one story"}])
    with pytest.raises(ConfigError, match=r"The 'threshold' parameter must be a number in \(0.0, 1.0\]. Got '0.5'"):
        ScanConfig(threshold="0.5")
    with pytest.raises(ConfigError, match=r"The 'containment' parameter must be in \(0.0, 1.0\]. Got nan"):
        ScanConfig(containment=float("nan"))
    # A document with no words is noted by its id when it has no path.
    result = scan_documents([Document("a", ""), Document("b", " !? "), Document("c", "one two three")])
    assert [str(s) for s in result.skipped] == ["a: no words to compare (empty after normalization)",
                                                "b: no words to compare (empty after normalization)"]


def test_scans_in_threads_keep_their_own_settings():
    # A scan that hashes in its own process keeps its settings in its thread: scans with other settings
    # running in other threads at once (each over several batches) give what each gives alone.
    from itertools import islice
    import threading

    docs = list(islice(read_documents([need(REUTERS)]), 3000))
    configs = [ScanConfig(jobs=1, shingle_size=3), ScanConfig(jobs=1, shingle_size=8)]
    alone = [scan_documents(docs, c).pairs for c in configs]
    assert len(alone[0]) > len(alone[1]) > 0
    got: list[tuple[int, tuple]] = []

    def run(k: int) -> None:
        for _ in range(2):
            got.append((k % 2, scan_documents(docs, configs[k % 2]).pairs))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and all(pairs == alone[k] for k, pairs in got)


def test_two_scans_of_one_input_are_equal_whatever_their_timings(seeds):
    first, second = scan([seeds]), scan([seeds])
    assert first.seconds != second.seconds and first == second
    assert first != scan([seeds], threshold=0.8, containment=1.0)


def test_numpy_numbers_are_taken_as_the_python_numbers_they_hold(seeds):
    # A parameter grid's numbers (np.arange, np.linspace) work, and the settings hold Python numbers
    # (written into JSON reports as they are); a boolean is still no count.
    import json
    from dataclasses import asdict

    import numpy as np

    config = ScanConfig(num_perm=np.int64(128), shingle_size=np.int32(5), threshold=np.float32(0.5),
                        bands=np.int64(32), rows=np.int64(4))
    assert config == ScanConfig(num_perm=128, shingle_size=5, threshold=0.5, bands=32, rows=4)
    assert type(config.num_perm) is int and type(config.threshold) is float
    assert json.loads(json.dumps(asdict(config)))["num_perm"] == 128
    assert scan([seeds], config).pairs == scan([seeds], ScanConfig(bands=32, rows=4)).pairs
    with pytest.raises(ConfigError, match="The 'num_perm' parameter must be an int"):
        ScanConfig(num_perm=np.bool_(True))
