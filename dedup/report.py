"""Formatting scan results: text for people, JSON / JSON lines / CSV for
machines. Nothing else in dedup formats output."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from .pipeline import Cluster, ScanResult
from .verify import Pair

if TYPE_CHECKING:
    from .index import AddOutcome, IndexInfo, Match, QueryResult

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
            "containment_a_in_b": _r(pair.left_in_right), "containment_b_in_a": _r(pair.right_in_left),
            "rule": pair.rule}


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
                     "boilerplate_share": c.boilerplate_share, "boilerplate_min_docs": c.boilerplate_min_docs,
                     "short_words": c.short_words},
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
        w.writerow(["a", "b", "jaccard", "containment_a_in_b", "containment_b_in_a", "rule"])
        for p in _pairs_sorted(result):
            r = pair_record(result, p)
            w.writerow([r["a"], r["b"], r["jaccard"], r["containment_a_in_b"], r["containment_b_in_a"], r["rule"]])
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
                   f"containment {r['containment_a_in_b']:.2f} / {r['containment_b_in_a']:.2f}"
                   f"{'  (short-text rule)' if r['rule'] == 'short' else ''}\n")
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
           f"{st['threshold']} or containment >= {st['containment']}"
           + (f" (or, up to {st['short_words']} words, by the short-text rule)" if st["short_words"] else "")
           + f", keep {st['keep']}\n")


def render_ids(ids: list[str]) -> Iterator[str]:
    """One id a line, for xargs."""
    for i in ids:
        yield i + "\n"


RENDERERS = {"text": render_text, "json": render_json, "jsonl": render_jsonl, "csv": render_csv}


# ---------------------------------------------------------------- dedup index

INDEX_FORMATS = ("text", "json", "jsonl")
ADD_STATUSES = ("added", "unchanged", "replaced", "conflict", "duplicate", "empty")


def match_record(match: "Match") -> dict[str, Any]:
    """The JSON object of one indexed near-duplicate."""
    return {"id": match.id, "source": match.source, "jaccard": _r(match.jaccard),
            "query_in_match": _r(match.query_in_match), "match_in_query": _r(match.match_in_query)}


def index_record(item: "AddOutcome | QueryResult") -> dict[str, Any]:
    """The JSON object of one added or queried document (the JSON lines contract)."""
    return {"id": item.id, "status": item.status, "path": item.path, "line": item.line,
            "matches": [match_record(m) for m in item.matches]}


def _match_text(doc_id: str, m: "Match") -> str:
    return (f"{doc_id}  ~ {m.id}  jaccard {m.jaccard:.4f}  query_in_match {m.query_in_match:.4f}"
            f"  match_in_query {m.match_in_query:.4f}\n")


def _docs(n: int) -> str:
    return f"{n:,} document{'s' if n != 1 else ''}"


def _skipped_records(skipped: Iterable[Any]) -> list[dict[str, Any]]:
    return [{"path": n.path, "line": n.line, "reason": n.reason} for n in skipped]


def render_index_add(outcomes: Iterable["AddOutcome"], fmt: str, holds: Callable[[], int],
                     skipped: Iterable[Any] = ()) -> Iterator[str]:
    """Outcomes of ``dedup index add``: text lists what was not simply added, then counts."""
    counts = dict.fromkeys(ADD_STATUSES, 0)
    records = []
    for o in outcomes:
        counts[o.status] += 1
        if fmt == "jsonl":
            yield json.dumps(index_record(o), ensure_ascii=False) + "\n"
        elif fmt == "json":
            records.append(index_record(o))
        elif o.status == "duplicate":
            for m in o.matches:
                yield "duplicate " + _match_text(o.id, m)
        elif o.status in ("replaced", "empty"):
            yield f"{o.status} {o.id}\n"
        elif o.status == "conflict":
            yield f"not replaced {o.id} (indexed with other text; --replace replaces it)\n"
    if fmt == "json":
        yield json.dumps({"summary": {**counts, "documents": holds()}, "outcomes": records,
                          "skipped": _skipped_records(skipped)}, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "text":
        yield (f"added {counts['added']}, unchanged {counts['unchanged']}, replaced {counts['replaced']}, "
               f"duplicates {counts['duplicate']} (not added), empty {counts['empty']}; "
               + (f"not replaced {counts['conflict']} (other text under an indexed id); " if counts["conflict"]
                  else "")
               + f"the index holds {_docs(holds())}\n")


def render_index_query(results: Iterable["QueryResult"], fmt: str, skipped: Iterable[Any] = ()) -> Iterator[str]:
    """Results of ``dedup index query``: each document's near-duplicates already indexed."""
    queried = with_matches = matches = 0
    records = []
    for r in results:
        queried += 1
        with_matches += bool(r.matches)
        matches += len(r.matches)
        if fmt == "jsonl":
            yield json.dumps(index_record(r), ensure_ascii=False) + "\n"
        elif fmt == "json":
            records.append(index_record(r))
        else:
            for m in r.matches:
                yield _match_text(r.id, m)
    summary = {"queried": queried, "with_matches": with_matches, "matches": matches}
    if fmt == "json":
        yield json.dumps({"summary": summary, "results": records, "skipped": _skipped_records(skipped)},
                         ensure_ascii=False, indent=2) + "\n"
    elif fmt == "text":
        yield (f"queried {queried} document{'s' if queried != 1 else ''}: {with_matches} with near-duplicates "
               f"in the index ({matches} match{'es' if matches != 1 else ''})\n")


def render_index_info(info: "IndexInfo", fmt: str) -> Iterator[str]:
    """Settings, counts and size of an index."""
    if fmt == "json":
        yield json.dumps(dataclasses.asdict(info), ensure_ascii=False, indent=2) + "\n"
        return
    per_doc = f" ({info.size_bytes / info.documents:,.0f} per document)" if info.documents else ""
    size_label = "file size" if info.backend == "sqlite" else "server memory"
    yield f"index: {info.location} ({info.backend}, format {info.format_version})\n"
    yield f"documents: {info.documents:,}\n"
    yield f"band entries: {info.band_entries:,}\n"
    yield f"{size_label}: {info.size_bytes:,} bytes{per_doc}\n"
    yield f"created: {info.created} by dedup {info.created_by}\n"
    yield "settings: " + " ".join(f"{k}={v}" for k, v in info.settings.items()) + "\n"
