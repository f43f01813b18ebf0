"""Formatting scan results: text for people, JSON / JSON lines / CSV for
machines. Nothing else in dedup formats output."""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Iterator

from .pipeline import Cluster, ScanResult
from .verify import Pair

SCAN_FORMATS = ("text", "json", "jsonl", "csv")


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _r(x: float) -> float:
    return round(x, 4)


def cluster_record(cluster: Cluster) -> dict[str, Any]:
    """The JSON object of one cluster (the JSON lines contract)."""
    return {
        "cluster": cluster.index,
        "size": cluster.size,
        "keep": cluster.keep,
        "members": [{"id": m.id, "jaccard": _r(m.jaccard), "containment": _r(m.containment), "keep": m.keep}
                    for m in cluster.members],
    }


def pair_record(result: ScanResult, pair: Pair) -> dict[str, Any]:
    """The JSON object of one verified pair."""
    docs = result.documents
    return {"a": docs[pair.left].id, "b": docs[pair.right].id, "jaccard": _r(pair.jaccard),
            "containment_a_in_b": _r(pair.left_in_right), "containment_b_in_a": _r(pair.right_in_left)}


def summary_record(result: ScanResult) -> dict[str, Any]:
    """Counts and settings of a scan."""
    c = result.config
    return {
        "documents": len(result.documents),
        "files_read": result.files_read,
        "files_ignored": result.files_ignored,
        "skipped": len(result.skipped),
        "clusters": len(result.clusters),
        "duplicates": sum(cl.size - 1 for cl in result.clusters),
        "pairs": len(result.pairs),
        "candidates": result.candidates,
        "settings": {"shingle_size": c.shingle_size, "shingle_kind": c.shingle_kind, "num_perm": c.num_perm,
                     "seed": c.seed, "scheme": "affine32", "threshold": c.threshold, "containment": c.containment,
                     "bands": result.bands, "rows": result.rows, "keep": c.keep,
                     "boilerplate_share": c.boilerplate_share, "boilerplate_min_docs": c.boilerplate_min_docs},
    }


def _pairs_sorted(result: ScanResult) -> list[Pair]:
    return sorted(result.pairs, key=lambda p: (p.left, p.right))


def render_jsonl(result: ScanResult, pairs: bool = False) -> Iterator[str]:
    """One JSON object a line: clusters (size >= 2), or verified pairs."""
    if pairs:
        for p in _pairs_sorted(result):
            yield json.dumps(pair_record(result, p), ensure_ascii=False) + "\n"
    else:
        for cl in result.clusters:
            yield json.dumps(cluster_record(cl), ensure_ascii=False) + "\n"


def render_json(result: ScanResult, pairs: bool = False) -> Iterator[str]:
    """One JSON document: summary, clusters or pairs, and skipped inputs."""
    body: dict[str, Any] = {"summary": summary_record(result)}
    if pairs:
        body["pairs"] = [pair_record(result, p) for p in _pairs_sorted(result)]
    else:
        body["clusters"] = [cluster_record(cl) for cl in result.clusters]
    body["skipped"] = [{"path": s.path, "line": s.line, "reason": s.reason} for s in result.skipped]
    yield json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def render_csv(result: ScanResult, pairs: bool = False) -> Iterator[str]:
    """CSV with a header: one row per cluster member, or per pair."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if pairs:
        w.writerow(["a", "b", "jaccard", "containment_a_in_b", "containment_b_in_a"])
        for p in _pairs_sorted(result):
            r = pair_record(result, p)
            w.writerow([r["a"], r["b"], r["jaccard"], r["containment_a_in_b"], r["containment_b_in_a"]])
    else:
        w.writerow(["cluster", "id", "keep", "jaccard", "containment"])
        for cl in result.clusters:
            for m in cl.members:
                w.writerow([cl.index, m.id, int(m.keep), _r(m.jaccard), _r(m.containment)])
    yield buf.getvalue()


def render_text(result: ScanResult, pairs: bool = False) -> Iterator[str]:
    """A summary a person reads in seconds, then each cluster or pair."""
    s = summary_record(result)
    words = {d.id: d.words for d in result.documents}
    skipped = f" ({s['skipped']} skipped)" if s["skipped"] else ""
    head = (f"{_n(s['documents'], 'document')} from {_n(s['files_read'], 'file')}{skipped}: "
            f"{s['clusters']} cluster{'s' if s['clusters'] != 1 else ''} of near-duplicates, "
            f"{s['duplicates']} duplicate{'s' if s['duplicates'] != 1 else ''} to drop\n")
    yield head
    if pairs:
        yield "\n"
        for p in _pairs_sorted(result):
            r = pair_record(result, p)
            yield (f"{r['a']}  {r['b']}  jaccard {r['jaccard']:.2f}  "
                   f"containment {r['containment_a_in_b']:.2f} / {r['containment_b_in_a']:.2f}\n")
    else:
        for cl in result.clusters:
            yield f"\ncluster {cl.index} ({cl.size} documents)\n"
            for m in cl.members:
                if m.keep:
                    yield f"  keep  {m.id}  ({words[m.id]} words)\n"
                else:
                    yield (f"  dup   {m.id}  ({words[m.id]} words)  jaccard {m.jaccard:.2f}"
                           f"  containment {m.containment:.2f}\n")
    st = s["settings"]
    yield (f"\nsettings: {st['shingle_kind']} {st['shingle_size']}-grams, {st['num_perm']} permutations "
           f"(seed {st['seed']}), LSH {st['bands']} bands x {st['rows']} rows, near-duplicate when jaccard >= "
           f"{st['threshold']} or containment >= {st['containment']}, keep {st['keep']}\n")


def render_ids(ids: list[str]) -> Iterator[str]:
    """One id a line, for xargs."""
    for i in ids:
        yield i + "\n"


RENDERERS = {"text": render_text, "json": render_json, "jsonl": render_jsonl, "csv": render_csv}
