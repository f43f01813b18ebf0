"""The ``dedup`` command line: thin click commands over the library."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import click

from . import __version__
from .cli_index import index_group
from .cli_options import (CONTEXT, EXIT_DUPLICATES, Progress, emit, folder_options, make_read_options,
                          nothing_read, occasion_options, option_error, output_format, output_help, piped_not_json,
                          read_options, refuse_clashing_outputs, refuse_outputs, rule_options, steady_allocator,
                          UnreadDates, warn_boilerplate, warn_skipped)
from .config import KEEP_POLICIES, ScanConfig
from .errors import ConfigError, DedupError
from .files import atomic_write, check_folder_target, plan_set_aside, set_aside, write_folder
from .io import read_documents
from .term import one_line
from .diffreport import DIFF_FORMATS, DIFF_RENDERERS, render_report
from .report import BINARY_FORMATS, RENDERERS, SCAN_FORMATS, render_id_list, render_script, write_parquet

#: The probability with which LSH should make a pair at the rule's lowest
#: Jaccard a candidate (the banding is tuned for it; see candidates.recall_bands).
RECALL_TARGET = 0.95
#: Below this Jaccard and containment (word 5-grams) two texts share no more
#: than chance phrases, and `dedup diff` warns that they may be unrelated.
UNRELATED = 0.05
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM (kill, timeout, systemd, Kubernetes)

#: Where the inputs that a diff's warnings leave uncounted are named (its JSON has no list of them).
STRICT_NAMES = "dedup scan --format json on the same inputs lists them all"


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised as an interrupt so that the same clean-up runs as for Ctrl-C."""


def _on_sigterm(signum: int, frame: object) -> None:
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once is enough: the clean-up is under way
    raise Terminated()


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
              help="Which copy of a cluster to keep (newest, oldest: date field, web page date or file mtime); a copy "
                   "that says it corrects another is kept before it, whatever the policy.")
@rule_options
@click.option("--num-perm", type=int, default=ScanConfig.num_perm, show_default=True,
              help="MinHash permutations (signature length).")
@click.option("--seed", type=int, default=ScanConfig.seed, show_default=True, help="MinHash seed.")
@click.option("-j", "--jobs", type=int, default=0, show_default=True, help="Worker processes (0: all cores).")
@click.option("--reread/--no-reread", default=None,
              help="Read JSON lines files twice, hashing only the articles in candidate pairs the second time, so "
                   "the temporary file holds their sets alone (default: from 128 MiB of input); --no-reread: "
                   "once. Standard input and pipes are read once.")
@click.option("-o", "--output", metavar="FILE", help=output_help(SCAN_FORMATS))
@click.option("--move-duplicates", metavar="DIR",
              help="Move duplicate files into DIR, keeping their relative paths (never overwrites); DIR outside the "
                   "scanned folders, or hidden.")
@click.option("--fail-on-duplicates", is_flag=True, help=f"Exit with {EXIT_DUPLICATES} when any cluster is found.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no warnings on stderr.")
@click.option("--report", "report", metavar="DIR",
              help="Also write an HTML report into folder DIR: an overview (DIR/index.html) and a page per cluster "
                   "with each member's diff, older version first.")
@click.option("--script", "script", metavar="FILE.sh",
              help="Also write a shell script that removes the duplicate files when you run it (sh FILE.sh), or "
                   "moves them (sh FILE.sh --move DIR); each line names the copy kept and the similarity.")
@occasion_options
@folder_options
@read_options(date_use=" (for --keep newest or oldest and the date check)")
def scan(sources: tuple[str, ...], fmt: str, pairs: bool, list_unique: bool, list_duplicates: bool, null: bool,
         keep: str,
         threshold: float, containment: float, shingle_size: int, boilerplate_share: float, short_words: int,
         max_bucket: int, num_perm: int, seed: int, jobs: int, reread: Optional[bool], date_window: float, figures: float, subject: float, no_occasion: bool,
         output: Optional[str], move_duplicates: Optional[str], fail_on_duplicates: bool, quiet: bool,
         report: Optional[str], script: Optional[str], include: tuple[str, ...], exclude: tuple[str, ...],
         encoding: Optional[str], id_field: Optional[str], text_field: Optional[str],
         date_field: Optional[str], strict: bool) -> None:
    """Group near-duplicate articles and say which copy to keep.

    PATH is a file, a folder (read recursively: .txt .md .html .htm .json
    .jsonl .csv .tsv, each optionally .gz, and .parquet) or - for JSON lines
    on stdin.

    \b
    Examples:
      dedup scan seeds/
      dedup scan news/ --format jsonl > clusters.jsonl
      dedup scan articles.csv --text-field body --id-field url
      cat articles.jsonl | dedup scan - --format jsonl
      dedup scan news/ --include '*.html' --exclude 'drafts/*'
      dedup scan news/ --script remove-dupes.sh     # review it, then: sh remove-dupes.sh
      dedup scan news/ --duplicates -0 | xargs -0 rm  # you decide what to delete
      dedup scan news/ --move-duplicates dupes/
      dedup scan news/ --report report/             # open report/index.html
    """
    fmt = output_format(fmt, output, SCAN_FORMATS)
    if list_unique and list_duplicates:
        raise click.UsageError("--unique and --duplicates exclude each other.")
    if null and not (list_unique or list_duplicates):
        raise click.UsageError("-0/--null ends each entry of --unique or --duplicates with a NUL byte; give one "
                               "of them.")
    if pairs and (list_unique or list_duplicates):
        raise click.UsageError(f"--pairs lists pairs and {'--unique' if list_unique else '--duplicates'} lists ids; "
                               "give one of them.")
    if fmt in BINARY_FORMATS and (list_unique or list_duplicates):
        raise click.UsageError(f"--{'unique' if list_unique else 'duplicates'} lists ids as text, json, jsonl or "
                               f"csv, not {fmt}.")
    if fmt in BINARY_FORMATS and (not output or output == "-"):
        raise click.UsageError(f"--format {fmt} writes a binary file: give it with -o FILE.{fmt}.")
    if report and "-" in sources:
        raise click.UsageError("--report re-reads the articles, and standard input cannot be read twice; "
                               "save it to a file and scan that.")
    refuse_clashing_outputs([("-o", output), ("--script", script)], [("--report", report)])
    refuse_outputs([output, report, script], sources)
    if report:
        inside = inside_inputs(report, sources)
        if inside:
            raise click.UsageError(f"--report {report} is inside the scanned folder {inside}, so a later scan would "
                                   "read its pages as articles; choose a folder outside it.")
    folder = inside_inputs(move_duplicates, sources) if move_duplicates else None
    if folder:
        raise click.UsageError(f"--move-duplicates {move_duplicates} is inside the scanned folder {folder}, so a "
                               "later scan would read the copies moved there and could move the kept ones after "
                               f"them; choose a folder outside it (or a hidden one: {folder.rstrip('/')}/.duplicates).")
    if move_duplicates:
        _check_aside_folder(move_duplicates, report)
    if report and report.lower().endswith((".html", ".htm")):
        raise click.UsageError(f"--report writes a folder of pages (an overview and one page per cluster): give a "
                               f"folder such as --report {report.rsplit('.', 1)[0]}/ and open its index.html.")
    try:
        config = ScanConfig(shingle_size=shingle_size, num_perm=num_perm, seed=seed, threshold=threshold,
                            containment=containment, keep=keep, jobs=jobs,
                            boilerplate_share=boilerplate_share, short_words=short_words, max_bucket=max_bucket,
                            occasion=not no_occasion, date_window=date_window, figures=figures,
                            subject=subject)  # type: ignore[arg-type]
    except DedupError as exc:
        raise option_error(exc) from exc
    if not quiet:
        warn_recall(config)
    opts = make_read_options(encoding, id_field, text_field, date_field, strict)
    opts.include, opts.exclude = include, exclude
    try:
        if report:
            check_folder_target(report)
        from .pipeline import scan as scan_sources

        steady_allocator()
        with Progress(quiet, "scanning", opts) as progress:
            result = scan_sources(list(sources), config, read_options=opts, progress=progress.on_docs,
                                  reread=reread)
        warn_skipped(result.skipped, quiet or piped_not_json(sources, result))
        UnreadDates(date_field).warn_all(result.documents, quiet)
        warn_boilerplate(result, quiet)
        if not result.documents:
            raise DedupError(nothing_read(sources, result, quiet))
        moves = None
        move_notes: list[str] = []
        if move_duplicates:
            docs = {d.id: d for d in result.documents}
            moves = plan_set_aside(((i, docs[i].path, docs[i].is_file) for i in result.duplicate_ids),
                                   move_duplicates, keep=[docs[i].path for i in result.keep_ids if docs[i].is_file],
                                   notes=move_notes)
            warn_skipped(move_notes, quiet)
        if report:
            # Written before any move, while every member is still where the scan read it.
            from .versions import diff_clusters

            write_folder(report, render_report(result, diff_clusters(result, list(sources), opts)))
        if script:
            atomic_write(script, render_script(result, name=os.path.basename(script)), executable=True)
        if list_unique or list_duplicates:
            emit(listing(result, result.keep_ids if list_unique else result.duplicate_ids, null, fmt), output)
        elif fmt in BINARY_FORMATS:
            write_parquet(result, output or "", pairs)
        else:
            emit(RENDERERS[fmt](result, pairs), output)
        if moves is not None:
            moved = set_aside(moves)
            if not quiet:
                files = "file" if moved == 1 else "files"
                click.echo(one_line(f"moved {moved} duplicate {files} to {move_duplicates}"), err=True)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc
    if fail_on_duplicates and result.clusters:
        sys.exit(EXIT_DUPLICATES)


def inside_inputs(target: str, sources: Sequence[str]) -> Optional[str]:
    """The scanned folder that ``target`` lies in, where a later scan of that folder would read what is
    written there, if any (a hidden folder is not read)."""
    real = os.path.realpath(target)
    for src in sources:
        if src != "-" and os.path.isdir(src):
            folder = os.path.realpath(src)
            if os.path.commonpath([folder, real]) == folder:
                parts = os.path.relpath(real, folder).split(os.sep)
                if not any(p.startswith(".") and p not in (".", "..") for p in parts):
                    return src
    return None


def _check_aside_folder(folder: str, report: Optional[str]) -> None:
    """Refuse, before the scan, a --move-duplicates that names a file (or a path through one), or the
    --report folder."""
    path = Path(folder)
    for at in (path, *path.parents):
        if os.path.lexists(at):
            if not at.is_dir():
                raise click.UsageError(f"--move-duplicates {folder}: {at} is not a folder; give a folder for the "
                                       "duplicates (it is made when missing).")
            break
    if report and (Path(os.path.abspath(report)) == Path(os.path.abspath(folder))
                   or Path(os.path.abspath(report)) in Path(os.path.abspath(folder)).parents):
        raise click.UsageError(f"--move-duplicates {folder} is in the --report folder {report}, which the next "
                               "report replaces whole: give the duplicates a folder of their own.")


def warn_recall(config: ScanConfig) -> None:
    """Warn when the banding cannot reach its recall target: with few
    permutations, pairs the rule accepts may never become candidates."""
    from .candidates import candidate_probability, lsh_floor

    bands, rows = config.banding
    floor = lsh_floor(config.threshold, config.containment)
    p = candidate_probability(floor, bands, rows)
    if p < RECALL_TARGET:
        # The advice is the first of these round counts that reaches the target, whatever was given.
        steps = [n for k in range(7, 13) for n in (1 << k, 3 << (k - 1)) if config.num_perm < n <= 4096] or [4096]
        more = next((n for n in steps if candidate_probability(floor, *config.__class__(
            threshold=config.threshold, containment=config.containment, num_perm=n).banding) >= RECALL_TARGET),
            steps[-1])
        click.echo(f"Warning: with --num-perm {config.num_perm} the LSH bands ({bands} x {rows}) find a pair at "
                   f"jaccard {floor:.2f} with probability {p:.2f}, below {RECALL_TARGET}: near-duplicates may be "
                   f"missed (use --num-perm {more} or more)", err=True)


def listing(result: Any, ids: Sequence[str], null: bool, fmt: str = "text") -> Iterable[str]:
    """--unique / --duplicates: a whole file by its path as read (it works from the current folder; one
    that starts with ``-`` as ``./-...``, so that no command reads it as an option), a record by its id;
    one a line (or in the format asked), or NUL-terminated."""
    docs = {d.id: d for d in result.documents}
    # Among files, a record is listed as FILE#ID (as dedup diff takes it): its bare id could name a file in
    # the current folder, which `xargs rm` would then remove.
    mixed = len({d.is_file for d in result.documents}) > 1
    names = [docs[i].path if docs[i].is_file else f"{docs[i].path}#{i}" if mixed else i for i in ids]
    names = ["./" + n if n.startswith("-") and (mixed or docs[i].is_file) else n for i, n in zip(ids, names)]
    if null:
        return (n + "\0" for n in names)
    # One a line, a name holding a line break reads as two: "x\n./keep.txt" as "x" and the copy kept.
    broken = next((n for n in names if len((n + "x").splitlines()) > 1), None) if fmt == "text" else None
    if broken is not None:
        raise DedupError(one_line(f"{broken!r} holds a line break, so a list of one name a line would read it as "
                                  "two names: list them with -0 (NUL-terminated) or --format json"))
    return render_id_list(names, fmt)


@cli.command("diff", context_settings=CONTEXT)
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("-f", "--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text", show_default=True,
              help="Output format.")
@click.option("-o", "--output", metavar="FILE", help=output_help(DIFF_FORMATS))
@click.option("--corpus", "corpus", metavar="FOLDER", multiple=True,
              help="Articles whose word frequencies weigh the changes (IDF) [default: the two versions' "
                   "sentences]. Repeatable.")
@click.option("--cutoff", type=click.FloatRange(0, 1, min_open=True), default=0.5, show_default=True,
              help="Word similarity from which a deleted and an added sentence are one changed sentence (a "
                   "sentence rewritten in another word order needs that share of its content words).")
@click.option("--terms", "top_terms", type=click.IntRange(0), default=10, show_default=True,
              help="How many added and removed terms to list.")
@click.option("-n", "--shingle-size", type=click.IntRange(1), default=5, show_default=True,
              help="Words per shingle for the similarity figures.")
@click.option("--color/--no-color", "color", default=None,
              help="Colour the text format [default: on a terminal, unless NO_COLOR is set].")
@click.option("--exit-code", is_flag=True,
              help=f"Exit with {EXIT_DUPLICATES} when the versions differ (a sentence added, removed, changed or "
                   "moved), 0 when not (1 is an error, as for every command).")
@click.option("-q", "--quiet", is_flag=True, help="No warnings on stderr.")
@read_options(date_use=" (to tell the older version)")
def diff_command(a: str, b: str, fmt: str, output: Optional[str], corpus: tuple[str, ...], cutoff: float,
                 top_terms: int, shingle_size: int, color: Optional[bool], exit_code: bool, quiet: bool,
                 encoding: Optional[str], id_field: Optional[str], text_field: Optional[str],
                 date_field: Optional[str], strict: bool) -> None:
    """Show what version B added, removed, changed and moved relative to A.

    A and B are .txt, .md or .html files, or JSON / JSON lines / CSV files
    holding one article (FILE#ID picks a record of a file with several);
    one of them may be - for plain text (or one JSON object) on stdin. Changes
    are ranked by TF-IDF weight, the most significant first; edits of
    whitespace, punctuation or case only are counted as trivial.

    \b
    Examples:
      dedup diff seeds/000_cc67e4122e3a257f.txt seeds/001_fbcee2db9c98bcf0.txt
      dedup diff old.html new.html --format html -o revision.html
      dedup diff a.txt b.txt --format json | jq .added_terms
      dedup diff news.jsonl#17 news.jsonl#42 --corpus news/
      pbpaste | dedup diff - published.txt
      dedup diff old.txt new.txt --exit-code > /dev/null; [ $? = 3 ] && echo changed
    """
    fmt = output_format(fmt, output, DIFF_FORMATS)
    refuse_clashing_outputs([("-o", output)])
    refuse_outputs([output], [a, b, *corpus])
    from .versions import diff_sources

    opts = make_read_options(encoding, id_field, text_field, date_field, strict)
    try:
        try:
            result = diff_sources(a, b, corpus=list(corpus) or None, read_options=opts, cutoff=cutoff,
                                  top_terms=top_terms, shingle_size=shingle_size)
        finally:
            warn_skipped(opts.skipped, quiet, STRICT_NAMES)  # also before an error: what was skipped and why
        sim = result.similarity
        # Short texts have few shingles: sentences that are kept, moved or mostly the same say they are versions.
        shared = any(r.op in ("equal", "trivial", "moved_in") for r in result.rows) or \
            any(c.similarity >= 0.5 for c in result.changed)
        if not quiet and max(sim.jaccard, sim.a_in_b, sim.b_in_a) < UNRELATED and not shared:
            click.echo(one_line(f"Warning: {result.a_label} and {result.b_label} share almost no text (jaccard "
                                f"{sim.jaccard:.2f}, containment {max(sim.a_in_b, sim.b_in_a):.2f}): they may not "
                                "be versions of one article"), err=True)
        if fmt == "text":
            to_terminal = not output or output == "-"
            if color is None:
                color = to_terminal and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
            emit(DIFF_RENDERERS["text"](result, color=bool(color) and to_terminal), output,
                 colour=bool(color) and to_terminal)
        else:
            emit(DIFF_RENDERERS[fmt](result), output)
    except ConfigError as exc:
        raise option_error(exc) from exc
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc
    if exit_code and not result.is_empty:
        sys.exit(EXIT_DUPLICATES)


@cli.command("explain", context_settings=CONTEXT)
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--in", "collection", metavar="PATH", multiple=True,
              help="Read A and B as ids among the articles of PATH (repeatable), whose other articles give the "
                   "words' rarity and the clusters, as in a scan of PATH.")
@click.option("-f", "--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True,
              help="Output format.")
@click.option("-t", "--threshold", type=float, default=ScanConfig.threshold, show_default=True,
              help="Near-duplicate at this Jaccard...")
@click.option("-c", "--containment", type=float, default=ScanConfig.containment, show_default=True,
              help="...or at this containment of one in the other.")
@click.option("--short-words", type=int, default=ScanConfig.short_words, show_default=True,
              help="Texts of at most this many words are also compared by the short-text rule.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings on stderr.")
@occasion_options
@read_options(date_use=" (for the date check)")
def explain_command(a: str, b: str, collection: tuple[str, ...], fmt: str, threshold: float, containment: float,
                    short_words: int, quiet: bool, date_window: float, figures: float, subject: float,
                    no_occasion: bool, encoding: Optional[str], id_field: Optional[str], text_field: Optional[str],
                    date_field: Optional[str], strict: bool) -> None:
    """Say why two articles are, or are not, near-duplicates: each check with its value and threshold.

    A and B are files (FILE#ID picks a record of a file with several), or
    with --in, ids of articles read from PATH.

    \b
    Examples:
      dedup explain seeds/000_cc67e4122e3a257f.txt seeds/001_fbcee2db9c98bcf0.txt
      dedup explain 1503 475 --in reuters21578.jsonl.gz
      dedup explain a.html b.html --in news/ --format json
    """
    from .explain import explain
    from .report import render_explanation

    try:
        config = ScanConfig(threshold=threshold, containment=containment, short_words=short_words,
                            occasion=not no_occasion, date_window=date_window, figures=figures, subject=subject)
    except DedupError as exc:
        raise option_error(exc) from exc
    if a == b:
        raise click.UsageError(f"A and B are the same article ({a}); give two articles"
                               + (" of the collection" if collection else ""))
    opts = make_read_options(encoding, id_field, text_field, date_field, strict)
    try:
        if collection:
            opts.defer_html = True  # web pages are extracted with their sites' templates removed, as a scan does
            docs = list(read_documents(list(collection), opts))
            ids = (a, b)
        else:
            from .versions import read_version

            docs = [read_version(a, opts), read_version(b, opts)]
            if docs[0].id == docs[1].id:
                docs[1] = replace(docs[1], id=docs[1].id + " (B)")
            ids = (docs[0].id, docs[1].id)
        warn_skipped(opts.skipped, quiet, STRICT_NAMES)
        emit(render_explanation(explain(docs, ids[0], ids[1], config), fmt), None)
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


cli.add_command(index_group)


# ---------------------------------------------------------------- spark

@cli.group("spark", context_settings=CONTEXT)
def spark_group() -> None:
    """Run the scan as an Apache Spark job (pip install 'dedup[spark]').

    \b
    Examples:
      dedup spark scan news.jsonl.gz -o clusters/
      spark-submit --py-files dedup.zip dedup/submit.py spark scan hdfs:///news/ -o hdfs:///dedup/clusters
    """


@spark_group.command("scan", context_settings=CONTEXT)
@click.argument("sources", nargs=-1, required=True, metavar="PATH...")
@click.option("-o", "--output", metavar="DIR", required=True,
              help="Folder to create (local path or Hadoop URI) for the JSON lines, as ordered part files.")
@click.option("--pairs", is_flag=True, help="Output verified pairs instead of clusters.")
@click.option("--keep", type=click.Choice(KEEP_POLICIES), default="longest", show_default=True,
              help="Which copy of a cluster to keep.")
@rule_options
@click.option("--num-perm", type=int, default=ScanConfig.num_perm, show_default=True,
              help="MinHash permutations (signature length).")
@click.option("--seed", type=int, default=ScanConfig.seed, show_default=True, help="MinHash seed.")
@click.option("--master", default=None, metavar="URL",
              help="Spark master when not run by spark-submit (default: local[*]).")
@click.option("--id-field", default=None, help="Record field with the id (JSON lines, Parquet).")
@click.option("--text-field", default=None, help="Record field with the text.")
@click.option("--date-field", default=None, help="Record field with the publication date.")
@click.option("--encoding", default=None, help="Encoding of text files (default: UTF-8).")
@occasion_options
def spark_scan(sources: tuple[str, ...], output: str, pairs: bool, keep: str, threshold: float, containment: float,
               shingle_size: int, boilerplate_share: float, short_words: int, max_bucket: int, num_perm: int,
               seed: int, master: Optional[str], id_field: Optional[str], text_field: Optional[str], date_field: Optional[str],
               encoding: Optional[str], date_window: float, figures: float, subject: float,
               no_occasion: bool) -> None:
    """Scan JSON lines, Parquet and text files with Spark and write the JSON lines of
    `dedup scan --format jsonl` (or --pairs) into the new folder DIR.

    PATH is a file or folder, a local path or any Hadoop URI Spark can
    read (hdfs://, s3a://, gs://, abfss://). The part files of DIR, in name
    order, are the local scan's output byte for byte.

    \b
    Examples:
      dedup spark scan news.jsonl.gz -o clusters/ && cat clusters/part-* > clusters.jsonl
      dedup spark scan s3a://lake/news/ -o s3a://lake/dedup/pairs --pairs
    """
    try:
        config = ScanConfig(shingle_size=shingle_size, num_perm=num_perm, seed=seed, threshold=threshold,
                            containment=containment, keep=keep, boilerplate_share=boilerplate_share,
                            short_words=short_words, max_bucket=max_bucket, occasion=not no_occasion,
                            date_window=date_window, figures=figures, subject=subject)  # type: ignore[arg-type]
    except DedupError as exc:
        raise option_error(exc) from exc
    from .spark_io import RecordFields, is_uri, output_exists, quiet_session, scan_paths

    # What can be checked here is, before Spark takes half a minute to start.
    if not is_uri(output) and os.path.exists(output):
        raise click.ClickException(str(output_exists(output, os.path.exists(os.path.join(output, "_SUCCESS")))))
    if not is_uri(output) and os.path.islink(output):
        raise click.ClickException(f"{output} is a symbolic link to a missing folder ({os.readlink(output)}); give a "
                                   "new folder")
    for source in sources:
        if not is_uri(source) and not os.path.exists(source):
            raise click.ClickException(f"{source}: no such file or folder")
    try:
        spark = quiet_session(master or "local[*]") if master or not _in_spark_submit() else _submitted_session()
        n = scan_paths(spark, list(sources), output, config, pairs=pairs,
                       fields=RecordFields(id_field, text_field, date_field), encoding=encoding,
                       on_dropped=lambda: click.echo(
                           "Warning: some records or files were left out (malformed JSON lines, records without "
                           "text, empty, binary or undecodable files); dedup scan on the same inputs names each",
                           err=True))
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {n} {'pair' if pairs else 'cluster'}{'' if n == 1 else 's'} to {output}", err=True)


def _in_spark_submit() -> bool:
    return "SPARK_ENV_LOADED" in os.environ or "PYSPARK_GATEWAY_PORT" in os.environ


def _submitted_session() -> Any:
    from pyspark.sql import SparkSession

    return SparkSession.builder.appName("dedup").getOrCreate()


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
    import signal

    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
        _few_malloc_arenas()
        rv = cli.main(prog_name="dedup", standalone_mode=False)
    except click.exceptions.Abort as exc:
        if isinstance(exc.__context__, Terminated) or isinstance(exc.__cause__, Terminated):
            sys.exit(EXIT_TERMINATED)
        if isinstance(exc.__context__, (KeyboardInterrupt, EOFError)) or isinstance(exc.__cause__, KeyboardInterrupt):
            sys.exit(EXIT_INTERRUPTED)
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except KeyboardInterrupt as exc:
        sys.exit(EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED)
    except click.ClickException as exc:
        # One line, on a terminal or not; but the help a bare `dedup` or `dedup index` shows is the help.
        if not isinstance(exc, getattr(click.exceptions, "NoArgsIsHelpError", ())):
            exc.message = one_line(exc.message)
        exc.show()
        sys.exit(exc.exit_code)
    except MemoryError:
        click.echo("Error: out of memory; allow dedup more memory, use fewer worker processes (-j), or split the "
                   "input", err=True)
        sys.exit(1)
    sys.exit(rv if isinstance(rv, int) else 0)
