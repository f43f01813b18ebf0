from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
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


def dedup_proc(*args, timeout=60, **kwargs) -> subprocess.CompletedProcess:
    """Run ``python -m dedup`` as a subprocess from the repository root."""
    env = {**kwargs.pop("env", os.environ), "PYTHONPATH": str(ROOT), **kwargs.pop("env_extra", {})}
    return subprocess.run([sys.executable, "-m", "dedup", *[os.fsdecode(a) if isinstance(a, bytes) else str(a)
                                                            for a in args]],
                          capture_output=True, timeout=timeout, cwd=kwargs.pop("cwd", ROOT), env=env, **kwargs)


@pytest.fixture
def news(tmp_path: Path) -> Path:
    """A copy of the seed articles, for tests that change, move or overwrite files."""
    folder = tmp_path / "news"
    shutil.copytree(SEEDS, folder)
    return folder


def need(path: Path) -> Path:
    """Skip the test when a shared data file is not on this machine."""
    if not path.exists():
        pytest.skip(f"{path} is not present")
    return path


def template_signatures(n: int, shared: int, seed: int = 7) -> np.ndarray:
    """n signatures of 32 values whose first ``shared`` values are one template's and the rest drawn
    from a few values, as reports of one form share their frame and differ in a few words."""
    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 4, size=(n, 32)).astype(np.uint32)
    sigs[:, :shared] = np.arange(shared, dtype=np.uint32)
    return sigs
