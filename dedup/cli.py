"""The ``dedup`` command line: thin click commands over the library."""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Iterable, Optional, Sequence

import click

from . import __version__
from .cluster import KEEP_POLICIES
from .errors import DedupError
from .files import atomic_write, plan_set_aside, set_aside
from .io import ReadOptions
from .pipeline import ScanConfig, scan as scan_sources
from .report import RENDERERS, SCAN_FORMATS, render_ids
from .diff import diff_clusters, diff_sources
from .diffreport import DIFF_FORMATS, DIFF_RENDERERS, render_scan_html

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_DUPLICATES = 3


def read_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options for reading inputs, shared by every command that reads articles."""
    for opt in reversed([
        click.option("--encoding", metavar="NAME", help="Text encoding of the inputs [default: UTF-8, BOM or not]."),
        click.option("--id-field", metavar="FIELD", help="JSON field with the id [default: id, _id, doc_id, newid, url]."),
        click.option("--text-field", metavar="FIELD",
                     help="JSON field with the text [default: text, content, article, or title + body]."),
        click.option("--date-field", metavar="FIELD", help="JSON field with the date (for --keep newest) [default: date]."),
        click.option("--strict", is_flag=True, help="Stop at the first unreadable file or record instead of skipping it."),
    ]):
        f = opt(f)
    return f


def make_read_options(encoding: Optional[str], id_field: Optional[str], text_field: Optional[str],
                      date_field: Optional[str], strict: bool) -> ReadOptions:
    return ReadOptions(encoding=encoding, id_field=id_field, text_field=text_field, date_field=date_field,
                       strict=strict)


def emit(chunks: Iterable[str], output: Optional[str]) -> None:
    """Send output to stdout, or atomically to a file."""
    if output and output != "-":
        atomic_write(output, chunks)
    else:
        out = sys.stdout
        for chunk in chunks:
            out.write(chunk)
        out.flush()


MAX_WARNINGS = 10


def warn_skipped(skipped: Sequence[Any], quiet: bool) -> None:
    """One warning line per skipped input on stderr, the first few only."""
    if quiet:
        return
    for note in skipped[:MAX_WARNINGS]:
        click.echo(f"Warning: {note}", err=True)
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
@click.option("--unique", "list_unique", is_flag=True, help="Print only the ids to keep, one a line.")
@click.option("--duplicates", "list_duplicates", is_flag=True, help="Print only the ids you could drop, one a line.")
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
def scan(sources: tuple[str, ...], fmt: str, pairs: bool, list_unique: bool, list_duplicates: bool, keep: str,
         threshold: float, containment: float, shingle_size: int, boilerplate_share: float, num_perm: int,
         seed: int, jobs: int,
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
      dedup scan news/ --duplicates | xargs rm        # you decide what to delete
      dedup scan news/ --move-duplicates dupes/
      dedup scan news/ --report report.html        # every cluster with its diffs
    """
    if list_unique and list_duplicates:
        raise click.UsageError("--unique and --duplicates exclude each other.")
    if report and "-" in sources:
        raise click.UsageError("--report re-reads the articles, and standard input cannot be read twice; "
                               "save it to a file and scan that.")
    try:
        config = ScanConfig(shingle_size=shingle_size, num_perm=num_perm, seed=seed, threshold=threshold,
                            containment=containment, keep=keep, jobs=jobs,
                            boilerplate_share=boilerplate_share)  # type: ignore[arg-type]
    except DedupError as exc:
        raise click.BadParameter(str(exc)) from exc
    opts = make_read_options(encoding, id_field, text_field, date_field, strict)
    try:
        with Progress(quiet, "scanning", opts) as progress:
            result = scan_sources(list(sources), config, read_options=opts, progress=progress.on_docs)
        moves = None
        if move_duplicates:
            dupes = {d.id: d for d in result.documents}
            moves = plan_set_aside(((i, dupes[i].path, dupes[i].is_file) for i in result.duplicate_ids),
                                   move_duplicates)
        warn_skipped(result.skipped, quiet)
        if report:
            # Written before any move, while every member is still where the scan read it.
            atomic_write(report, render_scan_html(result, diff_clusters(result, list(sources), opts)))
        if list_unique:
            emit(render_ids(result.keep_ids), output)
        elif list_duplicates:
            emit(render_ids(result.duplicate_ids), output)
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
    opts = make_read_options(encoding, id_field, text_field, date_field, strict)
    try:
        result = diff_sources(a, b, corpus=list(corpus) or None, read_options=opts, cutoff=cutoff,
                              top_terms=top_terms, shingle_size=shingle_size)
        warn_skipped(opts.skipped, quiet)
        if fmt == "text":
            to_terminal = not output or output == "-"
            if color is None:
                color = to_terminal and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
            emit(DIFF_RENDERERS["text"](result, color=bool(color) and to_terminal), output)
        else:
            emit(DIFF_RENDERERS[fmt](result), output)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


def main() -> None:
    cli(prog_name="dedup")
