"""The versions a diff compares: read from files, folders, JSON records or
standard input, or taken from the clusters of a scan, then diffed in time
order (:mod:`dedup.diff` compares two texts; this module finds them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Optional, Sequence

from .diff import Similarity, TermWeights, VersionDiff, diff, tell_older
from .errors import ConfigError, InputError
from .io import (Document, ReadOptions, Source, decode, read_documents, record_text, repeated_id,
                 standard_input)
from .records import ID_FIELDS, Skipped, pick_field, record_document, record_id, shown_id
from .records import read_options as checked_options
from .pages import prepare_pages
from .pipeline import ScanResult
from .shingle import ShingleConfig, shingle_set
from .sources import source_list
from .verify import similarity as set_similarity


def read_stdin_version(stream: IO[bytes], read_options: Optional[ReadOptions] = None) -> Document:
    """One version read from standard input: plain text, or one JSON object
    (a record with its text, id and date fields) when the input is one.

    Raises:
        InputError: the input is empty or cannot be decoded.
    """
    opts = checked_options(read_options)
    data = stream.read()
    text = decode(data, opts.encoding)
    stripped = text.strip()
    if not stripped:
        raise InputError("-: standard input is empty (pipe the article's text in)", "-")
    if stripped.startswith("{") and stripped.endswith("}"):
        try:
            record = json.loads(stripped)
        except ValueError:  # not JSON (or a number too long to read): the text as it is
            record = None
        if isinstance(record, dict) and record_text(record, opts.text_field) is not None:
            # Read as a record of a file is: its date, title and update from the fields a file's would give.
            # Its id only names it: "-" when it has none (or none that is an id).
            rid = pick_field(record, opts.id_field, ID_FIELDS)
            named = {opts.id_field} if opts.id_field is not None else set(ID_FIELDS)
            doc = record_document(1, {k: v for k, v in record.items() if k not in named}, "-", "-",
                                  replace(opts, id_field=None, lasting_ids=False))
            if isinstance(doc, Skipped):
                raise InputError(f"-: {doc.reason}", "-")
            return replace(doc, id="-" if rid is None or isinstance(rid, (dict, list)) else record_id(rid))
    return Document("-", text, "-", 0, None, False)


def read_version(source: Source, read_options: Optional[ReadOptions] = None,
                 stdin: Optional[IO[bytes]] = None) -> Document:
    """Read one version of an article: a .txt/.md/.html file, one record
    of a JSON / JSON lines file, named ``FILE#ID`` when the file holds more,
    or ``-``: standard input (plain text, or one JSON object).

    Raises:
        InputError: the file is missing or unreadable, or does not name
            exactly one article.
    """
    base = checked_options(read_options)
    opts = ReadOptions(encoding=base.encoding, id_field=base.id_field, text_field=base.text_field,
                       date_field=base.date_field, strict=base.strict, max_document_bytes=base.max_document_bytes,
                       max_file_bytes=base.max_file_bytes)
    text = str(source)
    if text == "-":
        return read_stdin_version(stdin if stdin is not None else standard_input(), opts)
    path, want = split_source(text)
    if _is(Path.is_dir, path):
        raise InputError(f"{path} is a folder; give one file (or FILE#ID for a record of a JSON file)", path)
    found: list[Document] = []
    read = 0
    for doc in read_documents([path], opts):
        read += 1
        if want is None or doc.id == want or _scanned_id(doc, path, want):
            found.append(doc)
        if want is None and len(found) > 1:
            raise InputError(f"{path} holds more than one article; pick one as {path}#ID", path)
    # The file is read to its end for this: of two records with one id, the first is not the one meant more than
    # the other (the reading notes the second as a repeat).
    again = repeated_id(want or "", 1)
    twice = next((n for n in opts.skipped if n.reason == again), None) if found and want is not None else None
    if twice is not None:
        raise InputError(f"{path}: id {shown_id(want or '')} names more than one record (lines {found[0].line} "
                         f"and {twice.line}); "
                         "give the records ids of their own, or choose the id field with --id-field", path)
    if found:
        return found[0]
    if want is not None and (read or not opts.skipped):
        # Records that could not be read may hold the one meant: the first is named.
        unread = f"; {len(opts.skipped):,} could not be read, the first: {opts.skipped[0]}" if opts.skipped else ""
        raise InputError(f"{path}: no record with id {shown_id(want)} (a record's id is its --id-field, or FILE:LINE "
                         f"when it has none, as dedup scan lists it){unread}", path)
    if opts.skipped:  # nothing read: what stopped the first record says what is wrong (a field that no record has)
        more = f" (and {len(opts.skipped) - 1:,} more)" if len(opts.skipped) > 1 else ""
        raise InputError(f"{opts.skipped[0]}{more}", path)
    raise InputError(f"{path}: no article found (check the file and --text-field)", path)


def _is(test: Callable[[Path], bool], path: str) -> bool:
    try:
        return test(Path(path))
    except OSError:  # a name too long for the system (an id that is a whole article): no such file
        return False


def split_source(text: str) -> tuple[str, Optional[str]]:
    """A version as given: ``(FILE, ID)`` for ``FILE#ID``, else ``(FILE, None)``. The file is the
    first part before a ``#`` that exists, so an id may hold ``#`` (a URL with a fragment); a file
    whose name holds ``#`` is that file."""
    if "#" not in text or _is(Path.exists, text):
        return text, None
    cut = -1
    while (cut := text.find("#", cut + 1)) >= 0:
        if _is(Path.is_file, text[:cut]):
            return text[:cut], text[cut + 1:]
    path, want = text.rsplit("#", 1)
    return path, want


def _scanned_id(doc: Document, path: str, want: str) -> bool:
    """Whether ``want`` names ``doc``, a record without an id, as a scan of a folder holding ``path`` does:
    ``REL:LINE``, REL the end of the file's path (``semi.csv:2`` for ``news/semi.csv#semi.csv:2``)."""
    rel, _, line = want.rpartition(":")
    if not rel or not line.isdigit() or int(line) != doc.line or doc.id != f"{path}:{doc.line}":
        return False
    shown = Path(path).as_posix()
    return shown == rel or shown.endswith("/" + rel)


def diff_sources(a: Source, b: Source, *, corpus: Optional[Sequence[Source]] = None,
                 read_options: Optional[ReadOptions] = None, stdin: Optional[IO[bytes]] = None,
                 **settings: object) -> VersionDiff:
    """Read two versions (see :func:`read_version`) and diff them.

    Args:
        a, b: the versions' files (``FILE#ID`` for a record of a JSON file).
        corpus: files or folders whose articles give the inverse document
            frequencies; unreadable ones are skipped (noted in
            ``read_options.skipped``).
        read_options: encoding and JSON fields.
        stdin: the stream ``-`` reads (default: standard input).
        settings: keyword arguments of :func:`diff`.

    Raises:
        InputError: a version cannot be read, a corpus path is missing or
            gives no article (the weights would silently be the two
            versions' own), or both versions are ``-``.
    """
    opts = checked_options(read_options)
    if str(a) == "-" and str(b) == "-":
        raise InputError("only one version can come from standard input (-); give the other as a file", "-")
    corpus = None if corpus is None else source_list(corpus)  # named once, whatever kind of sequence (or iterator)
    if corpus is not None and not corpus:
        raise InputError("the corpus names no file or folder: give paths, or None to weigh the changes by the two "
                         "versions' own sentences", "")
    doc_a, doc_b = read_version(a, opts, stdin), read_version(b, opts, stdin)
    background = None
    read = [0]
    if corpus is not None:
        corpus_opts = ReadOptions(encoding=opts.encoding, id_field=opts.id_field, text_field=opts.text_field,
                                  date_field=opts.date_field, strict=opts.strict, skipped=opts.skipped,
                                  max_document_bytes=opts.max_document_bytes, max_file_bytes=opts.max_file_bytes)

        def counted(docs: Iterable[Document]) -> Iterator[str]:
            for doc in docs:
                read[0] += 1
                yield doc.text

        background = counted(read_documents(corpus, corpus_opts))
    # A record picked from a file is named as it was given (news.jsonl#17), not by its id alone: two files'
    # records 17 would both be "17".
    for key, source in (("a_label", a), ("b_label", b)):
        if str(source) != "-" and split_source(str(source))[1] is not None:
            settings.setdefault(key, str(source))
    result = diff(doc_a, doc_b, corpus=background, **settings)  # type: ignore[arg-type]
    if corpus is not None and not read[0]:
        where = ", ".join(str(c) for c in corpus)
        skipped = len(corpus_opts.skipped)
        raise InputError(f"no articles read from the corpus {where}"
                         + (f" ({skipped:,} input{'s' if skipped != 1 else ''} skipped)" if skipped else "")
                         + ": give --corpus a folder or file of articles, or leave it out to weigh the changes by "
                           "the two versions' own sentences", where)
    return result


# ---------------------------------------------------------------- scan report

@dataclass(frozen=True)
class ClusterDiff:
    """The diffs of one cluster: each member against the kept copy, older
    version first (A) and newer second (B); ``members[k]`` is the id of the
    member ``diffs[k]`` is about (A or B, whichever is not the kept copy)."""

    index: int
    keep: str
    diffs: tuple[VersionDiff, ...]
    members: tuple[str, ...] = ()


def diff_clusters(result: ScanResult, sources: Sequence[Source], read_options: Optional[ReadOptions] = None, *,
                  cutoff: float = 0.5, top_terms: int = 10, stdin: Optional[IO[bytes]] = None
                  ) -> tuple[ClusterDiff, ...]:
    """Diff every cluster member against its kept copy, after a scan.

    The scan keeps no text, so the sources are read again once: every text
    feeds the inverse document frequencies (the scanned collection is the
    background corpus), and only cluster members' texts are kept.

    Args:
        result: the scan's result.
        sources: the same sources the scan read (standard input cannot be
            read twice).
        read_options: the same reading options.
        cutoff, top_terms: as for :func:`diff`.

    Returns:
        One ClusterDiff per cluster, in the scan's order.

    Raises:
        ConfigError: a source is ``-`` (standard input).
    """
    sources = source_list(sources)
    if any(str(s) == "-" for s in sources):
        raise ConfigError("a report re-reads the articles, and standard input cannot be read twice "
                          "(save it to a file and scan that)")
    if not result.clusters:
        return ()
    wanted = {m.id for c in result.clusters for m in c.members}
    base = checked_options(read_options)
    opts = ReadOptions(encoding=base.encoding, id_field=base.id_field, text_field=base.text_field,
                       date_field=base.date_field, strict=False, max_document_bytes=base.max_document_bytes,
                       max_file_bytes=base.max_file_bytes, defer_html=True)
    kept: dict[str, Document] = {}

    def texts() -> Iterator[str]:
        # Web pages as the scan saw them: extracted, their sites' templates removed.
        for doc in prepare_pages(read_documents(list(sources), opts, stdin=stdin), result.config.workers):
            if doc.id in wanted:
                kept[doc.id] = doc
            yield doc.text

    weights = TermWeights(texts(), "", "collection")
    weights.source = f"the scanned collection ({weights.documents} documents)"
    out = []
    for c in result.clusters:
        keep = kept.get(c.keep)
        diffs, members = [], []
        for m in c.members:
            if m.keep or keep is None or m.id not in kept:
                continue
            diffs.append(diff_older_first(keep, kept[m.id], corpus=weights, cutoff=cutoff, top_terms=top_terms))
            members.append(m.id)
        out.append(ClusterDiff(c.index, c.keep, tuple(diffs), tuple(members)))
    return tuple(out)


def diff_older_first(x: Document, y: Document, **settings: object) -> VersionDiff:
    """Diff two versions in time order: A is the one :func:`tell_older`
    finds older; when it cannot tell, ``y`` comes first (in a cluster, the
    member before the copy kept).

    Args:
        x, y: the two versions.
        settings: keyword arguments of :func:`diff`.
    """
    size = int(settings.get("shingle_size", 5))  # type: ignore[call-overload]
    shingles = ShingleConfig(size)
    jac, x_in_y, y_in_x = set_similarity(shingle_set(x.text, shingles), shingle_set(y.text, shingles))
    older = tell_older(x, y, Similarity(jac, x_in_y, y_in_x, size))
    if older.side == "a":
        return diff(x, y, **settings)  # type: ignore[arg-type]
    return diff(y, x, **settings)  # type: ignore[arg-type]


__all__ = ["ClusterDiff", "diff_clusters", "diff_older_first", "diff_sources", "read_stdin_version", "read_version",
           "split_source"]
