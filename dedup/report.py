"""Formatting scan results: text for people, JSON / JSON lines / CSV for
machines. Nothing else in dedup formats output."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import re
import shlex
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Optional, Sequence

from . import __version__
from .config import CHECKS
from .decode import storable
from .errors import DedupError
from .files import atomic_path
from .records import NO_WORDS
from .term import escape_controls, one_line

if TYPE_CHECKING:
    from .index import AddOutcome, IndexInfo, Match, QueryResult
    from .explain import Explanation
    from .pipeline import Cluster, DocInfo, ScanResult
    from .verify import Pair

SCAN_FORMATS = ("text", "json", "jsonl", "csv", "parquet")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def json_text(value: Any, **kwargs: Any) -> str:
    """``json.dumps(value, **kwargs)`` that stays valid UTF-8: a file name that is not valid UTF-8 holds
    lone surrogates (its stray bytes), written as ``\\udcNN`` escapes, which ``json.load`` turns back into
    that name (written raw, the bytes made the whole document invalid)."""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, **kwargs))


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _n_days(days: float) -> str:
    return f"{days:g} day{'' if days == 1 else 's'}"


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
    return pair_fields(docs[pair.left].id, docs[pair.right].id, pair)


def pair_fields(a: str, b: str, pair: Pair) -> dict[str, Any]:
    """The JSON object of one verified pair between documents with ids ``a`` and ``b``."""
    return {"a": a, "b": b, "jaccard": _r(pair.jaccard),
            "containment_a_in_b": _r(pair.left_in_right), "containment_b_in_a": _r(pair.right_in_left),
            "rule": pair.rule, **checks_record(pair)}


#: The occasion check's values of a pair as columns of the CSV and Parquet outputs (``checks`` in JSON).
CHECK_COLUMNS = ("days", "figures", "subject", "correction")


def checks_record(item: Any) -> dict[str, Any]:
    """The occasion check's values of a pair or an index match (see :mod:`dedup.occasion`).

    ``days`` and ``figures`` are null when a date or a figure is missing on
    either side; the object is empty when the check is off.
    """
    if item.correction is None:
        return {}
    out: dict[str, Any] = {"days": None if item.days is None else round(item.days, 3),
                           "figures": None if item.figures is None else _r(item.figures),
                           "subject": None if item.subject is None else _r(item.subject),
                           "correction": item.correction}
    return {"checks": out}


def summary_record(result: ScanResult) -> dict[str, Any]:
    """Counts and settings of a scan."""
    c = result.config
    return {
        "documents": len(result.documents),
        "files_read": result.files_read,
        "files_ignored": result.files_ignored,
        # A document with no words was read (it counts among the documents) and noted: not skipped.
        "skipped": sum(1 for n in result.skipped if n.reason != NO_WORDS),
        "no_words": sum(1 for n in result.skipped if n.reason == NO_WORDS),
        "clusters": len(result.clusters),
        "duplicates": sum(cl.size - 1 for cl in result.clusters),
        "pairs": len(result.pairs),
        "candidates": result.candidates,
        # Every check's count, 0 included, so that the keys do not change from run to run.
        "rejected": {**dict.fromkeys(CHECKS, 0), **dict(sorted(result.rejected.items()))},
        "members_verified": result.members_verified,
        "settings": {"shingle_size": c.shingle_size, "shingle_kind": c.shingle_kind, "num_perm": c.num_perm,
                     "seed": c.seed, "scheme": "affine32", "threshold": c.threshold, "containment": c.containment,
                     "bands": result.bands, "rows": result.rows, "keep": c.keep,
                     "boilerplate_share": c.boilerplate_share, "boilerplate_min_docs": c.boilerplate_min_docs,
                     "short_words": c.short_words, "occasion": c.occasion, "date_window": c.date_window,
                     "figures": c.figures, "subject": c.subject},
    }


def page_record(doc: DocInfo) -> dict[str, Any]:
    """The JSON object of one web page: what extracted its text, and what the page said about itself."""
    return {"id": doc.id, "extractor": doc.extractor, "title": doc.title, "site": doc.site, "url": doc.url,
            "date": doc.date.isoformat() if doc.date else None, "words": doc.words}


def _pairs_sorted(result: ScanResult) -> list[Pair]:
    return sorted(result.pairs, key=lambda p: (p.left, p.right))


def render_jsonl(result: ScanResult, pairs: bool = False) -> Iterator[str]:
    """One JSON object a line: clusters (size >= 2), or verified pairs."""
    if pairs:
        for p in _pairs_sorted(result):
            yield json_text(pair_record(result, p), ensure_ascii=False) + "\n"
    else:
        for cl in result.clusters:
            yield json_text(cluster_record(cl), ensure_ascii=False) + "\n"


def render_json(result: ScanResult, pairs: bool = False) -> Iterator[str]:
    """One JSON document: summary, clusters or pairs, and skipped inputs."""
    body: dict[str, Any] = {"summary": summary_record(result)}
    if pairs:
        body["pairs"] = [pair_record(result, p) for p in _pairs_sorted(result)]
    else:
        body["clusters"] = [cluster_record(cl) for cl in result.clusters]
    body["skipped"] = [{"path": s.path, "line": s.line, "reason": s.reason} for s in result.skipped]
    pages = [page_record(d) for d in result.documents if d.extractor is not None]
    if pages:
        body["pages"] = pages
    yield json_text(body, ensure_ascii=False, indent=2) + "\n"


class _CsvRows:
    """CSV rows, each ended by a line feed, with every field that holds a line feed or a carriage return
    quoted: Python's writer before 3.12 quotes only the characters of its line terminator, so with
    ``"\\n"`` a lone carriage return in an id went out bare and split the row for every reader."""

    def __init__(self) -> None:
        self._buf = io.StringIO()
        self._writer = csv.writer(self._buf, lineterminator="\r\n")
        self._rows: list[str] = []

    def writerow(self, row: Sequence[object]) -> None:
        self._writer.writerow(row)
        line = self._buf.getvalue()
        self._buf.seek(0)
        self._buf.truncate()
        self._rows.append(line[:-2] + "\n")

    def getvalue(self) -> str:
        return "".join(self._rows)


def render_csv(result: ScanResult, pairs: bool = False) -> Iterator[str]:
    """CSV with a header: one row per cluster member, or per pair."""
    w = _CsvRows()
    if pairs:
        checked = CHECK_COLUMNS if result.config.occasion else ()
        w.writerow(["a", "b", "jaccard", "containment_a_in_b", "containment_b_in_a", "rule", *checked])
        for p in _pairs_sorted(result):
            r = pair_record(result, p)
            checks = r.get("checks", {})
            w.writerow([r["a"], r["b"], r["jaccard"], r["containment_a_in_b"], r["containment_b_in_a"], r["rule"],
                        *("" if checks.get(k) is None else int(checks[k]) if k == "correction" else checks[k]
                          for k in checked)])
    else:
        w.writerow(["cluster", "id", "keep", "jaccard", "containment"])
        for cl in result.clusters:
            for m in cl.members:
                w.writerow([cl.index, m.id, int(m.keep), _r(m.jaccard), _r(m.containment)])
    yield w.getvalue()


def _date(d: Any) -> str:
    return d.strftime("%Y-%m-%d") if d is not None else "no date"


def _doc_line(doc: DocInfo) -> str:
    # An id or title is shown on its line as it is, its control characters escaped wherever the text goes (a
    # log): "x\r\nfake line" must not start a line of its own.
    updated = f" (updated {_date(doc.updated)})" if doc.updated is not None else ""
    return f"{_shown(doc.id)}  {_n(doc.words, 'word')}  {_date(doc.date)}{updated}"


def _title_line(doc: DocInfo, indent: str) -> str:
    return f"{indent}{_shown(doc.title)}\n" if doc.title else ""


def _shown(text: str) -> str:
    """An id or title on a line of text output: control characters escaped, a tab too (it reads as a column)."""
    return one_line(text).replace("\t", "\\t")


def accepted_by(result: ScanResult, pair: Pair) -> str:
    """Which rule accepted a pair, in words: the short-text rule, or the
    Jaccard or containment threshold it reached."""
    c = result.config
    if pair.rule == "short":
        return f"the short-text rule (up to {c.short_words} words)"
    if pair.jaccard >= c.threshold:
        return f"jaccard >= {c.threshold}"
    return f"containment >= {c.containment}"


def render_text(result: ScanResult, pairs: bool = False) -> Iterator[str]:
    """A summary a person reads in seconds, then each cluster or pair, each
    document with its words, date and title (or first words)."""
    s = summary_record(result)
    docs = result.documents
    by_id = {d.id: d for d in docs}
    notes = []
    if s["skipped"]:
        notes.append(f"{s['skipped']} skipped")
    if s["no_words"]:
        notes.append(f"{_n(s['no_words'], 'document')} with no words to compare")
    if s["files_ignored"]:
        notes.append(f"{_n(s['files_ignored'], 'other file')} ignored")
    head = (f"{_n(s['documents'], 'document')} from {_n(s['files_read'], 'file')}"
            f"{' (' + ', '.join(notes) + ')' if notes else ''}: "
            f"{_n(s['clusters'], 'cluster')} of near-duplicates, {_n(s['duplicates'], 'duplicate')} to drop\n")
    yield head
    if pairs:
        for number, p in enumerate(_pairs_sorted(result)):
            a, b = docs[p.left], docs[p.right]
            yield f"\npair {number}\n"
            yield f"  a  {_doc_line(a)}\n" + _title_line(a, "     ")
            yield f"  b  {_doc_line(b)}\n" + _title_line(b, "     ")
            yield (f"  jaccard {p.jaccard:.2f}  a in b {p.left_in_right:.2f}  b in a {p.right_in_left:.2f}"
                   f"  accepted by {accepted_by(result, p)}\n")
    else:
        for cl in result.clusters:
            yield f"\ncluster {cl.index} ({cl.size} documents)\n"
            for m in cl.members:
                doc = by_id[m.id]
                if m.keep:
                    yield f"  keep  {_doc_line(doc)}\n"
                else:
                    yield f"  dup   {_doc_line(doc)}  jaccard {m.jaccard:.2f}  containment {m.containment:.2f}\n"
                yield _title_line(doc, "        ")
    st = s["settings"]
    yield (f"\nsettings: {st['shingle_kind']} {st['shingle_size']}-grams, {st['num_perm']} permutations "
           f"(seed {st['seed']}), LSH {st['bands']} bands x {st['rows']} rows, near-duplicate when jaccard >= "
           f"{st['threshold']} or containment >= {st['containment']}"
           + (f" (or, up to {st['short_words']} words, by the short-text rule)" if st["short_words"] else "")
           + (f", and nothing says another occasion or subject (dates within {_n_days(st['date_window'])}, figures "
              f">= {st['figures']:g}, subject <= {st['subject']:g})" if st["occasion"] else "")
           + f", keep {st['keep']}\n")


def render_ids(ids: list[str]) -> Iterator[str]:
    """One id a line, for xargs."""
    for i in ids:
        yield i + "\n"


def render_id_list(ids: list[str], fmt: str) -> Iterator[str]:
    """The ids of ``--unique`` / ``--duplicates`` in the chosen format: text,
    one a line; json, one array; jsonl, one JSON string a line; csv, an
    ``id`` column."""
    if fmt == "json":
        yield json_text(ids, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "jsonl":
        for i in ids:
            yield json_text(i, ensure_ascii=False) + "\n"
    elif fmt == "csv":
        w = _CsvRows()
        w.writerow(["id"])
        for i in ids:
            w.writerow([i])
        yield w.getvalue()
    else:
        yield from render_ids(ids)


_SCRIPT_HEAD = """#!/bin/sh
# Written by dedup {version}: {what}.
# Review it, then run it from any folder:
#   sh {name}             removes the duplicate files
#   sh {name} --move DIR  moves them into DIR, keeping their paths
# A duplicate is removed or moved only while the copy kept beside it still
# exists; a file already gone is reported and passed over.
set -eu
mode=remove
dest=
if [ "${{1:-}}" = "--move" ] && [ -n "${{2:-}}" ] && [ $# -eq 2 ]; then
    mode=move
    case $2 in /*) dest=$2 ;; *) dest=$(pwd)/$2 ;; esac
elif [ $# -gt 0 ]; then
    echo "usage: sh $0 [--move DIR]" >&2
    exit 2
fi
cd -- {cwd}

handle() {{
    # $1: the duplicate, $2: the copy kept, $3: where it goes under DIR
    if [ ! -e "$1" ]; then echo "not found, passed over: $1" >&2; return 0; fi
    if [ ! -e "$2" ]; then echo "kept copy $2 not found, so $1 stays" >&2; return 0; fi
    if [ "$mode" = move ]; then
        if [ -e "$dest/$3" ]; then echo "$dest/$3 exists, $1 not moved" >&2; return 0; fi
        mkdir -p -- "$(dirname -- "$dest/$3")"
        mv -- "$1" "$dest/$3"
    else
        rm -- "$1"
    fi
}}
"""


def _comment(text: str) -> str:
    # A comment ends at a line break: control characters in a path must not
    # turn the rest of it into a command.
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _move_target(doc_id: str) -> str:
    parts = [p for p in doc_id.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    return "/".join(parts) or "file"


def render_script(result: ScanResult, name: str = "FILE.sh", cwd: Optional[str] = None) -> Iterator[str]:
    """A POSIX shell script that removes (or, with ``--move DIR``, moves)
    the duplicate files when the user runs it: one ``handle`` line per
    duplicate, commented with the copy kept and the similarity. Paths are
    quoted for the shell (:func:`shlex.quote`), and comments have control
    characters replaced, so no file name can run a command. Duplicates that
    are records inside a file (JSON, CSV, Parquet) are listed as comments
    only: removing them means editing that file.
    """
    docs = {d.id: d for d in result.documents}
    where = os.getcwd() if cwd is None else cwd
    n_dup = sum(c.size - 1 for c in result.clusters)
    yield _SCRIPT_HEAD.format(version=__version__, name=_comment(name), cwd=shlex.quote(where),
                              what=f"{_n(n_dup, 'duplicate')} in {_n(len(result.clusters), 'cluster')}")
    records = []
    for cl in result.clusters:
        keep = docs[cl.keep]
        yield f"\n# cluster {cl.index}: keep {_comment(keep.path if keep.is_file else keep.id)}\n"
        for m in cl.members:
            if m.keep:
                continue
            doc = docs[m.id]
            note = f"keeps {_comment(keep.path if keep.is_file else keep.id)} (jaccard {m.jaccard:.2f}, " \
                   f"containment {m.containment:.2f})"
            if not (doc.is_file and keep.is_file):
                records.append(f"# {_comment(m.id)} in {_comment(doc.path)}: {note}\n")
                continue
            yield (f"handle {shlex.quote(doc.path)} {shlex.quote(keep.path)} {shlex.quote(_move_target(doc.id))}"
                   f"  # {note}\n")
    if records:
        yield "\n# Records inside files, not removed (edit those files, or use --duplicates for the ids):\n"
        yield from records


def scan_table(result: ScanResult, pairs: bool = False) -> dict[str, list[Any]]:
    """The rows of the CSV output as columns (one row per cluster member, or
    per pair), with each document's title and date added."""
    docs = result.documents
    by_id = {d.id: d for d in docs}
    if pairs:
        checked = CHECK_COLUMNS if result.config.occasion else ()
        cols: dict[str, list[Any]] = {k: [] for k in ("a", "b", "jaccard", "containment_a_in_b",
                                                        "containment_b_in_a", "rule", *checked, "title_a", "title_b",
                                                        "date_a", "date_b")}
        for p in _pairs_sorted(result):
            r = pair_record(result, p)
            for k in ("a", "b", "jaccard", "containment_a_in_b", "containment_b_in_a", "rule"):
                cols[k].append(r[k])
            for k in checked:
                cols[k].append(r.get("checks", {}).get(k))
            cols["title_a"].append(docs[p.left].title)
            cols["title_b"].append(docs[p.right].title)
            cols["date_a"].append(docs[p.left].date)
            cols["date_b"].append(docs[p.right].date)
        return cols
    cols = {k: [] for k in ("cluster", "id", "keep", "jaccard", "containment", "words", "date", "title")}
    for cl in result.clusters:
        for m in cl.members:
            doc = by_id[m.id]
            for k, v in (("cluster", cl.index), ("id", m.id), ("keep", m.keep), ("jaccard", _r(m.jaccard)),
                         ("containment", _r(m.containment)), ("words", doc.words), ("date", doc.date),
                         ("title", doc.title)):
                cols[k].append(v)
    return cols


def write_parquet(result: ScanResult, path: str, pairs: bool = False) -> None:
    """Write the scan's clusters (one row per member) or pairs as a Parquet
    file, atomically (needs pyarrow: ``pip install "dedup[parquet]"``).

    Raises:
        DedupError: pyarrow is missing, or the file cannot be written.
    """
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise DedupError("writing Parquet needs pyarrow: pip install \"dedup[parquet]\"") from exc
    cols = scan_table(result, pairs)
    types = {"cluster": pa.int64(), "keep": pa.bool_(), "words": pa.int64(), "jaccard": pa.float64(),
             "containment": pa.float64(), "containment_a_in_b": pa.float64(), "containment_b_in_a": pa.float64(),
             "date": pa.timestamp("us", tz="UTC"), "date_a": pa.timestamp("us", tz="UTC"),
             "date_b": pa.timestamp("us", tz="UTC"), "days": pa.float64(), "figures": pa.float64(),
             "subject": pa.float64(), "correction": pa.bool_()}
    # Strings as valid UTF-8: a file name that is not keeps its stray bytes as \xNN escapes.
    table = pa.table({k: pa.array(v if k in types else [storable(x) if isinstance(x, str) else x for x in v],
                                  type=types.get(k, pa.string())) for k, v in cols.items()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


RENDERERS = {"text": render_text, "json": render_json, "jsonl": render_jsonl, "csv": render_csv}
#: Formats written by a function of their own rather than as text.
BINARY_FORMATS = ("parquet",)


# ---------------------------------------------------------------- dedup index

INDEX_FORMATS = ("text", "json", "jsonl")
ADD_STATUSES = ("added", "unchanged", "replaced", "conflict", "duplicate", "empty")


def match_record(match: "Match") -> dict[str, Any]:
    """The JSON object of one indexed near-duplicate."""
    return {"id": match.id, "source": match.source, "jaccard": _r(match.jaccard),
            "query_in_match": _r(match.query_in_match), "match_in_query": _r(match.match_in_query),
            **checks_record(match)}


def index_record(item: "AddOutcome | QueryResult") -> dict[str, Any]:
    """The JSON object of one added or queried document (the JSON lines contract)."""
    return {"id": item.id, "status": item.status, "path": item.path, "line": item.line,
            "matches": [match_record(m) for m in item.matches]}


def _match_text(doc_id: str, m: "Match") -> str:
    return (f"{_shown(doc_id)}  ~ {_shown(m.id)}  jaccard {m.jaccard:.4f}  query_in_match {m.query_in_match:.4f}"
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
            yield json_text(index_record(o), ensure_ascii=False) + "\n"
        elif fmt == "json":
            records.append(index_record(o))
        elif o.status == "duplicate":
            for m in o.matches:
                yield "duplicate " + _match_text(o.id, m)
        elif o.status in ("replaced", "empty"):
            yield f"{o.status} {_shown(o.id)}\n"
        elif o.status == "conflict":
            yield f"not replaced {_shown(o.id)} (indexed with other text; --replace replaces it)\n"
    if fmt == "json":
        yield json_text({"summary": {**counts, "documents": holds()}, "outcomes": records,
                          "skipped": _skipped_records(skipped)}, ensure_ascii=False, indent=2) + "\n"
    elif fmt == "text":
        yield (f"added {counts['added']:,}, unchanged {counts['unchanged']:,}, replaced {counts['replaced']:,}, "
               f"duplicates {counts['duplicate']:,} (not added), empty {counts['empty']:,}; "
               + (f"not replaced {counts['conflict']:,} (other text under an indexed id); " if counts["conflict"]
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
            yield json_text(index_record(r), ensure_ascii=False) + "\n"
        elif fmt == "json":
            records.append(index_record(r))
        else:
            for m in r.matches:
                yield _match_text(r.id, m)
    summary = {"queried": queried, "with_matches": with_matches, "matches": matches}
    if fmt == "json":
        yield json_text({"summary": summary, "results": records, "skipped": _skipped_records(skipped)},
                         ensure_ascii=False, indent=2) + "\n"
    elif fmt == "text":
        yield (f"queried {queried:,} document{'s' if queried != 1 else ''}: {with_matches:,} with near-duplicates "
               f"in the index ({matches:,} match{'es' if matches != 1 else ''})\n")


def render_index_info(info: "IndexInfo", fmt: str) -> Iterator[str]:
    """Settings, counts and size of an index."""
    if fmt == "json":
        yield json_text(dataclasses.asdict(info), ensure_ascii=False, indent=2) + "\n"
        return
    # The Redis figure is the whole server's (its base and every index on it): not this index's per document.
    per_doc = f" ({info.size_bytes / info.documents:,.0f} per document)" if info.documents and \
        info.backend == "sqlite" else ""
    size_label = "file size" if info.backend == "sqlite" else "server memory (the whole server's, all its data)"
    yield f"index: {info.location} ({info.backend}, format {info.format_version})\n"
    yield f"documents: {info.documents:,}\n"
    yield f"band entries: {info.band_entries:,}\n"
    yield f"{size_label}: {info.size_bytes:,} bytes{per_doc}\n"
    yield f"created: {info.created} by dedup {info.created_by}\n"
    yield "settings: " + " ".join(f"{k}={v}" for k, v in info.settings.items()) + "\n"


# ---------------------------------------------------------------- dedup explain

def explanation_record(e: "Explanation") -> dict[str, Any]:
    """The JSON object of an explanation."""
    def doc(d: Any) -> dict[str, Any]:
        return {"id": d.id, "words": d.words, "date": None if d.date is None or d.date_is_mtime else d.date.isoformat()}

    return {"a": doc(e.a), "b": doc(e.b), "candidate": e.candidate, "near_duplicates": e.near_duplicates,
            "same_cluster": e.same_cluster, "keep": e.keep,
            "checks": [{"name": c.name, "value": None if c.value is None else _r(c.value), "threshold": c.threshold,
                        "passed": c.passed, "detail": c.detail} for c in e.checks]}


def render_explanation(e: "Explanation", fmt: str = "text") -> Iterator[str]:
    """Each check on one line: name, value, threshold, verdict, and what it looked at."""
    if fmt == "json":
        yield json_text(explanation_record(e), ensure_ascii=False, indent=2) + "\n"
        return
    # Control characters in ids and details are shown as escapes, as in the scan's text format.
    yield from map(escape_controls, _explanation_text(e))


def _explanation_text(e: "Explanation") -> Iterator[str]:
    for label, d in (("A", e.a), ("B", e.b)):
        date = "no date" if d.date is None or d.date_is_mtime else d.date.strftime("%Y-%m-%d %H:%M")
        yield f"{label}: {d.id}  ({d.words} words, {date})\n"
    width = max(len(c.name) for c in e.checks)
    for c in e.checks:
        value = "-" if c.value is None else f"{c.value:.2f}"
        verdict = "n/a" if c.passed is None else "pass" if c.passed else "FAIL"
        yield f"  {c.name.ljust(width)}  {value:>5}  {c.threshold:<42} {verdict}"
        yield f"  ({c.detail})\n" if c.detail else "\n"
    yield f"LSH candidate: {'yes' if e.candidate else 'no (a pair LSH never proposes is not verified)'}\n"
    if e.near_duplicates:
        verdict = "near-duplicates"
    else:
        failed = [c.name for c in e.checks if c.passed is False and c.name not in ("jaccard", "containment",
                                                                                   "short-text rule")]
        similar = any(c.passed for c in e.checks if c.name in ("jaccard", "containment", "short-text rule"))
        says = "say" if len(failed) > 1 else "says"
        verdict = (f"not near-duplicates: {' and '.join(failed)} {says} another occasion or subject" if similar and failed
                   else "not near-duplicates: not similar enough")
    cluster = (f"in one cluster (keep {e.keep})" if e.same_cluster else "not in one cluster")
    yield f"verdict: {verdict}; {cluster}\n"
