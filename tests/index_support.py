"""What the index tests share: the seed articles, generated articles, and reading an index file's tables."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
from pathlib import Path
from typing import Sequence

from click.testing import CliRunner

from dedup import Document, ScanConfig
from dedup.cli import cli

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ScanConfig()
BANDS, ROWS = DEFAULT.banding  # every document has BANDS band entries
SEEDS = ROOT / "seeds"
S0, S1, S2, S3, S4 = sorted(p.name for p in SEEDS.glob("*.txt"))


def seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")

def seed_doc(name: str) -> Document:
    return Document(name, seed_text(name), str(SEEDS / name))

def seed_vocabulary() -> list[str]:
    return sorted({w for p in SEEDS.glob("*.txt") for w in p.read_text(encoding="utf-8").split()})

def write_generated(path: Path, count: int, *, prefix: str, words: int = 120, seed: int = 7) -> list[str]:
    """JSON lines of articles made of the seed articles' words in random order; returns their ids."""
    vocab = seed_vocabulary()
    rng = random.Random(seed)
    ids = []
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(count):
            doc_id = f"{prefix}{i:06d}"
            ids.append(doc_id)
            fh.write(json.dumps({"id": doc_id, "text": " ".join(rng.choices(vocab, k=words))}) + "\n")
    return ids

def tables(path: Path) -> tuple[list[tuple], list[tuple]]:
    con = sqlite3.connect(path)
    try:
        docs = con.execute("SELECT * FROM docs ORDER BY doc").fetchall()
        bands = con.execute("SELECT * FROM bands ORDER BY seg, key, doc").fetchall()
    finally:
        con.close()
    return docs, bands

def runs(db: Path) -> list[int]:
    """The runs of band entries in an index file (distinct ``bands.seg``), ascending."""
    con = sqlite3.connect(db)
    try:
        return [r for (r,) in con.execute("SELECT DISTINCT seg FROM bands ORDER BY seg")]
    finally:
        con.close()

def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args))


def statuses_by_id(procs: Sequence[subprocess.Popen], timeout: float = 180) -> dict[str, list[str]]:
    """The outcome statuses each id got from ``index add -f jsonl`` processes run at once, each of which must
    succeed."""
    statuses: dict[str, list[str]] = {}
    for p in procs:
        out, err = p.communicate(timeout=timeout)
        assert p.returncode == 0, err
        for line in out.splitlines():
            rec = json.loads(line)
            statuses.setdefault(rec["id"], []).append(rec["status"])
    return statuses
