"""MinHash signatures equal datasketch.MinHash value for value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.errors import ConfigError
from dedup.shingle import ShingleConfig, hashfunc_for, shingle_batch, shingle_set, shingles
from dedup.signature import EMPTY, MinHasher, permutations

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def reference(text: str, num_perm: int = 128, seed: int = 1, size: int = 5, kind: str = "word") -> np.ndarray:
    """datasketch's signature of the text's shingles, fed one string at a time."""
    m = MinHash(num_perm=num_perm, seed=seed, scheme="affine32", hashfunc=hashfunc_for(kind))  # type: ignore[arg-type]
    for s in shingles(text, size, kind):  # type: ignore[arg-type]
        m.update(s)
    return m.hashvalues.astype(np.uint32)


def batch_signatures(texts: list[str], hasher: MinHasher, config: ShingleConfig = ShingleConfig()) -> np.ndarray:
    """Signatures the way the scan makes them: one batch, one array."""
    values, lengths, _ = shingle_batch(texts, config)
    return hasher.signatures_flat(values, lengths)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
@pytest.mark.parametrize("num_perm,seed", [(128, 1), (64, 42), (256, 7)])
def test_seed_signatures_equal_datasketch(path: Path, num_perm: int, seed: int) -> None:
    text = path.read_text(encoding="utf-8")
    hasher = MinHasher(num_perm, seed)
    expected = reference(text, num_perm, seed)
    assert np.array_equal(hasher.signature(shingle_set(text)), expected)
    assert np.array_equal(batch_signatures([text], hasher)[0], expected)


def test_seed_batch_equals_datasketch_row_by_row() -> None:
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    sigs = batch_signatures(texts, MinHasher(128, 1))
    assert sigs.shape == (len(texts), 128) and sigs.dtype == np.uint32
    for row, text in zip(sigs, texts):
        assert np.array_equal(row, reference(text))


def test_golden_signature_of_first_seed() -> None:
    # Pinned values: a change here means every stored signature would change.
    text = (ROOT / "seeds" / "000_cc67e4122e3a257f.txt").read_text(encoding="utf-8")
    sig = MinHasher(128, 1).signature(shingle_set(text))
    assert sig[:8].tolist() == [7455357, 4040081, 4398154, 3939522, 8897561, 6198236, 2326773, 5947246]


def test_permutations_are_datasketchs() -> None:
    m = MinHash(num_perm=16, seed=3, scheme="affine32")
    a, b = permutations(16, 3)
    assert np.array_equal(a, m.permutations[0].astype(np.uint32))
    assert np.array_equal(b, m.permutations[1].astype(np.uint32))


def test_empty_and_short_texts() -> None:
    hasher = MinHasher(32, 1)
    texts = ["", "   ,,, ", "one", "one two", "one two three four five", "¿Qué? ﬁn"]
    sigs = batch_signatures(texts, hasher)
    assert (sigs[0] == EMPTY).all() and (sigs[1] == EMPTY).all()
    for row, text in zip(sigs, texts):
        assert np.array_equal(row, reference(text, 32))


def test_signature_rejects_bad_settings() -> None:
    with pytest.raises(ConfigError, match="num_perm"):
        MinHasher(0, 1)
    with pytest.raises(ConfigError, match="seed"):
        MinHasher(128, -1)


# Text drawn from ASCII words and punctuation, with some non-ASCII letters
# (which take the slow tokenizer) and long tokens (over 16 bytes, which the
# fast path hands to the string table).
WORDS = st.sampled_from(["the", "The", "a", "strike", "Kaiser", "60", "day's", "co-op", "naïve", "ÉTAT", "ﬁrst",
                         "x" * 17, "supercalifragilisticexpialidocious", "A1b2C3d4E5f6G7h8", "_", "--", "\n"])
TEXT = st.lists(WORDS, max_size=60).map(" ".join) | st.text(max_size=200)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(TEXT, min_size=1, max_size=8), size=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_random_text_equals_datasketch(texts: list[str], size: int, seed: int) -> None:
    hasher = MinHasher(16, seed)
    config = ShingleConfig(size, "word")
    sigs = batch_signatures(texts, hasher, config)
    for row, text in zip(sigs, texts):
        assert np.array_equal(row, reference(text, 16, seed, size))


@settings(max_examples=25, deadline=None)
@given(texts=st.lists(TEXT, min_size=1, max_size=4), size=st.integers(1, 9))
def test_random_text_char_shingles_equal_datasketch(texts: list[str], size: int) -> None:
    hasher = MinHasher(16, 5)
    sigs = batch_signatures(texts, hasher, ShingleConfig(size, "char"))
    for row, text in zip(sigs, texts):
        assert np.array_equal(row, reference(text, 16, 5, size, "char"))
