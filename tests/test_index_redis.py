"""dedup.Index in Redis (``--redis URL``): same results as the SQLite file.

The tests start a real ``redis-server`` on a free loopback port (no
persistence) and stop it afterwards; they are skipped when redis-server or
the redis package is missing.
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from contextlib import contextmanager
from typing import Iterator, Optional

import pytest
from click.testing import CliRunner

from dedup import Document, Index, IndexFormatError, ScanConfig
from dedup.cli import cli

from index_support import statuses_by_id

redis = pytest.importorskip("redis")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ScanConfig()
BANDS, ROWS = DEFAULT.banding  # every document has BANDS band entries
SEEDS = ROOT / "seeds"
S0, S1, S2, S3, S4 = sorted(p.name for p in SEEDS.glob("*.txt"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_redis(password: Optional[str] = None) -> Iterator[tuple[str, int]]:
    """A throwaway redis-server on a free local port (skips the test when none is installed): (url, port)."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    args = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    if password:
        args += ["--requirepass", password]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://{f':{password}@' if password else ''}127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)
        yield url, port
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with running_redis() as (url, _):
        yield url


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def sentences(text: str) -> list[str]:
    return [s.strip() + "." for s in text.replace("\n", " ").split(". ") if s.strip()]


def corpus(seed: int) -> list[Document]:
    """The seed articles and edited versions of them: sentences dropped, duplicated, shuffled."""
    rng = random.Random(seed)
    docs = [Document(n, seed_text(n)) for n in (S0, S1, S2, S3, S4)]
    for n in (S0, S1, S2, S3, S4):
        sents = sentences(seed_text(n))
        for v in range(4):
            keep = [s for s in sents if rng.random() > 0.15 * v]
            if v == 3:
                rng.shuffle(keep)
            docs.append(Document(f"{n}~v{v}", " ".join(keep)))
    return docs


def outcome_key(items: list) -> list[tuple]:
    return [(o.id, o.status, tuple((m.id, m.jaccard, m.query_in_match, m.match_in_query) for m in o.matches))
            for o in items]


def test_redis_gives_the_same_results_as_the_sqlite_file(redis_url: str, tmp_path: Path) -> None:
    docs = corpus(3)
    first, second = docs[::2], docs[1::2]
    revised = [Document(S2, seed_text(S3)), Document(S4, seed_text(S4))]
    file_index = Index(tmp_path / "a.db")
    redis_index = Index("parity", redis=redis_url)
    results = {}
    for name, index in (("sqlite", file_index), ("redis", redis_index)):
        with index:
            added = index.add(first, skip_duplicates=True)
            queried = index.query(second)
            again = index.add(revised)
            removed = index.remove([S0, "nope"])
            after = index.query(second)
            info = index.info()
        results[name] = (outcome_key(added), outcome_key(queried), outcome_key(again), removed, outcome_key(after),
                         info.documents, info.band_entries, info.settings)
    assert results["redis"] == results["sqlite"]
    added, queried, again, removed, after, documents, band_entries, _ = results["sqlite"]
    # The comparison means something: there are duplicates, matches, a revision and a removal.
    assert sum(1 for _, status, _ in added if status == "duplicate") >= 3
    assert sum(1 for *_, matches in queried if matches) >= 5
    assert [status for _, status, _ in again] == ["replaced", "unchanged"]
    assert removed == [S0]
    assert queried != after
    assert band_entries == BANDS * documents


def test_redis_filters_candidates_like_sqlite_and_upgrades_a_format_2_index(redis_url: str, tmp_path: Path) -> None:
    import sqlite3
    from itertools import islice

    from conftest import REUTERS, need
    from dedup import read_documents

    docs = list(islice(read_documents([need(REUTERS)]), 1500))
    stats, results = {}, {}
    for name, index in (("sqlite", Index(tmp_path / "f.db")), ("redis", Index("filtered", redis=redis_url))):
        with index:
            index.add(docs[::2])
            results[name] = index.query(docs[1::2])
            stats[name] = index.stats
    assert results["redis"] == results["sqlite"] and stats["redis"] == stats["sqlite"]
    assert stats["sqlite"].filtered > 0
    client = redis.Redis.from_url(redis_url)
    con = sqlite3.connect(tmp_path / "f.db")
    by_id = dict(con.execute("SELECT d.id, s.sketch FROM docs AS d JOIN sketches AS s USING (doc)"))
    con.close()
    assert {d.id: client.hget(f"dedup:filtered:d:{d.id}", "sketch") for d in docs[::2]} == by_id
    # The same index as format 2 wrote it: no sketches.
    for d in docs[::2]:
        client.hdel(f"dedup:filtered:d:{d.id}", "sketch")
    client.hset("dedup:filtered:meta", "format_version", "2")
    r = CliRunner().invoke(cli, ["index", "query", "filtered", str(SEEDS / S1), "--redis", redis_url])
    assert r.exit_code == 1 and r.output == (f"Error: {redis_url} index 'filtered' has index format 2; this dedup "
                                             f"reads format 3 (upgrade it in place with `dedup index upgrade "
                                             f"filtered --redis {redis_url}`)\n")
    r = CliRunner().invoke(cli, ["index", "upgrade", "filtered", "--redis", redis_url])
    assert r.exit_code == 0 and r.output == f"upgraded filtered: {len(docs[::2])} documents sketched\n", r.output
    assert {d.id: client.hget(f"dedup:filtered:d:{d.id}", "sketch") for d in docs[::2]} == by_id
    with Index("filtered", redis=redis_url) as index:
        assert index.query(docs[1::2]) == results["sqlite"]
    client.close()


def test_cli_with_redis(redis_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["index", "add", "seeds", str(SEEDS), "--redis", redis_url, "--skip-duplicates"])
    assert r.exit_code == 0, r.output
    assert r.output == (f"duplicate {SEEDS / S1}  ~ {SEEDS / S0}  jaccard 0.4477  query_in_match 0.5349  "
                        "match_in_query 0.7331\n"
                        "added 4, unchanged 0, replaced 0, duplicates 1 (not added), empty 0; "
                        "the index holds 4 documents\n")
    r = runner.invoke(cli, ["index", "query", "seeds", str(SEEDS / S1), "--redis", redis_url, "-f", "jsonl"])
    assert r.exit_code == 0, r.output
    rec = json.loads(r.output)
    assert [(m["id"], m["jaccard"], m["match_in_query"]) for m in rec["matches"]] == [(str(SEEDS / S0), 0.4477,
                                                                                       0.7331)]
    r = runner.invoke(cli, ["index", "info", "seeds", "--redis", redis_url])
    assert r.exit_code == 0 and f"index: {redis_url} index 'seeds' (redis, format 3)\ndocuments: 4\n" in r.output
    r = runner.invoke(cli, ["index", "remove", "seeds", str(SEEDS / S0), "--redis", redis_url])
    assert r.exit_code == 0 and r.stdout == "removed 1; the index holds 3 documents\n"


def test_redis_settings_mismatch_foreign_keys_and_unreachable_server(redis_url: str) -> None:
    Index("strict", redis=redis_url, num_perm=64).close()
    with pytest.raises(IndexFormatError) as err:
        Index("strict", redis=redis_url, num_perm=128)
    assert str(err.value) == (f"{redis_url} index 'strict' was built with num_perm=64, not 128 (leave num_perm "
                              "out to use the index's own settings, or use another index)")
    client = redis.Redis.from_url(redis_url)
    client.set("dedup:foreign:meta", "something else")
    client.close()
    r = CliRunner().invoke(cli, ["index", "info", "foreign", "--redis", redis_url])
    assert r.exit_code == 1 and r.output == (f"Error: {redis_url} index 'foreign' is not a dedup index (its meta key "
                                             "is a string); choose another index name\n")
    r = CliRunner().invoke(cli, ["index", "info", "absent", "--redis", redis_url])
    assert r.exit_code == 1 and "no such index" in r.output and r.output.count("\n") == 1
    dead = f"redis://127.0.0.1:{_free_port()}/0"
    r = CliRunner().invoke(cli, ["index", "info", "x", "--redis", dead])
    assert r.exit_code == 1 and r.output.startswith(f"Error: cannot reach Redis at {dead} (")
    assert r.output.count("\n") == 1


def test_two_processes_adding_to_redis_at_once_lose_nothing(redis_url: str, tmp_path: Path) -> None:
    rng = random.Random(5)
    vocab = sorted({w for p in SEEDS.glob("*.txt") for w in p.read_text(encoding="utf-8").split()})
    for name in ("a", "b"):
        with open(tmp_path / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for i in range(600):
                fh.write(json.dumps({"id": f"{name}{i}", "text": " ".join(rng.choices(vocab, k=100))}) + "\n")
    procs = [subprocess.Popen([sys.executable, "-m", "dedup", "index", "add", "busy", str(tmp_path / f"{n}.jsonl"),
                               "--redis", redis_url, "--batch-size", "20", "-q"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in ("a", "b")]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        assert out.startswith("added 600, unchanged 0")
    with Index.open("busy", redis=redis_url) as index:
        info = index.info()
        assert (info.documents, info.band_entries) == (1200, BANDS * 1200)
        assert all(f"{n}{i}" in index for n in "ab" for i in range(600))


def _write_random(path: Path, count: int, prefix: str, seed: int) -> None:
    rng = random.Random(seed)
    vocab = sorted({w for p in SEEDS.glob("*.txt") for w in p.read_text(encoding="utf-8").split()})
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(count):
            fh.write(json.dumps({"id": f"{prefix}{i}", "text": " ".join(rng.choices(vocab, k=100))}) + "\n")


def _counts(url: str, name: str) -> tuple[int, int, int]:
    """(ids in the id set, document hashes, band entries counter) of one index."""
    client = redis.Redis.from_url(url)
    try:
        pipe = client.pipeline(transaction=True)
        pipe.scard(f"dedup:{name}:ids")
        pipe.get(f"dedup:{name}:entries")
        ids, entries = pipe.execute()
        docs = sum(1 for _ in client.scan_iter(match=f"dedup:{name}:d:*", count=1000))
    finally:
        client.close()
    return int(ids), docs, int(entries or 0)


def test_two_processes_adding_the_same_documents_to_redis(redis_url: str, tmp_path: Path) -> None:
    """Both writers read and write the same ids: optimistic retries keep each document once."""
    src = tmp_path / "same.jsonl"
    _write_random(src, 400, "s", 9)
    procs = [subprocess.Popen([sys.executable, "-m", "dedup", "index", "add", "same", str(src), "--redis", redis_url,
                               "--batch-size", "10", "-f", "jsonl", "-q"], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    statuses = statuses_by_id(procs)
    assert len(statuses) == 400
    assert all(sorted(s) == ["added", "unchanged"] for s in statuses.values())
    assert _counts(redis_url, "same") == (400, 400, 400 * BANDS)


def test_two_processes_skipping_duplicates_keep_one_of_each_pair(redis_url: str, tmp_path: Path) -> None:
    """Two writers add the two versions of 300 stories at once, each skipping near-duplicates: whatever
    the interleaving, exactly one version of each story is indexed (each batch is worked out and written
    under the index's writer lock)."""
    rng = random.Random(12)
    vocab = sorted({w for p in SEEDS.glob("*.txt") for w in p.read_text(encoding="utf-8").split()})
    first = [rng.choices(vocab, k=120) for _ in range(300)]
    for name, texts in (("a", first), ("b", [t[:-3] + rng.choices(vocab, k=3) for t in first])):
        with open(tmp_path / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for i, words in enumerate(texts):
                fh.write(json.dumps({"id": f"{name}{i}", "text": " ".join(words)}) + "\n")
    procs = [subprocess.Popen([sys.executable, "-m", "dedup", "index", "add", "pairs", str(tmp_path / f"{n}.jsonl"),
                               "--redis", redis_url, "--batch-size", "25", "--skip-duplicates", "-f", "jsonl", "-q"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in "ab"]
    status = {}
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
        status.update((rec["id"], rec["status"]) for rec in map(json.loads, out.splitlines()))
    assert all(sorted([status[f"a{i}"], status[f"b{i}"]]) == ["added", "duplicate"] for i in range(300))
    with Index.open("pairs", redis=redis_url) as index:
        assert len(index) == 300
    client = redis.Redis.from_url(redis_url)
    assert not client.exists("dedup:pairs:writer")  # the lock is let go
    client.close()


def test_sigkill_mid_add_leaves_whole_batches_in_redis(redis_url: str, tmp_path: Path) -> None:
    src = tmp_path / "big.jsonl"
    _write_random(src, 8000, "k", 11)
    batch = 100
    proc = subprocess.Popen([sys.executable, "-m", "dedup", "index", "add", "killed", str(src), "--redis", redis_url,
                             "--batch-size", str(batch), "-q"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    client = redis.Redis.from_url(redis_url)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and client.scard("dedup:killed:ids") < 4 * batch:
            assert proc.poll() is None, "the add finished before it could be killed; give it more input"
            time.sleep(0.02)
        proc.kill()
    finally:
        proc.wait()
        client.close()
    assert proc.returncode == -9
    ids, docs, entries = _counts(redis_url, "killed")
    assert ids == docs and entries == BANDS * docs and docs % batch == 0 and 4 * batch <= docs < 8000
    with Index.open("killed", redis=redis_url) as index:
        assert len(index) == docs
        assert index.add([("k0", "something else entirely, a new revision of it")])[0].status == "replaced"


def test_a_port_that_never_answers_is_named_within_seconds() -> None:
    # Something that accepts the connection and stays silent (not Redis, or a hung server): the first
    # answer is waited for a few seconds, not for the 60 s a writer waits for another.
    from dedup.index_redis import PING_SECONDS

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        start = time.monotonic()
        r = CliRunner().invoke(cli, ["index", "info", "x", "--redis", url])
        took = time.monotonic() - start
    assert r.exit_code == 1 and r.output == (f"Error: no answer from {url} within {PING_SECONDS:g} s (is a Redis "
                                             "server listening there?); check the server or fix --redis\n")
    assert took < PING_SECONDS + 10
