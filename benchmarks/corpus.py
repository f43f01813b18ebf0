"""A deterministic news-sized corpus of any size, built from Reuters-21578 sentences.

Each article is about 600 words: runs of real Reuters sentences, in which
40% of the words are swapped for words drawn from the Reuters word
frequencies (so that a million articles built from 100k sentences do not
share long passages, as real articles do not). Some articles are planted
revisions of a recent one (a span cut, a passage added, a few words changed)
or exact reposts, so near-duplicate clusters exist at every size.

Usage:
    python3 benchmarks/corpus.py --n 1000000 --out /tmp/news-1m.jsonl.gz

The output is JSON lines (``id``, ``date``, ``text``), gzip level 1, written
as it is generated: memory does not grow with ``--n``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import json
import re
import sys
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REUTERS = Path(os.environ.get("DEDUP_DATA", ROOT.parent / "shared" / "data")) / "reuters21578" / "reuters21578.jsonl.gz"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class Source:
    """Reuters text as one stream of word ids, cut into sentences."""

    def __init__(self, path: Path = REUTERS) -> None:
        if not path.exists():
            sys.exit(f"error: {path} not found (the shared Reuters-21578 data; pass --reuters PATH)")
        vocab: dict[str, int] = {}
        stream: list[int] = []
        bounds: list[int] = [0]
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                body = json.loads(line).get("body") or ""
                for sentence in _SENTENCE_END.split(" ".join(body.split())):
                    toks = sentence.split()
                    if len(toks) < 5:
                        continue
                    stream.extend(vocab.setdefault(t, len(vocab)) for t in toks)
                    bounds.append(len(stream))
        self.words = list(vocab)
        self.stream = np.asarray(stream, dtype=np.int32)
        self.bounds = np.asarray(bounds, dtype=np.int64)

    @property
    def sentences(self) -> int:
        return len(self.bounds) - 1


def articles(n: int, seed: int = 2024, source: Source | None = None, words: int = 600,
             swap: float = 0.4, revise: float = 0.08, repost: float = 0.02) -> Iterator[dict]:
    """Yield ``n`` article records, the same ones for the same arguments.

    Args:
        n: number of articles.
        seed: random seed.
        source: Reuters text (loaded when not given).
        words: mean article length in words.
        swap: share of words replaced by words drawn from the corpus frequencies.
        revise: share of articles that are a revision of one of the last 1,000.
        repost: share of articles that are an exact repost of one of the last 1,000.
    """
    src = source or Source()
    rng = np.random.default_rng(seed)
    recent: list[np.ndarray] = []
    names = src.words
    stream, bounds = src.stream, src.bounds

    def fresh(target: int) -> np.ndarray:
        parts, total = [], 0
        while total < target:
            # Runs of three consecutive sentences keep some of a story's flow.
            s = int(rng.integers(0, src.sentences - 3))
            part = stream[bounds[s] : bounds[s + 3]]
            parts.append(part)
            total += len(part)
        ids = np.concatenate(parts)
        mask = rng.random(len(ids)) < swap
        ids[mask] = stream[rng.integers(0, len(stream), int(mask.sum()))]
        return ids

    for i in range(n):
        kind = rng.random()
        if recent and kind < repost:
            ids = recent[int(rng.integers(0, len(recent)))]
        elif recent and kind < repost + revise:
            base = recent[int(rng.integers(0, len(recent)))]
            cut = int(len(base) * rng.uniform(0.05, 0.15))
            at = int(rng.integers(0, max(1, len(base) - cut)))
            added = fresh(int(len(base) * rng.uniform(0.05, 0.10)))
            ids = np.concatenate([base[:at], added, base[at + cut :]])
            changed = rng.random(len(ids)) < 0.02
            ids[changed] = stream[rng.integers(0, len(stream), int(changed.sum()))]
        else:
            ids = fresh(int(np.clip(rng.normal(words, words / 6), words / 3, words * 2)))
        recent.append(ids)
        if len(recent) > 1000:
            recent.pop(0)
        day = 1 + i % 28
        yield {"id": f"g{i:07d}", "date": f"1987-03-{day:02d}", "text": " ".join([names[k] for k in ids.tolist()])}


def write(paths: Sequence[tuple[int, Path]], seed: int = 2024, source: Source | None = None) -> None:
    """Write the first ``n`` articles to each ``(n, path)`` in one pass (prefixes of one sequence)."""
    plan = sorted(paths)
    total = plan[-1][0]
    outs = [(n, gzip.open(p, "wt", encoding="utf-8", compresslevel=1)) for n, p in plan]
    try:
        for i, rec in enumerate(articles(total, seed, source)):
            line = json.dumps(rec) + "\n"
            for n, f in outs:
                if i < n:
                    f.write(line)
    finally:
        for _, f in outs:
            f.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="output .jsonl.gz")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--reuters", type=Path, default=REUTERS, help="reuters21578.jsonl.gz")
    args = parser.parse_args(argv)
    write([(args.n, args.out)], args.seed, Source(args.reuters))


if __name__ == "__main__":
    main()
