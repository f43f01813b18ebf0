"""Precision in the wild: reported pairs of a scan of the whole Reuters-21578
collection, scored against pairs labelled by reading both texts.

The sample is fixed by a hash, not by a draw: a pair of ids is in the sample
when a keyed BLAKE2b hash of the pair falls below ``RATE``. Whatever
configuration is scanned, the sampled pairs among the ones it reports are a
uniform random sample of everything it reports, so one set of labels serves
every configuration, and a pair that a new rule starts to report only needs
labelling once (``--export`` writes the unlabelled ones out for reading).

There are two samples, each with its own key and labels file beside this
script (ids ``a`` and ``b`` are Reuters ``newid``s, ``label`` is ``same`` or
``different``, then the reader's reason; the criteria are in
``reuters_wild_criteria.md``):

* ``design`` (``reuters_wild_labels.tsv``): drawn from what the scan
  reported before the occasion check existed, and read while the check
  was designed; its figures for the final rule are optimistic.
* ``heldout`` (``reuters_wild_heldout.tsv``): drawn with another key from
  what the rule reported once its design was done, and labelled then; one
  threshold (``subject``, 0.3 to 0.2) was changed after reading it, so it
  too is no longer untouched.
* ``test`` (``reuters_wild_test.tsv``): drawn with a third key from what
  the final defaults report, and labelled after the last change: the
  honest estimate of precision.

Usage:
    python3 benchmarks/wild.py                      # precision of the defaults
    python3 benchmarks/wild.py --export DIR         # write unlabelled sampled pairs for reading
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import json
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import dedup  # noqa: E402
from dedup.io import parse_date, record_text  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("DEDUP_DATA", ROOT.parent / "shared" / "data"))
HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Sample:
    name: str
    key: bytes
    rate: float  # share of all possible pairs that belong to the sample
    labels: Path


SAMPLES = {
    "design": Sample("design", b"dedup-wild-sample-2026", 0.2, HERE / "reuters_wild_labels.tsv"),
    "heldout": Sample("heldout", b"dedup-wild-heldout-2026", 0.2, HERE / "reuters_wild_heldout.tsv"),
    "test": Sample("test", b"dedup-wild-test-2026", 0.2, HERE / "reuters_wild_test.tsv"),
}
DESIGN = SAMPLES["design"]
LABELS = DESIGN.labels


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The pair's ids in a fixed order (numeric when both are numbers)."""
    if a.isdigit() and b.isdigit():
        return (a, b) if int(a) < int(b) else (b, a)
    return (a, b) if a < b else (b, a)


def in_sample(a: str, b: str, sample: Sample = DESIGN) -> bool:
    """Whether the pair (a, b) is in a sample."""
    x, y = pair_key(a, b)
    digest = hashlib.blake2b(f"{x}\t{y}".encode(), digest_size=8, key=sample.key).digest()
    return int.from_bytes(digest, "big") < sample.rate * 2**64


def load_labels(path: Path = LABELS) -> dict[tuple[str, str], tuple[str, str]]:
    """{(a, b): (label, reason)} from a labels file (missing file: no labels)."""
    out: dict[tuple[str, str], tuple[str, str]] = {}
    if not path.exists():
        return out
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            label = row["label"].strip().lower()
            if label not in ("same", "different"):
                raise ValueError(f"{path}: label must be same or different, got {label!r}")
            out[pair_key(row["a"], row["b"])] = (label, row.get("reason", ""))
    return out


def load_records(data: Path) -> list[dict]:
    with gzip.open(data / "reuters21578" / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def documents(records: Sequence[dict]) -> list[dedup.Document]:
    """The collection as ``dedup scan FILE`` reads it: title + body, the record's date."""
    docs = []
    for r in records:
        text = record_text(r, None)
        if text:
            docs.append(dedup.Document(str(r["newid"]), text, date=parse_date(r.get("date"))))
    return docs


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion k / n (95% by default)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class WildScore:
    pairs: int
    sampled: int
    labelled: int
    same: int
    unlabelled: list[tuple[str, str]]
    by_rule: dict[str, tuple[int, int]]

    @property
    def precision(self) -> float:
        return self.same / self.labelled if self.labelled else float("nan")

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.same, self.labelled)


def score_pairs(pairs: Iterable[tuple[str, str, str]], labels: dict, sample: Sample = DESIGN) -> WildScore:
    """Score reported pairs ``(a, b, rule)`` against the labels of a sample."""
    total = sampled = labelled = same = 0
    unlabelled: list[tuple[str, str]] = []
    by_rule: dict[str, list[int]] = {}
    for a, b, rule in pairs:
        total += 1
        if not in_sample(a, b, sample):
            continue
        sampled += 1
        got = labels.get(pair_key(a, b))
        if got is None:
            unlabelled.append(pair_key(a, b))
            continue
        labelled += 1
        ok = got[0] == "same"
        same += ok
        cell = by_rule.setdefault(rule, [0, 0])
        cell[0] += ok
        cell[1] += 1
    return WildScore(total, sampled, labelled, same, unlabelled, {k: (v[0], v[1]) for k, v in by_rule.items()})


def reported_pairs(result: dedup.ScanResult) -> list[tuple[str, str, str]]:
    ids = [d.id for d in result.documents]
    return [(ids[p.left], ids[p.right], p.rule) for p in result.pairs]


def cluster_member_pairs(result: dedup.ScanResult) -> list[tuple[str, str, str]]:
    """Each cluster member paired with the kept copy: what a user who drops the members relies on."""
    return [(c.keep, m.id, "member") for c in result.clusters for m in c.members if not m.keep]


def export(pairs: Sequence[tuple[str, str]], records: Sequence[dict], folder: Path, per_file: int) -> list[Path]:
    """Write the texts of pairs to read, ``per_file`` pairs a file."""
    by_id = {str(r["newid"]): r for r in records}
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for start in range(0, len(pairs), per_file):
        path = folder / f"pairs_{start // per_file:02d}.txt"
        with open(path, "w", encoding="utf-8") as fh:
            for a, b in pairs[start:start + per_file]:
                fh.write(f"=============== PAIR {a} {b}\n")
                for i in (a, b):
                    r = by_id[i]
                    fh.write(f"--- [{i}] date: {r.get('date', '')}  title: {r.get('title', '')}\n")
                    fh.write(f"dateline: {r.get('dateline', '')}\n{(r.get('body') or '').strip()}\n")
                fh.write("\n")
        written.append(path)
    return written


def fmt_score(name: str, s: WildScore) -> str:
    lo, hi = s.interval
    rules = ", ".join(f"{r} {k}/{n}" for r, (k, n) in sorted(s.by_rule.items()))
    return (f"{name:<34} {s.pairs:>6} {s.sampled:>7} {s.labelled:>8} {s.precision:>6.3f}  [{lo:.3f}, {hi:.3f}]"
            f"  {rules}" + (f"  ({len(s.unlabelled)} sampled pairs unlabelled)" if s.unlabelled else ""))


HEADER = f"{'config':<34} {'pairs':>6} {'sampled':>7} {'labelled':>8} {'P':>6}  95% interval      by rule (same/labelled)"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--export", type=Path, help="write the sampled pairs without a label to this folder")
    parser.add_argument("--sample", choices=sorted(SAMPLES), default="test", help="the sample --export writes")
    parser.add_argument("--per-file", type=int, default=40)
    args = parser.parse_args(argv)
    records = load_records(args.data)
    docs = documents(records)
    result = dedup.scan_documents(docs, dedup.ScanConfig())
    print(HEADER)
    todo: list[tuple[str, str]] = []
    for sample in SAMPLES.values():
        labels = load_labels(sample.labels)
        s = score_pairs(reported_pairs(result), labels, sample)
        m = score_pairs(cluster_member_pairs(result), labels, sample)
        print(fmt_score(f"{sample.name}: reported pairs", s))
        print(fmt_score(f"{sample.name}: members vs kept copy", m))
        if sample.name == args.sample:
            todo = sorted(set(s.unlabelled) | set(m.unlabelled), key=lambda p: (int(p[0]), int(p[1])))
    if args.export:
        for path in export(todo, records, args.export, args.per_file):
            print(f"wrote {path}")
        print(f"{len(todo)} pairs to label")
    return 0


if __name__ == "__main__":
    sys.exit(main())
