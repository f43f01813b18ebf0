"""The ``dedup`` command line: thin click commands over the library."""

from __future__ import annotations

import os
import re
import sys
from typing import Any, Callable, Iterable, Optional, Sequence

import click

from . import __version__
from .cluster import KEEP_POLICIES
from .errors import ConfigError, DedupError
from .files import atomic_write, plan_set_aside, refuse_inputs, set_aside
from .io import MAX_DOCUMENT_BYTES, MAX_FILE_BYTES, ReadOptions, expand_sources, read_documents
from .term import OutputClosed, escape_controls, write_stdout
from .pipeline import ScanConfig, scan as scan_sources
from .diff import diff_clusters, diff_sources
from .diffreport import DIFF_FORMATS, DIFF_RENDERERS, render_scan_html
from .report import (INDEX_FORMATS, RENDERERS, SCAN_FORMATS, render_ids, render_index_add, render_index_info,
                     render_index_query)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_DUPLICATES = 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C


class Size(click.ParamType):
    """A size in bytes: 16777216, 16M, 16MiB, 512K, 1G."""

    name = "size"
    _UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> int:
        if isinstance(value, int):
            return value
        m = re.fullmatch(r"\s*(\d+)\s*([kKmMgG]?)(?:i?[bB])?\s*", str(value))
        if not m or int(m.group(1)) < 1:
            self.fail(f"{value!r} is not a size (give bytes, or a number with K, M or G, such as 16M)", param, ctx)
        return int(m.group(1)) * self._UNITS[m.group(2).lower()]


def read_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options for reading inputs, shared by every command that reads articles."""
    for opt in reversed([
        click.option("--encoding", metavar="NAME", help="Text encoding of the inputs [default: UTF-8, BOM or not]."),
        click.option("--id-field", metavar="FIELD", help="JSON field with the id [default: id, _id, doc_id, newid, url]."),
        click.option("--text-field", metavar="FIELD",
                     help="JSON field with the text [default: text, content, article, or title + body]."),
        click.option("--date-field", metavar="FIELD", help="JSON field with the date (for --keep newest) [default: date]."),
        click.option("--strict", is_flag=True, help="Stop at the first unreadable file or record instead of skipping it."),
        click.option("--max-document-size", type=Size(), default=MAX_DOCUMENT_BYTES, expose_value=False,
                     callback=_remember, metavar="SIZE",
                     help="Skip (with a warning) a text or HTML file, JSON line or record text larger than "
                          "this, after decompression [default: 16M]."),
        click.option("--max-file-size", type=Size(), default=MAX_FILE_BYTES, expose_value=False,
                     callback=_remember, metavar="SIZE",
                     help="Skip (with a warning) a .json file larger than this, after decompression "
                          "[default: 256M]."),
    ]):
        f = opt(f)
    return f


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Keep an option for make_read_options without adding it to every command's signature."""
    ctx.meta[f"dedup.{param.name}"] = value
    return value


def make_read_options(encoding: Optional[str], id_field: Optional[str], text_field: Optional[str],
                      date_field: Optional[str], strict: bool, path_ids: bool = False) -> ReadOptions:
    """ReadOptions from the shared options; a bad encoding name is a usage error (exit 2)."""
    meta = click.get_current_context().meta
    try:
        return ReadOptions(encoding=encoding, id_field=id_field, text_field=text_field, date_field=date_field,
                           strict=strict, path_ids=path_ids,
                           max_document_bytes=meta.get("dedup.max_document_size", MAX_DOCUMENT_BYTES),
                           max_file_bytes=meta.get("dedup.max_file_size", MAX_FILE_BYTES))
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint="'--encoding'") from exc


def input_files(sources: Sequence[str]) -> list[str]:
    """Every input file the sources name (folders walked), for refusing outputs onto them."""
    try:
        return [str(p) for p, _ in expand_sources([s.split("#")[0] if "#" in s and not os.path.exists(s) else s
                                                    for s in sources if s != "-"]) if p is not None]
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


def refuse_outputs(outputs: Sequence[Optional[str]], sources: Sequence[str]) -> None:
    """Stop before reading when an output file is one of the inputs."""
    if not any(o and o != "-" and os.path.exists(o) for o in outputs):
        return
    try:
        refuse_inputs(outputs, input_files(sources))
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


def emit(chunks: Iterable[str], output: Optional[str], *, colour: bool = False) -> None:
    """Send output to stdout (control characters escaped on a terminal), or atomically to a file.

    A reader that went away (``| head``) ends the run quietly with exit 0, as it does cat and grep.
    """
    if output and output != "-":
        atomic_write(output, chunks)
        return
    try:
        write_stdout(chunks, colour=colour)
    except OutputClosed:
        sys.exit(0)
    except OSError as exc:
        raise DedupError(f"could not write the output ({exc.strerror or exc}); free some space or write with -o "
                         "elsewhere") from exc


MAX_WARNINGS = 10


def warn_skipped(skipped: Sequence[Any], quiet: bool) -> None:
    """One warning line per skipped input on stderr, the first few only."""
    if quiet:
        return
    tty = sys.stderr.isatty()
    for note in skipped[:MAX_WARNINGS]:
        line = f"Warning: {note}"
        click.echo(escape_controls(line) if tty else line, err=True)
    if len(skipped) > MAX_WARNINGS:
        click.echo(f"Warning: {len(skipped) - MAX_WARNINGS} more inputs skipped (--format json lists them all)",
                   err=True)


class Progress:
    """A progress bar on stderr over the input bytes, shown only on a
    terminal and without --quiet."""

    def __init__(self, quiet: bool, label: str, opts: ReadOptions) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.opts = opts
        self.docs = 0
        self.bar: Any = None
        self.label = label

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.render_finish()

    def on_docs(self, n: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=max(self.opts.bytes_total, 1), label=self.label, file=sys.stderr,
                                         item_show_func=lambda _: f"{self.docs:,} documents")
        self.docs = n
        self.bar.update(min(self.opts.bytes_done, self.bar.length) - self.bar.pos)


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="dedup")
def cli() -> None:
    """Find near-duplicate news articles and show what each version changed.

    \b
    Examples:
      dedup scan news/
      dedup scan articles.jsonl --format jsonl > clusters.jsonl
      cat articles.jsonl | dedup scan - --duplicates
    """


@cli.command(context_settings=CONTEXT)
@click.argument("sources", nargs=-1, required=True, metavar="PATH...")
@click.option("-f", "--format", "fmt", type=click.Choice(SCAN_FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("--pairs", is_flag=True, help="Output verified pairs instead of clusters.")
@click.option("--unique", "list_unique", is_flag=True,
              help="Print only the files (or record ids) to keep, one a line, as paths that work from the "
                   "current folder.")
@click.option("--duplicates", "list_duplicates", is_flag=True,
              help="Print only the files (or record ids) you could drop, one a line, as paths that work from "
                   "the current folder.")
@click.option("-0", "--null", "null", is_flag=True,
              help="End each --unique or --duplicates entry with a NUL byte instead of a line break (for "
                   "xargs -0: names may hold spaces or line breaks).")
@click.option("--keep", type=click.Choice(KEEP_POLICIES), default="longest", show_default=True,
              help="Which copy of a cluster to keep (newest: date field, HTML meta date or file mtime).")
@click.option("-t", "--threshold", type=float, default=ScanConfig.threshold, show_default=True,
              help="Near-duplicate when Jaccard similarity of shingle sets is at least this...")
@click.option("-c", "--containment", type=float, default=ScanConfig.containment, show_default=True,
              help="...or when this share of the shorter document's shingles is in the longer.")
@click.option("-n", "--shingle-size", type=int, default=ScanConfig.shingle_size, show_default=True,
              help="Words per shingle.")
@click.option("--boilerplate-share", type=float, default=ScanConfig.boilerplate_share, show_default=True,
              help="Shingles in more than this share of the documents (and in at least "
                   f"{ScanConfig.boilerplate_min_docs}) are boilerplate and carry no weight; 1 turns this off.")
@click.option("--short-words", type=int, default=ScanConfig.short_words, show_default=True,
              help="Documents of at most this many words are also compared on word pairs, with their figures "
                   "and rare words agreeing (the short-text rule); 0 turns this off.")
@click.option("--num-perm", type=int, default=ScanConfig.num_perm, show_default=True,
              help="MinHash permutations (signature length).")
@click.option("--seed", type=int, default=ScanConfig.seed, show_default=True, help="MinHash seed.")
@click.option("-j", "--jobs", type=int, default=0, show_default=True, help="Worker processes (0: all cores).")
@click.option("-o", "--output", metavar="FILE", help="Write the output to FILE (atomically) instead of stdout.")
@click.option("--move-duplicates", metavar="DIR",
              help="Move duplicate files into DIR, keeping their relative paths (never overwrites).")
@click.option("--fail-on-duplicates", is_flag=True, help=f"Exit with {EXIT_DUPLICATES} when any cluster is found.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no warnings on stderr.")
@click.option("--report", "report", metavar="FILE.html",
              help="Also write one HTML page with every cluster and each member's diff against the kept copy.")
@read_options
def scan(sources: tuple[str, ...], fmt: str, pairs: bool, list_unique: bool, list_duplicates: bool, null: bool,
         keep: str,
         threshold: float, containment: float, shingle_size: int, boilerplate_share: float, short_words: int,
         num_perm: int, seed: int, jobs: int,
         output: Optional[str], move_duplicates: Optional[str], fail_on_duplicates: bool, quiet: bool,
         report: Optional[str], encoding: Optional[str], id_field: Optional[str], text_field: Optional[str],
         date_field: Optional[str], strict: bool) -> None:
    """Group near-duplicate articles and say which copy to keep.

    PATH is a file, a folder (read recursively: .txt .md .html .htm .json
    .jsonl, each optionally .gz) or - for JSON lines on stdin.

    \b
    Examples:
      dedup scan seeds/
      dedup scan news/ --format jsonl > clusters.jsonl
      cat articles.jsonl | dedup scan - --format jsonl
      dedup scan news/ --duplicates -0 | xargs -0 rm  # you decide what to delete
      dedup scan news/ --move-duplicates dupes/
      dedup scan news/ --report report.html        # every cluster with its diffs
    """
    if list_unique and list_duplicates:
        raise click.UsageError("--unique and --duplicates exclude each other.")
    if report and "-" in sources:
        raise click.UsageError("--report re-reads the articles, and standard input cannot be read twice; "
                               "save it to a file and scan that.")
    refuse_outputs([output, report], sources)
    try:
        config = ScanConfig(shingle_size=shingle_size, num_perm=num_perm, seed=seed, threshold=threshold,
                            containment=containment, keep=keep, jobs=jobs,
                            boilerplate_share=boilerplate_share, short_words=short_words)  # type: ignore[arg-type]
    except DedupError as exc:
        raise click.BadParameter(str(exc)) from exc
    opts = make_read_options(encoding, id_field, text_field, date_field, strict)
    try:
        with Progress(quiet, "scanning", opts) as progress:
            result = scan_sources(list(sources), config, read_options=opts, progress=progress.on_docs)
        moves = None
        move_notes: list[str] = []
        if move_duplicates:
            docs = {d.id: d for d in result.documents}
            moves = plan_set_aside(((i, docs[i].path, docs[i].is_file) for i in result.duplicate_ids),
                                   move_duplicates, keep=[docs[i].path for i in result.keep_ids if docs[i].is_file],
                                   notes=move_notes)
        warn_skipped(list(result.skipped) + move_notes, quiet)
        if report:
            # Written before any move, while every member is still where the scan read it.
            atomic_write(report, render_scan_html(result, diff_clusters(result, list(sources), opts)))
        if list_unique or list_duplicates:
            emit(listing(result, result.keep_ids if list_unique else result.duplicate_ids, null), output)
        else:
            emit(RENDERERS[fmt](result, pairs), output)
        if moves is not None:
            moved = set_aside(moves)
            if not quiet:
                click.echo(f"moved {moved} duplicate file{'s' if moved != 1 else ''} to {move_duplicates}", err=True)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc
    if fail_on_duplicates and result.clusters:
        sys.exit(EXIT_DUPLICATES)


def listing(result: Any, ids: Sequence[str], null: bool) -> Iterable[str]:
    """--unique / --duplicates: a whole file by its path as read (it works from the current folder),
    a record by its id; one a line, or NUL-terminated."""
    docs = {d.id: d for d in result.documents}
    names = [docs[i].path if docs[i].is_file else i for i in ids]
    if null:
        return (n + "\0" for n in names)
    return render_ids(names)


@cli.command("diff", context_settings=CONTEXT)
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("-f", "--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("-o", "--output", metavar="FILE", help="Write the output to FILE (atomically) instead of stdout.")
@click.option("--corpus", "corpus", metavar="FOLDER", multiple=True,
              help="Articles whose word frequencies weigh the changes (IDF) [default: the two versions' "
                   "sentences]. Repeatable.")
@click.option("--cutoff", type=click.FloatRange(0, 1, min_open=True), default=0.5, show_default=True,
              help="Word similarity from which a deleted and an added sentence are one changed sentence.")
@click.option("--terms", "top_terms", type=click.IntRange(0), default=10, show_default=True,
              help="How many added and removed terms to list.")
@click.option("-n", "--shingle-size", type=click.IntRange(1), default=5, show_default=True,
              help="Words per shingle for the similarity figures.")
@click.option("--color/--no-color", "color", default=None,
              help="Colour the text format [default: on a terminal, unless NO_COLOR is set].")
@click.option("-q", "--quiet", is_flag=True, help="No warnings on stderr.")
@read_options
def diff_command(a: str, b: str, fmt: str, output: Optional[str], corpus: tuple[str, ...], cutoff: float,
                 top_terms: int, shingle_size: int, color: Optional[bool], quiet: bool, encoding: Optional[str],
                 id_field: Optional[str], text_field: Optional[str], date_field: Optional[str],
                 strict: bool) -> None:
    """Show what version B added, removed, changed and moved relative to A.

    A and B are .txt, .md or .html files, or JSON / JSON lines files holding
    one article (FILE#ID picks a record of a file with several). Changes
    are ranked by TF-IDF weight, the most significant first; edits of
    whitespace, punctuation or case only are counted as trivial.

    \b
    Examples:
      dedup diff seeds/000_cc67e4122e3a257f.txt seeds/001_fbcee2db9c98bcf0.txt
      dedup diff old.html new.html --format html -o revision.html
      dedup diff a.txt b.txt --format json | jq .added_terms
      dedup diff news.jsonl#17 news.jsonl#42 --corpus news/
    """
    refuse_outputs([output], [a, b])
    opts = make_read_options(encoding, id_field, text_field, date_field, strict)
    try:
        result = diff_sources(a, b, corpus=list(corpus) or None, read_options=opts, cutoff=cutoff,
                              top_terms=top_terms, shingle_size=shingle_size)
        warn_skipped(opts.skipped, quiet)
        if fmt == "text":
            to_terminal = not output or output == "-"
            if color is None:
                color = to_terminal and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
            emit(DIFF_RENDERERS["text"](result, color=bool(color) and to_terminal), output,
                 colour=bool(color) and to_terminal)
        else:
            emit(DIFF_RENDERERS[fmt](result), output)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from exc
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


# ---------------------------------------------------------------- dedup index

def index_location(f: Callable[..., Any]) -> Callable[..., Any]:
    """The index argument and its Redis alternative, shared by every ``dedup index`` command."""
    f = click.option("--redis", "redis_url", metavar="URL",
                     help="Keep the index in Redis at URL (redis://host:port/db); DB then names the index there.")(f)
    return click.argument("db", metavar="DB")(f)


def index_settings(f: Callable[..., Any]) -> Callable[..., Any]:
    """Settings recorded by a new index; given for an existing one, they must match it."""
    d = ScanConfig()
    for opt in reversed([
        click.option("-t", "--threshold", type=float,
                     help=f"Near-duplicate at this Jaccard [new index: {d.threshold}]."),
        click.option("-c", "--containment", type=float,
                     help=f"...or at this containment of one in the other [new index: {d.containment}]."),
        click.option("-n", "--shingle-size", type=int, help=f"Words per shingle [new index: {d.shingle_size}]."),
        click.option("--num-perm", type=int, help=f"MinHash permutations [new index: {d.num_perm}]."),
        click.option("--seed", type=int, help=f"MinHash seed [new index: {d.seed}]."),
    ]):
        f = opt(f)
    return f


def open_index(db: str, redis_url: Optional[str], create: bool = False, **settings: Any) -> Any:
    """Open (or create) an index; settings out of range are usage errors (exit 2)."""
    from .index import Index

    given = {k: v for k, v in settings.items() if v is not None}
    try:
        ScanConfig(**given)
    except DedupError as exc:
        raise click.BadParameter(str(exc)) from exc
    try:
        return Index(db, redis=redis_url, create=create, **given)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.group("index", context_settings=CONTEXT)
def index_group() -> None:
    """A persistent index: ask whether new articles were already seen, without rescanning.

    DB is an SQLite file (created by the first add), or with --redis URL
    the name of an index kept in that Redis server.

    \b
    Examples:
      dedup index add archive.db news/2026-11-21/
      dedup index query archive.db incoming/ --format jsonl
      dedup index add archive.db incoming/ --skip-duplicates
      dedup index remove archive.db news/2026-11-21/kaiser.txt
      dedup index info archive.db
    """


@index_group.command("add", context_settings=CONTEXT)
@index_location
@click.argument("sources", nargs=-1, required=True, metavar="PATH...")
@click.option("--skip-duplicates", is_flag=True, help="Add only documents with no near-duplicate indexed.")
@click.option("--replace", is_flag=True,
              help="Let an article replace the indexed one with the same id and other text [default: keep the "
                   "indexed one and report it as not replaced].")
@click.option("-f", "--format", "fmt", type=click.Choice(INDEX_FORMATS), default="text", show_default=True,
              help="Output format (jsonl: one outcome per document).")
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Documents per transaction.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no warnings on stderr.")
@index_settings
@read_options
def index_add(db: str, redis_url: Optional[str], sources: tuple[str, ...], skip_duplicates: bool, replace: bool,
              fmt: str,
              batch_size: int, quiet: bool, threshold: Optional[float], containment: Optional[float],
              shingle_size: Optional[int], num_perm: Optional[int], seed: Optional[int], encoding: Optional[str],
              id_field: Optional[str], text_field: Optional[str], date_field: Optional[str], strict: bool) -> None:
    """Add articles to the index (creating it if missing).

    A file's id is its path as given (news/2026-11-21/a.txt), so files of
    the same name in different folders stay apart, and a file added alone
    or with its folder gets one id. The same id with the same text changes
    nothing; the same id with new text is reported and left as indexed,
    unless --replace. Each batch is one transaction: a killed run leaves
    every finished batch in the index.

    \b
    Examples:
      dedup index add archive.db news/2026-11-21/
      dedup index add archive.db incoming/ --skip-duplicates
      dedup index add archive.db news/2026-11-21/ --replace    # after editing articles
      dedup index add archive.db feed.jsonl --format jsonl > outcomes.jsonl
      dedup index add news --redis redis://localhost:6379/0 incoming/
    """
    index = open_index(db, redis_url, create=True, threshold=threshold, containment=containment,
                       shingle_size=shingle_size, num_perm=num_perm, seed=seed)
    index.batch_size = batch_size
    opts = make_read_options(encoding, id_field, text_field, date_field, strict, path_ids=True)
    try:
        with index, Progress(quiet, "indexing", opts) as progress:
            outcomes = index.iter_add(read_documents(list(sources), opts), skip_duplicates=skip_duplicates,
                                      progress=progress.on_docs, replace=replace)
            emit(render_index_add(outcomes, fmt, lambda: len(index), opts.skipped), None)
        warn_skipped(opts.skipped, quiet)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


@index_group.command("query", context_settings=CONTEXT)
@index_location
@click.argument("sources", nargs=-1, required=True, metavar="PATH...")
@click.option("-f", "--format", "fmt", type=click.Choice(INDEX_FORMATS), default="text", show_default=True,
              help="Output format (jsonl: one object per queried document).")
@click.option("-o", "--output", metavar="FILE", help="Write the output to FILE (atomically) instead of stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no warnings on stderr.")
@index_settings
@read_options
def index_query(db: str, redis_url: Optional[str], sources: tuple[str, ...], fmt: str, output: Optional[str],
                quiet: bool, threshold: Optional[float], containment: Optional[float], shingle_size: Optional[int],
                num_perm: Optional[int], seed: Optional[int], encoding: Optional[str], id_field: Optional[str],
                text_field: Optional[str], date_field: Optional[str], strict: bool) -> None:
    """List each article's near-duplicates already in the index, with scores.

    Nothing is written to the index. Scores: jaccard, and the share of the
    queried article found in the match (query_in_match) and of the match
    found in the queried article (match_in_query).

    \b
    Examples:
      dedup index query archive.db incoming/
      dedup index query archive.db incoming/ --format jsonl > seen.jsonl
      cat feed.jsonl | dedup index query archive.db - --format jsonl
    """
    refuse_outputs([output], sources)
    index = open_index(db, redis_url, threshold=threshold, containment=containment, shingle_size=shingle_size,
                       num_perm=num_perm, seed=seed)
    opts = make_read_options(encoding, id_field, text_field, date_field, strict, path_ids=True)
    try:
        with index, Progress(quiet, "querying", opts) as progress:
            results = index.iter_query(read_documents(list(sources), opts), progress=progress.on_docs)
            emit(render_index_query(results, fmt, opts.skipped), output)
        warn_skipped(opts.skipped, quiet)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


@index_group.command("remove", context_settings=CONTEXT)
@index_location
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("-q", "--quiet", is_flag=True, help="No warnings on stderr for ids not in the index.")
def index_remove(db: str, redis_url: Optional[str], ids: tuple[str, ...], quiet: bool) -> None:
    """Remove documents from the index by id (one transaction).

    \b
    Examples:
      dedup index remove archive.db news/2026-11-21/kaiser.txt
      dedup index query archive.db old/ --format jsonl | jq -r .id | xargs dedup index remove archive.db
    """
    index = open_index(db, redis_url)
    try:
        with index:
            removed = index.remove(ids)
            holds = len(index)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc
    gone = set(removed)
    if not quiet:
        for i in dict.fromkeys(ids):
            if i not in gone:
                click.echo(f"Warning: {i}: not in the index", err=True)
    click.echo(f"removed {len(removed)}; the index holds {holds:,} document{'s' if holds != 1 else ''}")


@index_group.command("info", context_settings=CONTEXT)
@index_location
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
def index_info(db: str, redis_url: Optional[str], fmt: str) -> None:
    """Show an index's settings, document count and size.

    \b
    Examples:
      dedup index info archive.db
      dedup index info news --redis redis://localhost:6379/0 --format json
    """
    index = open_index(db, redis_url)
    try:
        with index:
            emit(render_index_info(index.info(), fmt), None)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


def _few_malloc_arenas() -> None:
    """Cap glibc's malloc arenas at 2 for this process.

    The worker pool's helper threads would each get an arena that reserves
    64 MiB of address space, so under an address-space limit (``ulimit -v``)
    a ``-j 2`` scan ran out of memory where ``-j 1`` passed. Scanning
    Reuters-21578, the parent's peak address space with ``-j 2`` was 905 MB
    without the cap and 698 MB with it (``-j 1``: 692 MB). Same effect as
    ``MALLOC_ARENA_MAX=2`` (mallopt(3): M_ARENA_MAX is -8), which, when set,
    is left to decide; elsewhere than glibc this does nothing.
    """
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(-8, 2)
    except (OSError, AttributeError):
        pass


def main() -> None:
    """The console script: click's own handling, plus exit 130 on Ctrl-C and a one-line out-of-memory error."""
    _few_malloc_arenas()
    try:
        rv = cli.main(prog_name="dedup", standalone_mode=False)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__context__, (KeyboardInterrupt, EOFError)) or isinstance(exc.__cause__, KeyboardInterrupt):
            sys.exit(EXIT_INTERRUPTED)
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        if sys.stderr is not None and sys.stderr.isatty():
            exc.message = escape_controls(exc.message)
        exc.show()
        sys.exit(exc.exit_code)
    except MemoryError:
        click.echo("Error: out of memory; allow dedup more memory, use fewer worker processes (-j), or split the "
                   "input", err=True)
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)
