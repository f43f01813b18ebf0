"""``dedup index``: the persistent index from the command line, thin commands over :class:`dedup.index.Index`."""

from __future__ import annotations

import os
import sys
from contextlib import closing
from itertools import chain
from typing import Any, Callable, Iterable, Iterator, Optional

import click

from .cli_options import (CONTEXT, EXIT_DUPLICATES, Progress, emit, folder_options, make_read_options, nothing_read,
                          option_error, output_format, output_help, piped_not_json, read_options,
                          refuse_clashing_outputs, refuse_outputs, steady_allocator, UnreadDates, warn_skipped)
from .config import ScanConfig
from .term import one_line
from .errors import DedupError
from .io import read_documents
from .report import INDEX_FORMATS, render_index_add, render_index_info, render_index_query


def index_location(f: Callable[..., Any]) -> Callable[..., Any]:
    """The index argument and its Redis alternative, shared by every ``dedup index`` command."""
    f = click.option("--redis", "redis_url", metavar="URL",
                     help="Keep the index in Redis at URL (redis://host:port/db); DB then names the index there.")(f)
    return click.argument("db", metavar="DB")(f)


def index_settings(f: Callable[..., Any], creates: bool = True) -> Callable[..., Any]:
    """Settings recorded by a new index; given for an existing one, they must match it. ``creates``: the
    command can make a new index (add), else it only reads one (query)."""
    d = ScanConfig  # the defaults, read without making (and checking) a configuration

    def said(value: object) -> str:
        return f"[new index: {value}]" if creates else "(the index's; a different one is an error)"

    for opt in reversed([
        click.option("-t", "--threshold", type=float, help=f"Near-duplicate at this Jaccard {said(d.threshold)}."),
        click.option("-c", "--containment", type=float,
                     help=f"...or at this containment of one in the other {said(d.containment)}."),
        click.option("-n", "--shingle-size", type=int, help=f"Words per shingle {said(d.shingle_size)}."),
        click.option("--num-perm", type=int, help=f"MinHash permutations {said(d.num_perm)}."),
        click.option("--seed", type=int, help=f"MinHash seed {said(d.seed)}."),
    ]):
        f = opt(f)
    return f


def given_settings(**settings: Any) -> dict[str, Any]:
    """The index settings given; out of range, they are usage errors (exit 2)."""
    given = {k: v for k, v in settings.items() if v is not None}
    try:
        ScanConfig(**given)
    except DedupError as exc:
        raise option_error(exc) from exc
    return given


def open_index(db: str, redis_url: Optional[str], create: bool = False, quiet: bool = True,
               **settings: Any) -> Any:
    """Open (or create) an index; settings out of range are usage errors (exit 2). Unless ``quiet``, an
    index built by an earlier dedup, whose evidence differs from what a scan compares, gets a warning."""
    from .index import Index
    from .index_store import FEATURE_CHANGES, FEATURES

    given = given_settings(**settings)
    try:
        index = Index(db, redis=redis_url, create=create, **given)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc
    built = index.meta.get("features")
    known = [v for v, _ in FEATURE_CHANGES]
    if not quiet and built != FEATURES and built is not None and built not in known:
        click.echo(one_line(f"Warning: {index.location} was built by a later dedup (its evidence is version "
                            f"{built!r}, this dedup reads {FEATURES!r}): queries may miss its copies; upgrade dedup"),
                   err=True)
    elif not quiet and built != FEATURES:
        since = known.index(built) + 1 if built in known else 0
        differs = "; ".join(change for _, change in FEATURE_CHANGES[since:])
        click.echo(one_line(f"Warning: {index.location} was built by an earlier dedup: {differs}, so copies of "
                            "those articles can be missed; add its articles to a new index to compare them as "
                            "dedup scan does"), err=True)
    return index


def article_options(f: Callable[..., Any], creates: bool = True) -> Callable[..., Any]:
    """What index add and index query share: workers, quiet, the index's settings and how articles are read."""
    f = read_options(date_use=" (for the date check)")(f)
    f = folder_options(f)
    f = index_settings(f, creates)
    f = click.option("-q", "--quiet", is_flag=True, help="No progress bar and no warnings on stderr.")(f)
    return click.option("-j", "--jobs", type=click.IntRange(min=0), default=0, show_default=True,
                        help="Worker processes that hash the articles (0: all cores).")(f)


def query_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`article_options` of a command that reads an index it does not make."""
    return article_options(f, creates=False)


@click.group("index", context_settings=CONTEXT)
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
      dedup index compact archive.db                     # after large adds: one seek per band key
      dedup index upgrade archive.db                     # an index of an earlier dedup
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
              help="Documents per transaction (fewer where their text passes 8 MB).")
@article_options
def index_add(db: str, redis_url: Optional[str], sources: tuple[str, ...], skip_duplicates: bool, replace: bool,
              fmt: str, batch_size: int, jobs: int, quiet: bool, threshold: Optional[float],
              containment: Optional[float],
              shingle_size: Optional[int], num_perm: Optional[int], seed: Optional[int], include: tuple[str, ...],
              exclude: tuple[str, ...], encoding: Optional[str], id_field: Optional[str], text_field: Optional[str],
              date_field: Optional[str], strict: bool) -> None:
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
      dedup index add archive.db news/ --format json | jq .summary
      dedup index add news --redis redis://localhost:6379/0 incoming/
    """
    steady_allocator()
    settings = given_settings(threshold=threshold, containment=containment, shingle_size=shingle_size,
                              num_perm=num_perm, seed=seed)
    opts = make_read_options(encoding, id_field, text_field, date_field, strict, path_ids=True)
    opts.include, opts.exclude, opts.lasting_ids = include, exclude, True
    try:
        dates = UnreadDates(date_field)
        with Progress(quiet, "indexing", opts) as progress:
            docs = dates.see(read_documents(list(sources), opts))
            # The index is made once there is an article to add: a wrong path or pattern leaves no empty
            # index behind whose settings would refuse the command meant.
            first = next(docs, None)
            if first is None:  # nor does it pass for a day with nothing new
                warn_skipped(opts.skipped, quiet or piped_not_json(sources, opts))
                raise DedupError(nothing_read(sources, opts, quiet))
            made = redis_url is None and not os.path.lexists(db)
            index = open_index(db, redis_url, create=True, quiet=quiet, **settings)
            index.batch_size = batch_size
            # The outcomes end (their last transaction rolled back if cut short) before the index closes.
            def committed(done: int) -> None:
                # A batch is committed and its outcomes written: out they go, so that a run killed later
                # has reported every article the index holds.
                progress.on_docs(done)
                if sys.stdout is not None:
                    sys.stdout.flush()

            try:
                with index, closing(index.iter_add(chain([first], docs), skip_duplicates=skip_duplicates,
                                                   progress=committed, replace=replace, jobs=jobs,
                                                   on_merge=progress.on_merge)) as outcomes:
                    emit(render_index_add(outcomes, fmt, lambda: len(index), opts.skipped), None)
            except DedupError:
                if made:
                    _drop_if_empty(db)
                raise
        warn_skipped(opts.skipped, quiet)
        dates.warn(quiet)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


def _drop_if_empty(db: str) -> None:
    """Remove an index file that an add made and stopped before its first article was committed (a bad
    line with --strict): left behind, its settings would refuse the next add made with others."""
    from .index import Index

    try:
        with Index(db) as index:
            if len(index):
                return
    except DedupError:
        return
    for path in (db, db + "-wal", db + "-shm"):
        if os.path.lexists(path):
            os.unlink(path)


@index_group.command("query", context_settings=CONTEXT)
@index_location
@click.argument("sources", nargs=-1, required=True, metavar="PATH...")
@click.option("-f", "--format", "fmt", type=click.Choice(INDEX_FORMATS), default="text", show_default=True,
              help="Output format (jsonl: one object per queried document).")
@click.option("-o", "--output", metavar="FILE", help=output_help(INDEX_FORMATS))
@click.option("--fail-on-matches", is_flag=True,
              help=f"Exit with {EXIT_DUPLICATES} when any queried article has a near-duplicate in the index.")
@query_options
def index_query(db: str, redis_url: Optional[str], sources: tuple[str, ...], fmt: str, output: Optional[str],
                fail_on_matches: bool, jobs: int, quiet: bool, threshold: Optional[float], containment: Optional[float],
                shingle_size: Optional[int], num_perm: Optional[int], seed: Optional[int], include: tuple[str, ...],
                exclude: tuple[str, ...], encoding: Optional[str], id_field: Optional[str],
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
      dedup index query archive.db new.txt --fail-on-matches -q > /dev/null; [ $? -eq 3 ] && echo "seen before"
    """
    if redis_url is None:
        refuse_clashing_outputs([("the index", db), ("the index's log", db + "-wal"),
                                 ("the index's shared memory", db + "-shm"), ("-o", output)])
    refuse_outputs([output], sources)
    fmt = output_format(fmt, output, INDEX_FORMATS)
    index = open_index(db, redis_url, quiet=quiet, threshold=threshold, containment=containment,
                       shingle_size=shingle_size, num_perm=num_perm, seed=seed)
    opts = make_read_options(encoding, id_field, text_field, date_field, strict, path_ids=True)
    opts.include, opts.exclude = include, exclude
    with_matches = read = 0

    def counted(results: Iterable[Any]) -> Iterator[Any]:
        nonlocal with_matches, read
        for r in results:
            with_matches += bool(r.matches)
            read += 1
            yield r
        if not read:  # nothing was asked: "not seen before" would be a wrong answer (and no summary is written)
            warn_skipped(opts.skipped, quiet or piped_not_json(sources, opts))
            raise DedupError(nothing_read(sources, opts, quiet))

    try:
        with index, Progress(quiet, "querying", opts) as progress, closing(index.iter_query(
                read_documents(list(sources), opts), progress=progress.on_docs, jobs=jobs)) as results:
            emit(render_index_query(counted(results), fmt, opts.skipped), output)
        warn_skipped(opts.skipped, quiet)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc
    if fail_on_matches and with_matches:
        sys.exit(EXIT_DUPLICATES)


@index_group.command("remove", context_settings=CONTEXT)
@index_location
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("-q", "--quiet", is_flag=True, help="No warnings on stderr for ids not in the index.")
def index_remove(db: str, redis_url: Optional[str], ids: tuple[str, ...], quiet: bool) -> None:
    """Remove documents from the index by id (one transaction). An ID of -
    reads ids from stdin, one a line.

    \b
    Examples:
      dedup index remove archive.db news/2026-11-21/kaiser.txt
      dedup index query archive.db old/ --format jsonl | jq -r .id | dedup index remove archive.db -
    """
    if "-" in ids:
        from_stdin = [line.rstrip("\r\n") for line in sys.stdin] if sys.stdin is not None else []
        ids = tuple(i for k in ids for i in (from_stdin if k == "-" else [k]) if i)
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
                click.echo(one_line(f"Warning: {i}: not in the index"), err=True)
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


@index_group.command("compact", context_settings=CONTEXT)
@index_location
@click.option("--vacuum", is_flag=True,
              help="Then give the free pages back to the file system (rewrites the file: needs free disk space of "
                   "about its size). Without it they stay in the file for later adds to reuse.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def index_compact(db: str, redis_url: Optional[str], vacuum: bool, quiet: bool) -> None:
    """Merge the index's band entries into one run, so that a query seeks each band key once.

    Adding writes each 65,536 documents' band entries as a run of their own
    and merges them four at a time as they accumulate, so a query looks each
    key up in a few runs per tenfold of the index; compacting rewrites them
    all as one (one transaction). It takes longer the larger the index: run
    it after large adds, not after each one.

    \b
    Examples:
      dedup index compact archive.db
      dedup index compact archive.db --vacuum     # and shrink the file
    """
    index = open_index(db, redis_url)
    try:
        with index:
            runs, moved = index.compact()
            sizes = index.vacuum() if vacuum else None
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc
    if quiet:
        return
    if moved:
        click.echo(f"compacted {db}: {runs} runs of band entries into one ({moved:,} entries)")
    else:
        click.echo(f"{db} has {'one run' if runs else 'no band entries'}; nothing to compact")
    if sizes is not None and redis_url is None:
        click.echo(f"vacuumed {db}: {sizes[0]:,} bytes before, {sizes[1]:,} after")


@index_group.command("upgrade", context_settings=CONTEXT)
@index_location
def index_upgrade(db: str, redis_url: Optional[str]) -> None:
    """Upgrade an index made by an earlier dedup (format 2) in place.

    The new format adds a sketch of each document, computed from what the
    index holds; an SQLite file is upgraded in one transaction.

    \b
    Examples:
      dedup index upgrade archive.db
      dedup index upgrade news --redis redis://localhost:6379/0
    """
    from .index import upgrade

    try:
        done = upgrade(db, redis=redis_url)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc
    if done is None:
        click.echo(f"{db} already has the current format; nothing to do")
    else:
        click.echo(f"upgraded {db}: {done:,} document{'s' if done != 1 else ''} sketched")
