"""The Spark engine gives the local scan's answer byte for byte (one quiet local[2] session for the module)."""

from __future__ import annotations

import gzip
import json
import random
import shutil
import subprocess
from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from dedup.cli import cli
from dedup.cluster import groups
from dedup.io import read_documents
from dedup.pipeline import ScanConfig, scan, scan_documents
from dedup.report import render_jsonl
from dedup.verify import Pair

from conftest import REUTERS, SEEDS, need

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'dedup[spark]')")
    if shutil.which("java") is None and not __import__("os").environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed: Spark needs Java 17 or later")
    from dedup.spark_io import quiet_session

    session = quiet_session("local[2]", partitions=4)
    yield session
    session.stop()


def spark_lines(spark, sources, config, pairs_too=True):
    from dedup.spark import scan_documents_frame
    from dedup.spark_io import read_inputs

    result = scan_documents_frame(read_inputs(spark, [str(s) for s in sources]), config)
    out = {"clusters": "".join(line + "\n" for line in result.jsonl().collect())}
    if pairs_too:
        out["pairs"] = "".join(line + "\n" for line in result.jsonl(pairs=True).collect())
    return result, out


def local_lines(sources, config):
    result = scan([str(s) for s in sources], config)
    return {"clusters": "".join(render_jsonl(result)), "pairs": "".join(render_jsonl(result, pairs=True))}


def test_seeds_byte_identical(spark) -> None:
    for config in (ScanConfig(), ScanConfig(short_words=0)):
        _, got = spark_lines(spark, [SEEDS], config)
        want = local_lines([SEEDS], config)
        assert got == want
        assert got["clusters"].count("\n") == 1


def test_reuters_sample_byte_identical(spark, tmp_path: Path) -> None:
    sample = tmp_path / "reuters2000.jsonl"
    with gzip.open(need(REUTERS), "rt", encoding="utf-8") as f:
        sample.write_text("".join(islice(f, 2000)), encoding="utf-8")
    config = ScanConfig()
    result, got = spark_lines(spark, [sample], config)
    want = local_lines([sample], config)
    assert got["clusters"] == want["clusters"]
    assert got["pairs"] == want["pairs"]
    assert want["clusters"].count("\n") > 50 and '"rule": "short"' in want["pairs"]
    # The helper gives the rows to drop: the local scan's duplicates.
    local = scan([str(sample)], config)
    assert sorted(r.id for r in result.duplicates().collect()) == sorted(local.duplicate_ids)


def template_input(folder: Path) -> Path:
    """The first 1,000 Reuters stories with 400 dividend notices from one template among them, one JSON
    line each: the notices fill LSH buckets far beyond the default ``max_bucket``."""
    rng = random.Random(11)
    months = "Jan Feb March April May June July Aug Sept Oct Nov Dec".split()
    with gzip.open(need(REUTERS), "rt", encoding="utf-8") as f:
        lines = list(islice(f, 1000))
    for k in range(400):
        name = " ".join(rng.choice(["Alder", "Birch", "Cedar", "Dover", "Elm", "Fairway", "Granite", "Harbor",
                                    "Iris", "Juniper", "Keystone", "Laurel"]) + rng.choice(["ton", "field", "wood"])
                        for _ in range(2))
        now, prior = rng.randint(2, 95), rng.randint(2, 95)
        text = (f"{name.upper()} SETS QUARTERLY DIVIDEND\nQtly div {now} cts vs {prior} cts prior\nPay "
                f"{rng.choice(months)} {rng.randint(1, 28)}\nRecord {rng.choice(months)} {rng.randint(1, 28)}\nReuter")
        lines.insert(rng.randrange(len(lines)), json.dumps({"id": f"report{k}", "text": text}) + "\n")
    path = folder / "reuters_and_reports.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def local_candidates(path: Path, config: ScanConfig) -> set[tuple[str, str]]:
    """The local scan's shingle LSH candidates, as pairs of ids."""
    from dedup.candidates import scan_candidate_pairs
    from dedup.pipeline import hash_batch
    from dedup.signature import MinHasher

    docs = list(read_documents([str(path)]))
    sigs = hash_batch([d.text for d in docs], config, MinHasher(config.num_perm, config.seed)).signatures
    found = scan_candidate_pairs(sigs, *config.banding, config.max_bucket).tolist()
    return {(docs[i].id, docs[j].id) for i, j in found}


def test_template_reports_byte_identical_with_heavy_buckets_split(spark, tmp_path: Path) -> None:
    from dedup.candidates import band_groups
    from dedup.spark_io import read_inputs

    src = template_input(tmp_path)
    ids = dict(read_inputs(spark, [str(src)]).select("ord", "id").collect())
    found = {}
    for config in (ScanConfig(), ScanConfig(max_bucket=0)):
        result, got = spark_lines(spark, [src], config)
        assert got == local_lines([src], config)
        cands = [(ids[i], ids[j]) for i, j in result.candidates.collect()]
        assert len(set(cands)) == len(cands)  # each pair once
        assert set(cands) == local_candidates(src, config)
        found[config.max_bucket] = len(cands)
    assert got["clusters"].count("\n") > 20
    # The split was at work: buckets beyond 100 reports, and far fewer candidates with it.
    config = ScanConfig()
    from dedup.pipeline import hash_batch
    from dedup.signature import MinHasher

    sigs = hash_batch([d.text for d in read_documents([str(src)])], config,
                      MinHasher(config.num_perm, config.seed)).signatures
    bands, rows = config.banding
    assert max(np.bincount(band_groups(sigs, b, rows, 0)).max() for b in range(bands)) > 100
    assert found[100] * 10 < found[0]


def test_dataframe_call_with_dates_and_order(spark) -> None:
    from dedup.spark import scan_dataframe

    docs = list(read_documents([str(SEEDS)]))
    rows = [(d.id, d.text, "2026-01-0%d" % (1 + k % 2), 10 * k) for k, d in enumerate(docs)]
    df = spark.createDataFrame(rows, "url string, body string, published string, n long")
    config = ScanConfig(keep="first")
    result = scan_dataframe(df, id_col="url", text_col="body", date_col="published", order_col="n", config=config)
    from dedup.io import Document, parse_date

    local = scan_documents([Document(i, t, date=parse_date(p)) for i, t, p, _ in rows], config)
    assert [tuple(m.id for m in c.members) for c in local.clusters] == \
        [tuple(m["id"] for m in r["members"]) for r in result.clusters.orderBy("cluster").collect()]
    assert [r.id for r in result.duplicates().collect()] == local.duplicate_ids


def test_star_components_agree_with_union_find(spark) -> None:
    from dedup.spark_components import star_components

    rng = np.random.default_rng(3)
    # Chains, stars and random edges over sparse node numbers, as input order gives them.
    nodes = np.sort(rng.choice(10_000, size=300, replace=False))
    edges = [(int(nodes[k]), int(nodes[k + 1])) for k in range(0, 60)]
    edges += [(int(nodes[100]), int(nodes[k])) for k in range(101, 140)]
    edges += [tuple(int(x) for x in rng.choice(nodes[150:], size=2, replace=False)) for _ in range(80)]
    df = spark.createDataFrame(edges, "src long, dst long")
    got = {}
    for r in star_components(df, checkpoint_every=2).collect():
        got.setdefault(r["comp"], []).append(r["node"])
    want_nodes = sorted({x for e in edges for x in e})
    where = {v: k for k, v in enumerate(want_nodes)}
    want = [[want_nodes[k] for k in comp]
            for comp in groups(len(want_nodes), [Pair(where[a], where[b], 0, 0, 0) for a, b in edges])]
    assert sorted(sorted(c) for c in got.values()) == want
    assert all(comp == min(members) for comp, members in got.items())


def test_distributed_components_give_the_same_clusters(spark) -> None:
    from dedup.spark import scan_documents_frame
    from dedup.spark_io import read_inputs

    config = ScanConfig()
    docs = read_inputs(spark, [str(SEEDS)])
    driver = scan_documents_frame(docs, config)
    star = scan_documents_frame(docs, config, driver_edges=0, block=1)
    assert star.jsonl().collect() == driver.jsonl().collect()
    assert len(driver.jsonl().collect()) == 1


def test_cli_writes_the_local_output(spark, tmp_path: Path) -> None:
    out = tmp_path / "clusters"
    got = CliRunner().invoke(cli, ["spark", "scan", str(SEEDS), "-o", str(out)])
    assert got.exit_code == 0, got.output
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(out.glob("part-*")))
    assert text == local_lines([SEEDS], ScanConfig())["clusters"]
    again = CliRunner().invoke(cli, ["spark", "scan", str(SEEDS), "-o", str(out)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_no_near_duplicates_give_no_lines(spark) -> None:
    from dedup.spark import scan_dataframe

    df = spark.createDataFrame([("a", "one story about cocoa in bahia today"),
                                ("b", "another different story on oil prices"), ("c", "")], "id string, text string")
    result = scan_dataframe(df)
    assert result.jsonl().collect() == [] and result.jsonl(pairs=True).collect() == []
    assert result.duplicates().collect() == []


def test_unread_kinds_are_refused(spark, tmp_path: Path) -> None:
    (tmp_path / "news.csv").write_text("id,text\n1,hello\n", encoding="utf-8")
    got = CliRunner().invoke(cli, ["spark", "scan", str(tmp_path / "news.csv"), "-o", str(tmp_path / "out")])
    assert got.exit_code == 1 and "reads JSON lines, Parquet and text files, not .csv" in got.output
    assert not (tmp_path / "out").exists()


def test_a_folder_named_beside_a_file_names_its_files_as_the_local_scan_does(spark, tmp_path: Path) -> None:
    # The folder holds a file of the same name as the one named beside it (a copy of one of its stories):
    # the folder's files carry its path, so both are read, and they cluster as in the local scan.
    folder = tmp_path / "news"
    shutil.copytree(SEEDS, folder)
    copy = tmp_path / "001_fbcee2db9c98bcf0.txt"
    shutil.copy(SEEDS / copy.name, copy)
    sources = [folder, copy]
    _, got = spark_lines(spark, sources, ScanConfig())
    assert got == local_lines(sources, ScanConfig())
    ids = {m["id"] for line in got["clusters"].splitlines() for m in json.loads(line)["members"]}
    assert {f"{folder.as_posix()}/{copy.name}", str(copy)} <= ids


def test_dataframe_keys_that_would_give_a_wrong_answer_are_refused(spark) -> None:
    # A repeated or missing order value took two rows for one (a document vanished from its cluster), and a
    # null id made one document of all the rows without one.
    from dedup.errors import ConfigError
    from dedup.spark import scan_dataframe

    text = "the council approved the budget for the new school on tuesday after a long debate " * 3
    cases = [
        ([("a", 7), ("b", 7), ("c", 2), ("d", 3)], "url string, n long", "n", "repeated: 3 distinct values in 4 rows"),
        ([("a", 1), ("b", None), ("c", 2), ("d", 3)], "url string, n long", "n", "null (or not a number) in 1 rows"),
        ([("a", 1), (None, 2), (None, 3), ("d", 4)], "url string, n long", None, "Column 'url' is null in 2 rows"),
    ]
    for rows, schema, order, message in cases:
        df = spark.createDataFrame([(u, text, n) for u, n in rows], schema.replace(", n", ", body string, n"))
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
            scan_dataframe(df, id_col="url", text_col="body", order_col=order)
    df = spark.createDataFrame([(u, text, n) for u, n in [("a", 1), ("b", 5), ("c", 2), ("d", 3)]],
                               "url string, body string, n long")
    result = scan_dataframe(df, id_col="url", text_col="body", order_col="n")
    assert [sorted(m["id"] for m in r["members"]) for r in result.clusters.collect()] == [["a", "b", "c", "d"]]


def test_a_folder_of_hundreds_of_files_is_one_union(spark, tmp_path: Path) -> None:
    # Unions chained file by file overflowed Spark's stack (StackOverflowError) at about 300 files.
    folder = tmp_path / "parts"
    folder.mkdir()
    docs = list(islice(read_documents([str(need(REUTERS))]), 620))
    for k in range(310):
        with open(folder / f"p{k:03d}.jsonl", "w", encoding="utf-8") as fh:
            for d in docs[2 * k : 2 * k + 2]:
                fh.write(json.dumps({"id": d.id, "text": d.text}) + "\n")
    _, got = spark_lines(spark, [folder], ScanConfig(), pairs_too=False)
    assert got["clusters"] == local_lines([folder], ScanConfig())["clusters"]


def test_file_names_with_glob_characters_are_read_as_named(spark, tmp_path: Path) -> None:
    # Hadoop's readers took "report[1].txt" as a pattern (matching nothing: a traceback).
    folder = tmp_path / "weird"
    folder.mkdir()
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    for name, new in zip(names, ["brace{x}.txt", "report[1].txt", "star*.txt", "q?.txt", "plain.txt"]):
        shutil.copy(SEEDS / name, folder / new)
    (folder / "news[2026].jsonl").write_text(json.dumps({"id": "j1", "text": (SEEDS / names[0]).read_text()})
                                             + "\n", encoding="utf-8")
    _, got = spark_lines(spark, [folder], ScanConfig())
    assert got == local_lines([folder], ScanConfig())
    assert "j1" in got["clusters"]


def test_gzipped_text_files_are_read_as_the_local_scan_reads_them(spark, tmp_path: Path) -> None:
    # A .txt.gz was read as its compressed bytes and dropped without a word: its pair was missing.
    folder = tmp_path / "gz"
    folder.mkdir()
    a, b = sorted(p.name for p in SEEDS.glob("*.txt"))[:2]  # the seed pair
    shutil.copy(SEEDS / a, folder / "a.txt")
    (folder / "b.txt.gz").write_bytes(gzip.compress((SEEDS / b).read_bytes()))
    _, got = spark_lines(spark, [folder], ScanConfig())
    assert got == local_lines([folder], ScanConfig())
    assert "b.txt.gz" in got["clusters"] and "a.txt" in got["clusters"]


def test_a_damaged_gzip_part_and_an_unfinished_output_are_one_line_each(spark, tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "a.jsonl").write_text(json.dumps({"id": "a", "text": "one two three four five six"}) + "\n")
    data = bytearray(gzip.compress((json.dumps({"id": "b", "text": "seven eight nine ten " * 50}) + "\n").encode()))
    data[-8] ^= 0xFF  # the CRC
    (parts / "b.jsonl.gz").write_bytes(bytes(data))
    got = CliRunner().invoke(cli, ["spark", "scan", str(parts), "-o", str(tmp_path / "out")])
    assert got.exit_code == 1 and got.output.startswith("Error: the Spark job failed (") and "CRC" in got.output
    assert got.output.count("\n") == 1, got.output
    # Spark's error names no file: the damaged one is found and named (it was not before).
    assert f"{parts / 'b.jsonl.gz'} is damaged or cut short (gzip -t tells)" in got.output, got.output
    # What an interrupted run leaves (no _SUCCESS) is named as such, before Spark starts.
    (tmp_path / "cut").mkdir()
    (tmp_path / "cut" / "part-00000").write_text("")
    got = CliRunner().invoke(cli, ["spark", "scan", str(SEEDS), "-o", str(tmp_path / "cut")])
    assert got.exit_code == 1 and "with no _SUCCESS in it" in got.output


def test_input_with_no_document_is_an_error_as_in_the_local_scan(spark, tmp_path: Path) -> None:
    # Records without the text field gave "wrote 0 clusters", exit 0: a wrong --text-field passed for a
    # night with nothing new.
    src = tmp_path / "notext.jsonl"
    src.write_text("".join(json.dumps({"id": str(k), "body_html": "<p>x</p>"}) + "\n" for k in range(5)))
    got = CliRunner().invoke(cli, ["spark", "scan", str(src), "-o", str(tmp_path / "out")])
    assert got.exit_code == 1 and got.output.startswith(f"Error: no documents read from {src}: ")
    assert not (tmp_path / "out").exists()


def test_copies_by_the_hundred_pair_with_their_first_as_in_the_local_scan(spark, tmp_path: Path) -> None:
    from dedup.spark_io import read_inputs

    text = (SEEDS / "000_cc67e4122e3a257f.txt").read_text(encoding="utf-8")
    src = tmp_path / "copies.jsonl"
    rows = [{"id": f"c{k:03d}", "text": text} for k in range(150)]
    rows += [{"id": "other", "text": (SEEDS / "002_31e9bada26c2e9f7.txt").read_text(encoding="utf-8")}]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    ids = dict(read_inputs(spark, [str(src)]).select("ord", "id").collect())
    config = ScanConfig()
    result, got = spark_lines(spark, [src], config)
    assert got == local_lines([src], config)
    cands = {(ids[i], ids[j]) for i, j in result.candidates.collect()}
    assert cands == local_candidates(src, config) == {("c000", f"c{k:03d}") for k in range(1, 150)}


def test_cli_refuses_a_dangling_link_as_output_before_spark_starts(tmp_path: Path) -> None:
    # Spark ran the whole job, then failed with "Mkdirs failed" and advice to check the inputs.
    pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'dedup[spark]')")
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "nowhere")
    got = CliRunner().invoke(cli, ["spark", "scan", str(SEEDS), "-o", str(link)])
    assert got.exit_code == 1
    assert got.output == (f"Error: {link} is a symbolic link to a missing folder ({tmp_path / 'nowhere'}); "
                          "give a new folder\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_records_with_a_list_or_object_id_are_skipped_as_locally() -> None:
    from dedup.spark_io import RecordFields, record_document

    fields = RecordFields()
    assert record_document({"id": [1], "text": "one two"}, "f.jsonl", 1, fields) is None
    assert record_document({"_id": {"x": 1}, "text": "one two"}, "f.jsonl", 2, fields) is None
    assert record_document({"id": None, "text": "one two"}, "f.jsonl", 3, fields)[0] == "f.jsonl:3"


def test_cli_warns_when_records_were_left_out(spark, tmp_path: Path) -> None:
    # A malformed line, a record without text: dropped without a word (the local scan names each).
    text = (SEEDS / "000_cc67e4122e3a257f.txt").read_text(encoding="utf-8")
    clean = tmp_path / "clean.jsonl"
    clean.write_text(json.dumps({"id": "a", "text": text}) + "\n" + json.dumps({"id": "b", "text": text}) + "\n",
                     encoding="utf-8")
    got = CliRunner().invoke(cli, ["spark", "scan", str(clean), "-o", str(tmp_path / "out1")])
    assert got.exit_code == 0 and "Warning" not in got.output
    messy = tmp_path / "messy.jsonl"
    messy.write_text(clean.read_text(encoding="utf-8") + '{"id": "bad", "text": "broken\n' + '{"id": "c"}\n',
                     encoding="utf-8")
    got = CliRunner().invoke(cli, ["spark", "scan", str(messy), "-o", str(tmp_path / "out2")])
    assert got.exit_code == 0
    assert "Warning: some records or files were left out (malformed JSON lines, records without text" in got.output


def test_the_damaged_gzip_inputs_are_found_without_spark(tmp_path: Path) -> None:
    from dedup.spark_io import damaged_gzip

    whole = gzip.compress(b'{"id": "a", "text": "one two three"}\n' * 500)
    (tmp_path / "good.jsonl.gz").write_bytes(whole)
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "plain.jsonl").write_text('{"id": "b", "text": "four five"}\n')
    assert damaged_gzip([str(tmp_path)]) == [str(tmp_path / "cut.jsonl.gz")]
    assert damaged_gzip(["hdfs://namenode/data"]) == []


def test_a_record_s_update_time_chooses_the_newest_copy_in_both_engines(spark, tmp_path: Path) -> None:
    text = (SEEDS / "000_cc67e4122e3a257f.txt").read_text()
    path = tmp_path / "updated.jsonl"
    path.write_text(json.dumps({"id": "first", "date": "2026-11-30T09:00:00Z", "text": text}) + "\n"
                    + json.dumps({"id": "updated", "date": "2026-11-30T08:00:00Z",
                                  "dateModified": "2026-11-30T15:00:00Z", "text": text + " An update."}) + "\n")
    config = ScanConfig(keep="newest")
    _, got = spark_lines(spark, [path], config)
    assert got == local_lines([path], config)
    assert json.loads(got["clusters"])["keep"] == "updated"


def test_spark_reads_what_the_local_scan_reads_away_from_utc(tmp_path: Path) -> None:
    # Under TZ=America/New_York a Parquet timestamp and a text file's time were read hours off (another copy
    # kept, other days in --pairs); a line nested too deep was a Python traceback, and a broken link in a
    # folder a Java one; a file named _x.jsonl was left out without a word (Hadoop passes over such names).
    import datetime as dt
    import os
    import subprocess
    import sys

    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed: Spark needs Java 17 or later")
    text = (SEEDS / "000_cc67e4122e3a257f.txt").read_text()
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "a.jsonl").write_text(json.dumps({"id": "j1", "date": "2026-11-30T12:00:00Z", "text": text}) + "\n"
                                  + '{"id": "deep", "n": ' + "[" * 3000 + "]" * 3000 + "}\n")
    stamp = dt.datetime(2026, 11, 30, 14, 0, tzinfo=dt.timezone.utc)
    dates = pa.array([stamp], pa.timestamp("us", "UTC"))
    pq.write_table(pa.table({"id": ["p1"], "text": [text + " More."], "date": dates}), tree / "b.parquet")
    (tree / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    env = dict(os.environ, TZ="America/New_York")
    for pairs in ([], ["--pairs"]):
        out = tmp_path / f"out{len(pairs)}"
        done = subprocess.run([sys.executable, "-m", "dedup", "spark", "scan", str(tree), "-o", str(out), "--keep",
                               "newest", *pairs], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
        got = "".join(p.read_text() for p in sorted(out.glob("part-*")))
        local = subprocess.run([sys.executable, "-m", "dedup", "scan", str(tree), "-f", "jsonl", "--keep", "newest",
                                *pairs], capture_output=True, text=True, env=env, cwd=tmp_path)
        assert got == local.stdout and got, (got, local.stdout)
    assert json.loads(got)["checks"]["days"] == pytest.approx(2 / 24, abs=1e-3)
    (tree / "_x.jsonl").write_text(json.dumps({"id": "x", "text": text}) + "\n")
    done = subprocess.run([sys.executable, "-m", "dedup", "spark", "scan", str(tree), "-o", str(tmp_path / "o3")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 1 and done.stderr.splitlines()[-1] == (
        "Error: _x.jsonl: Spark's file readers pass over a file whose name starts with '_' or '.'; rename it to scan "
        "it with Spark (or scan with dedup scan)"), done.stderr[-1000:]


def test_a_parquet_file_spark_cannot_type_is_one_line_naming_it(spark, tmp_path: Path) -> None:
    # pandas writes nanosecond timestamps, which Spark refuses: a Python traceback of Spark's before.
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "n.parquet"
    pq.write_table(pa.table({"id": ["a"], "text": ["one two three"], "date": pa.array([0], pa.timestamp("ns"))}), path)
    got = CliRunner().invoke(cli, ["spark", "scan", str(path), "-o", str(tmp_path / "out")])
    assert got.exit_code == 1 and got.output.startswith(f"Error: {path}: Spark cannot read this Parquet file (")
    assert got.output.count("\n") == 1 and got.output.rstrip().endswith("convert it, or scan it with dedup scan")


def test_a_lone_carriage_return_inside_a_json_line_does_not_end_it(spark, tmp_path: Path) -> None:
    # Spark's textFile ended a line there too, and the record, valid JSON, was left out in two halves.
    text = (SEEDS / "000_cc67e4122e3a257f.txt").read_text()
    path = tmp_path / "cr.jsonl"
    with open(path, "w", newline="") as fh:
        fh.write('{"id": "p",\r"text": ' + json.dumps(text) + "}\n" + json.dumps({"id": "q", "text": text + " x"})
                 + "\r\n")
    _, got = spark_lines(spark, [path], ScanConfig())
    assert got == local_lines([path], ScanConfig()) and '"p"' in got["clusters"]


def test_a_utf16_text_file_with_its_mark_is_read_as_the_local_scan_reads_it(spark, tmp_path: Path) -> None:
    # Its NULs made it binary to the Spark reader, and it was left out (no document read, exit 1).
    a, b = sorted(p.name for p in SEEDS.glob("*.txt"))[:2]
    (tmp_path / "a.txt").write_bytes((SEEDS / a).read_text().encode("utf-16"))
    shutil.copy(SEEDS / b, tmp_path / "b.txt")
    _, got = spark_lines(spark, [tmp_path], ScanConfig())
    assert got == local_lines([tmp_path], ScanConfig()) and "a.txt" in got["clusters"]


def test_a_feeds_titles_apart_from_the_text_count_as_in_the_local_scan(spark, tmp_path: Path) -> None:
    from test_occasion_feeds import write_feed

    feed = write_feed(tmp_path)
    for config in (ScanConfig(date_window=0), ScanConfig()):  # the defaults last
        _, got = spark_lines(spark, [feed], config)
        assert got == local_lines([feed], config)
    assert [json.loads(line)["keep"] for line in got["clusters"].splitlines()] == ["fire-2", "mall-fix"]


def test_a_dataframe_s_title_column_counts_as_a_record_s_title(spark, tmp_path: Path) -> None:
    from test_occasion_feeds import feed_records

    from dedup.spark import scan_dataframe

    records = feed_records()
    records[0]["text"] = records[0]["title"] + "\n\n" + records[0]["text"]  # a text that starts with its title
    feed = tmp_path / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    records_local = [tuple(m.id for m in c.members) for c in scan([str(feed)]).clusters]
    rows = [(r["id"], r["text"], r["date"], r["title"], k) for k, r in enumerate(records)]
    df = spark.createDataFrame(rows, "url string, body string, published string, headline string, n long")

    def clusters(**title: str) -> list[tuple[str, ...]]:
        result = scan_dataframe(df, id_col="url", text_col="body", date_col="published", order_col="n", **title)
        return [tuple(m["id"] for m in r["members"]) for r in result.clusters.orderBy("cluster").collect()]

    assert clusters(title_col="headline") == records_local
    # Without its titles the draws of two times of day are one text, and the correction is not one.
    assert clusters() != records_local
