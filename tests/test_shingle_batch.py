"""Batch shingling equals the one-document reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.shingle import ShingleConfig, batch_token_hashes, shingle_batch, shingle_hash, shingle_set, shingles, \
    token_hashes, tokens_of

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def split(values: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    return np.split(values, np.cumsum(lengths)[:-1])


def test_seed_sets_equal_reference() -> None:
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    values, lengths, words = shingle_batch(texts)
    for got, text, n in zip(split(values, lengths), texts, words.tolist()):
        assert got.tolist() == sorted({shingle_hash(s) for s in shingles(text)})
        assert n == len(tokens_of(text))


def test_sets_are_sorted_distinct_uint32() -> None:
    values, lengths, _ = shingle_batch(["a b c d e a b c d e a b c d e", "z"])
    a, b = split(values, lengths)
    assert values.dtype == np.uint32 and len(a) == 5 and len(b) == 1
    assert (np.diff(a.astype(np.int64)) > 0).all()


TEXT = st.lists(st.sampled_from(["Oil", "oil", "rose", "3.5", "pct", "café", "ÅR", "y" * 20, "ab" * 5, ",", "\t"]),
                max_size=40).map(" ".join) | st.text(max_size=120)


@settings(max_examples=80, deadline=None)
@given(texts=st.lists(TEXT, max_size=10), size=st.integers(1, 7), kind=st.sampled_from(["word", "char"]))
def test_random_batches_equal_reference(texts: list[str], size: int, kind: str) -> None:
    config = ShingleConfig(size, kind)  # type: ignore[arg-type]
    values, lengths, _ = shingle_batch(texts, config)
    assert len(lengths) == len(texts)
    for got, text in zip(split(values, lengths), texts):
        assert np.array_equal(got, shingle_set(text, config))
    hashes, counts = batch_token_hashes(texts, kind)  # type: ignore[arg-type]
    expected = [token_hashes(tokens_of(t, kind)) for t in texts]  # type: ignore[arg-type]
    assert counts.tolist() == [len(e) for e in expected]
    assert np.array_equal(hashes, np.concatenate(expected) if expected else np.empty(0, np.uint64))


def test_key_table_grows_and_keeps_every_token() -> None:
    from dedup.shingle import _KeyTable, token_hash

    table = _KeyTable(bits=4)
    tokens = [f"w{i}" for i in range(300)] + ["abcdefghijklmnop", "abcdefgh", "abcdefghi"]
    packed = [t.encode("ascii").ljust(16, b"\0") for t in tokens]
    k0 = np.array([int.from_bytes(p[:8], "little") for p in packed], dtype=np.uint64)
    k1 = np.array([int.from_bytes(p[8:], "little") for p in packed], dtype=np.uint64)
    for lo in range(0, len(tokens), 50):  # arrive in several batches, growing the table
        got = table.lookup(k0[lo : lo + 50], k1[lo : lo + 50])
        assert got.tolist() == [token_hash(t) for t in tokens[lo : lo + 50]]
    assert table.count == len(tokens) and table.bits > 4
    again = table.lookup(k0[::-1].copy(), k1[::-1].copy())
    assert again.tolist() == [token_hash(t) for t in tokens[::-1]]


def test_key_table_starts_over_at_its_limit(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import dedup.shingle as shingle_module
    from dedup.shingle import _KeyTable, token_hash

    monkeypatch.setattr(shingle_module, "_KEY_TABLE_LIMIT", 40)
    table = _KeyTable(bits=4)
    for lo in range(0, 200, 30):
        tokens = [f"t{i}" for i in range(lo, lo + 30)]
        k0 = np.array([int.from_bytes(t.encode("ascii"), "little") for t in tokens], dtype=np.uint64)
        got = table.lookup(k0, np.zeros(len(tokens), dtype=np.uint64))
        assert got.tolist() == [token_hash(t) for t in tokens]
        assert table.count <= 40


def test_threads_hashing_new_words_at_once_get_each_word_s_own_hash():
    # The token tables are the process's: threads inserting at once lost keys ("token table lost an inserted
    # key") before a lock guarded the table of ASCII words, and gave words of other text (é...) another
    # word's hash before one guarded the table of the others.
    import threading

    from dedup.normalize import words
    from dedup.shingle import batch_token_hashes, token_hash

    texts = [[" ".join(f"{'wé'[t % 2]}{t}x{k}y{j}" for j in range(400)) for k in range(40)] for t in range(8)]
    got: dict[int, list[int]] = {}
    errors: list[BaseException] = []

    def run(t: int) -> None:
        try:
            got[t] = batch_token_hashes(texts[t])[0].tolist()
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    for t in range(8):
        assert got[t] == [token_hash(w) for text in texts[t] for w in words(text)]


def test_workers_forked_while_another_thread_hashes_do_not_inherit_its_lock(tmp_path: Path) -> None:
    # Forked while another thread held a token table's lock, a scan's workers waited on it forever.
    import subprocess
    import sys

    from conftest import REUTERS, need

    script = tmp_path / "fork.py"
    script.write_text(
        "import itertools, threading\n"
        "from dedup import ScanConfig, read_documents, scan_documents\n"
        f"docs = list(itertools.islice(read_documents([{str(need(REUTERS))!r}]), 4000))\n"
        "stop = []\n"
        "def hash_again():\n"
        "    while not stop:\n"
        "        scan_documents(docs[:1500], ScanConfig(jobs=1, shingle_size=3))\n"
        "threading.Thread(target=hash_again, daemon=True).start()\n"
        "pairs = {len(scan_documents(docs, ScanConfig(jobs=2, shingle_size=8)).pairs) for _ in range(6)}\n"
        "stop.append(1)\n"
        "print(len(pairs))\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "1\n", done.stderr
