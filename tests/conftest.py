from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
# The shared data sits beside the repository; DEDUP_DATA points elsewhere (a worktree, CI).
DATA = Path(os.environ.get("DEDUP_DATA", ROOT.parent / "shared" / "data"))
REUTERS = DATA / "reuters21578" / "reuters21578.jsonl.gz"
CHAINS = DATA / "news-story-chains"
SEED_PAIR = ("000_cc67e4122e3a257f.txt", "001_fbcee2db9c98bcf0.txt")


@pytest.fixture
def seeds() -> Path:
    return SEEDS


@pytest.fixture
def seed_texts() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}


def need(path: Path) -> Path:
    """Skip the test when a shared data file is not on this machine."""
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return path
