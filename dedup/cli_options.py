"""What the ``dedup`` commands share: option groups, reading options, output and warnings, the progress bar."""

from __future__ import annotations

import os
import re
import sys
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

import click

from .config import ScanConfig
from .errors import ConfigError, DedupError
from .files import atomic_write, refuse_inputs
from .io import (BODY_FIELDS, DATE_FIELDS, ID_FIELDS, MAX_DOCUMENT_BYTES, MAX_FILE_BYTES, TEXT_FIELDS,
                 TITLE_FIELDS, ReadOptions)
from .sources import expand_sources
from .term import OutputClosed, one_line, write_stdout

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_DUPLICATES = 3


def steady_allocator() -> None:
    """Have this process (and the workers it forks) keep the memory a batch frees for the next one.

    glibc hands each freed block of over 128 KB back to the system and trims
    the top of its heap, so the next batch faults the same pages in again: a
    100,000-article scan in one process took 740,000 page faults and 1.5 s
    of system time. With blocks of up to 32 MB taken from the heap and up to
    64 MB of free heap kept, it takes 61,000. Where there is no ``mallopt``
    (not glibc), nothing changes.
    """
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD
    mallopt(-1, 64 << 20)  # M_TRIM_THRESHOLD


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
        size = int(m.group(1)) * self._UNITS[m.group(2).lower()]
        if size > 1 << 62:  # beyond any file, and beyond what the readers can count in
            self.fail(f"{value!r} is larger than any file (give at most a few G)", param, ctx)
        return size


def _first_present(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]


def read_options(f: Optional[Callable[..., Any]] = None, *, date_use: str = "") -> Any:
    """Options for reading inputs, shared by every command that reads articles.

    The defaults shown are built from the reader's own field lists, so the
    help cannot drift from the code. ``date_use`` says what the date is for
    in this command.
    """
    def decorate(g: Callable[..., Any]) -> Callable[..., Any]:
        for opt in reversed([
            click.option("--encoding", metavar="NAME",
                         help="Text encoding of the inputs [default: UTF-8, BOM or not]."),
            click.option("--id-field", metavar="FIELD",
                         help=f"Record field (JSON, CSV, Parquet) with the id [default: the first present of "
                              f"{_first_present(ID_FIELDS)}]."),
            click.option("--text-field", metavar="FIELD",
                         help=f"Record field with the text [default: the first present of "
                              f"{_first_present(TEXT_FIELDS)}; else {' / '.join(TITLE_FIELDS)} and "
                              f"{' / '.join(BODY_FIELDS)} joined]."),
            click.option("--date-field", metavar="FIELD",
                         help=f"Record field with the date{date_use} [default: the first present of "
                              f"{_first_present(DATE_FIELDS)}]."),
            click.option("--strict", is_flag=True,
                         help="Stop at the first unreadable file or record instead of skipping it."),
            click.option("--max-document-size", type=Size(), default=MAX_DOCUMENT_BYTES, expose_value=False,
                         callback=_remember, metavar="SIZE",
                         help="Skip (with a warning) a text or HTML file, JSON line or record text larger than "
                              "this, after decompression; a version to diff that large is an error "
                              "[default: 16M]."),
            click.option("--max-file-size", type=Size(), default=MAX_FILE_BYTES, expose_value=False,
                         callback=_remember, metavar="SIZE",
                         help="Skip (with a warning) a .json file larger than this, after decompression; a "
                              "version to diff that large is an error [default: 256M]."),
        ]):
            g = opt(g)
        return g

    return decorate(f) if f is not None else decorate


def folder_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Which files of a folder to read: shell-style patterns."""
    f = click.option("--exclude", metavar="GLOB", multiple=True,
                     help="Skip files in folders whose path (relative to the folder) or name, or a folder "
                          "they are in, matches GLOB: 'drafts' skips every folder of that name. Repeatable.")(f)
    return click.option("--include", metavar="GLOB", multiple=True,
                        help="Read only files in folders whose path (relative to the folder) or name, or a "
                             "folder they are in, matches GLOB, e.g. '*.txt', '2026-11-*' or '2026-11-*/*'. "
                             "Repeatable.")(f)


def rule_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The near-duplicate rule's settings, shared by dedup scan and dedup spark scan."""
    for opt in reversed([
        click.option("-t", "--threshold", type=float, default=ScanConfig.threshold, show_default=True,
                     help="Near-duplicate when Jaccard similarity of shingle sets is at least this..."),
        click.option("-c", "--containment", type=float, default=ScanConfig.containment, show_default=True,
                     help="...or when this share of the shorter document's shingles is in the longer."),
        click.option("-n", "--shingle-size", type=int, default=ScanConfig.shingle_size, show_default=True,
                     help="Words per shingle."),
        click.option("--boilerplate-share", type=float, default=ScanConfig.boilerplate_share, show_default=True,
                     help="Shingles in more than this share of the documents (and in at least "
                          f"{ScanConfig.boilerplate_min_docs}) are boilerplate and carry no weight; 1 turns this off."),
        click.option("--short-words", type=int, default=ScanConfig.short_words, show_default=True,
                     help="Documents of at most this many words are also compared on word pairs, with their figures "
                          "and rare words agreeing (the short-text rule); 0 turns this off."),
        click.option("--max-bucket", type=int, default=ScanConfig.max_bucket, show_default=True,
                     help="An LSH bucket of more documents than this (a template filled in for many companies or "
                          "days) is split on more signature values, so candidates per document stay bounded; "
                          "0 never splits."),
    ]):
        f = opt(f)
    return f


def occasion_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The occasion check's settings (see dedup.occasion), shared by scan and explain."""
    d = ScanConfig  # the defaults, read without making (and checking) a configuration
    for opt in reversed([
        click.option("--date-window", type=float, default=d.date_window, show_default=True, metavar="DAYS",
                     help="Dated texts this far apart or further are another occasion, unless one is a correction "
                          "or they are a copy of a long text (or a long story refiled within 3 days); so are "
                          "headlines for other times of day (0: no date check)."),
        click.option("--figures", "figures", type=float, default=d.figures, show_default=True,
                     help="Share of the figures of the text with fewer of them that the other must have "
                          "(0: no figure check)."),
        click.option("--subject", type=float, default=d.subject, show_default=True,
                     help="Most weight of a first line's words that may be missing from the other text "
                          "(1: no subject check)."),
        click.option("--no-occasion", is_flag=True,
                     help="Accept every pair the shingle or short-text rule accepts, with no occasion check."),
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
        raise option_error(exc) from exc


def input_files(sources: Sequence[str]) -> list[str]:
    """Every input file the sources name (folders walked), for refusing outputs onto them."""
    try:
        return [str(p) for p, _ in expand_sources([s.split("#")[0] if "#" in s and not os.path.exists(s) else s
                                                    for s in sources if s != "-"]) if p is not None]
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


def refuse_outputs(outputs: Sequence[Optional[str]], sources: Sequence[str]) -> None:
    """Stop before reading when an output file is one of the inputs. Only an output that is a regular
    file already can be one (a device such as /dev/null never is): then the folders are walked."""
    if not any(o and o != "-" and os.path.isfile(o) for o in outputs):
        return
    # Standard input redirected from a file (dedup scan - -o a.jsonl < a.jsonl) is that file.
    stdin = [0] if any(s == "-" or s.startswith("-#") for s in sources) else []
    try:
        refuse_inputs(outputs, [*stdin, *input_files(sources)])
    except DedupError as exc:
        raise click.ClickException(str(exc)) from exc


def refuse_clashing_outputs(files: Sequence[tuple[str, Optional[str]]],
                            folders: Sequence[tuple[str, Optional[str]]] = ()) -> None:
    """Usage error when two output options name one file, or a file output lies in an output folder (whose
    writer replaces what it wrote there before): one output would silently destroy the other.

    Args:
        files: ``(option, path)`` of each file output given (None and ``-`` are ignored).
        folders: ``(option, path)`` of each folder output given.
    """
    seen: dict[str, tuple[str, str]] = {}
    for option, path in files:
        if path == "" and option.startswith("-"):
            raise click.UsageError(f"{option} needs a file name (- for standard output).")
        if not path or path == "-":
            continue
        if path.endswith(("/", os.sep)) and not os.path.isdir(path):  # (an existing folder: see atomic_write)
            raise click.UsageError(f"{option} {path} names a folder; give a file name.")
        real = os.path.realpath(path)
        if real in seen:
            raise click.UsageError(f"{seen[real][0]} and {option} both name {path}, and one would replace the "
                                   "other; give them different files.")
        seen[real] = (option, path)
    for option, folder in folders:
        if not folder:
            continue
        root = os.path.realpath(folder)
        for real, (other, path) in seen.items():
            if os.path.commonpath([root, real]) == root:
                raise click.UsageError(f"{other} {path} is inside {option} {folder}, which dedup writes as a "
                                       "whole; give a file outside it.")


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


#: The format an output file's suffix names, taken when -f is not given.
SUFFIX_FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet",
                  ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}

def output_help(formats: Sequence[str]) -> str:
    """The help of ``-o``, naming the suffixes that choose one of ``formats``."""
    named = ", ".join(s for s, f in SUFFIX_FORMATS.items() if f in formats)
    return (f"Write the output to FILE (atomically) instead of stdout; without -f, a suffix {named} chooses the "
            "format (any other: the default).")

def output_format(fmt: str, output: Optional[str], formats: Sequence[str]) -> str:
    """The format to write: ``-f`` when given, else the one ``-o``'s suffix names among ``formats``
    (``-o revision.html`` writes HTML, not text into a .html file), else ``fmt`` (the default)."""
    from click.core import ParameterSource

    if not output or output == "-" or click.get_current_context().get_parameter_source("fmt") != \
            ParameterSource.DEFAULT:
        return fmt
    named = SUFFIX_FORMATS.get(os.path.splitext(output)[1].lower())
    return named if named in formats else fmt


class UnreadDates:
    """The documents that give a date dedup cannot read (``date_text``), seen as they pass: one
    warning for them all at the end (:meth:`warn`), since they are taken as undated; and one when a
    ``--date-field`` was given that no record has."""

    def __init__(self, date_field: Optional[str] = None) -> None:
        self.count, self.first, self.records, self.dated = 0, None, 0, 0
        self.date_field = date_field

    def see(self, docs: Iterable[Any]) -> Iterator[Any]:
        for doc in docs:
            if getattr(doc, "date_text", None):
                self.count += 1
                self.first = self.first or doc
            if not getattr(doc, "is_file", True):
                self.records += 1
                self.dated += getattr(doc, "date", None) is not None
            yield doc

    def warn_all(self, docs: Iterable[Any], quiet: bool) -> None:
        """:meth:`warn` for ``docs``, all seen at once."""
        for _ in self.see(docs):
            pass
        self.warn(quiet)

    def warn(self, quiet: bool) -> None:
        if quiet:
            return
        if self.date_field and self.records and not self.dated and not self.count:
            click.echo(one_line(f"Warning: no record has a date in {self.date_field!r}, so all are undated: check "
                                "--date-field"), err=True)
        if not self.count:
            return
        d = self.first
        where = f"{d.path}:{d.line}" if d.line else d.path
        some = "1 article gives a date" if self.count == 1 else f"{self.count:,} articles give dates"
        click.echo(one_line(f"Warning: {some} dedup cannot read (first: {where}: {d.date_text!r}), taken as undated "
                            "(--keep newest or oldest and the check for another day's report go without them): give "
                            "dates as 2026-11-30T19:05:00Z or 'Nov 30, 2026 7:05 PM EST', or choose the field with "
                            "--date-field"), err=True)


def warn_boilerplate(result: Any, quiet: bool) -> None:
    """A warning when most documents in candidate pairs are mostly boilerplate: text that more than
    ``--boilerplate-share`` of the input shares is a site's template to the scan, and is not compared; in a
    small folder of versions of one story, it is the story (:attr:`dedup.pipeline.ScanResult.mostly_boilerplate`)."""
    heavy, looked = result.mostly_boilerplate
    if quiet or heavy < result.config.boilerplate_min_docs or 2 * heavy < looked:
        return
    click.echo(one_line(f"Warning: {heavy:,} of the {looked:,} documents in candidate pairs are mostly text that more "
                        f"than {result.config.boilerplate_share:g} of the input shares, taken as boilerplate and not "
                        "compared: if that text is one story they all carry (they are its versions), scan again with "
                        "--boilerplate-share 1; if it is a notice or template beside different stories, they are "
                        "rightly apart"), err=True)


def option_error(exc: Exception) -> click.BadParameter:
    """A setting out of range as a usage error naming the command's option ("Invalid value for
    '--short-words': must be an int >= 0"), where the library's message names its parameter
    ("The 'short_words' parameter must be ..."); other messages as they are."""
    message = str(exc)
    named = re.match(r"The '(\w+)' parameter (must .*)", message, re.S)
    ctx = click.get_current_context(silent=True)
    if named and ctx is not None:
        param = next((p for p in ctx.command.params if p.name == named.group(1) and p.opts), None)
        if param is not None:
            return click.BadParameter(named.group(2), ctx=ctx, param=param)
    return click.BadParameter(message)


def warn_skipped(skipped: Sequence[Any], quiet: bool, more: str = "--format json lists them all") -> None:
    """Warnings on stderr for skipped inputs: one line per file and reason,
    with the count and first lines when several records share it (737
    Reuters records without a body are one warning, not 737); the first
    few such lines only, then the count of the rest and ``more``, where to
    find them."""
    if quiet:
        return
    def say(line: str) -> None:
        click.echo(one_line(line), err=True)

    groups: dict[tuple[str, str], list[Any]] = {}
    for note in skipped:
        key = (note.path, note.reason) if hasattr(note, "reason") else (str(note), "")
        groups.setdefault(key, []).append(note)
    shown = 0
    for (path, reason), notes in groups.items():
        if shown == MAX_WARNINGS:
            break
        shown += 1
        if len(notes) == 1:
            say(f"Warning: {notes[0]}")
            continue
        lines = [n.line for n in notes if getattr(n, "line", 0)]
        where = f" (lines {', '.join(map(str, lines[:3]))}{', ...' if len(lines) > 3 else ''})" if lines else ""
        say(f"Warning: {path}: {len(notes):,} records skipped{where}: {reason}")
    rest = sum(len(v) for v in list(groups.values())[shown:])
    if rest:
        say(f"Warning: {rest:,} more inputs skipped ({more})")


#: The label of the progress bar of a scan's second reading.
REREADING = "re-reading candidates"


class Progress:
    """A progress bar on stderr over the input bytes, shown only on a
    terminal and without --quiet."""

    def __init__(self, quiet: bool, label: str, opts: ReadOptions) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.opts = opts
        self.docs = 0
        self.bar: Any = None
        self.label = label
        self.status = ""

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.render_progress()  # the last count of documents, however far the bytes went before
            self.bar.render_finish()

    def on_docs(self, n: int) -> None:
        if not self.enabled:
            return
        if self.opts.rereading and self.label != REREADING:
            # A second bar for the second reading of large JSON lines files (the articles in candidate pairs).
            if self.bar is not None:
                self.bar.render_finish()
            self.bar, self.label = None, REREADING
        if self.bar is None:
            self.bar = click.progressbar(length=max(self.opts.bytes_total, 1), label=self.label, file=sys.stderr,
                                         item_show_func=lambda _: f"{self.docs:,} documents{self.status}")
        self.docs = n
        self.status = ""
        step = min(self.opts.bytes_done, self.bar.length) - self.bar.pos
        if step:
            self.bar.update(step)
        else:  # the reading is ahead (workers hash what was read): the count of documents still moves
            self.bar.render_progress()

    def on_merge(self, level: int, runs: int) -> None:
        """Say on the bar that an add merges runs of band entries (it pauses meanwhile)."""
        if self.enabled and self.bar is not None:
            self.status = f", merging {runs} runs of the index"
            self.bar.render_progress()


def piped_not_json(sources: Sequence[str], result: Any) -> bool:
    """Whether standard input alone was read and no line of it was JSON (CSV or plain text piped in):
    one error says so, without a warning per line (:func:`nothing_read`)."""
    return (list(sources) == ["-"] and not getattr(result, "documents", ()) and bool(result.skipped)
            and all(s.reason.startswith(("malformed JSON line", "record is not a JSON object"))
                    for s in result.skipped))


def nothing_read(sources: Sequence[str], result: Any, quiet: bool = False) -> str:
    """The error for a command that read no document, saying why (``result``: its ``skipped`` notes and
    ``files_ignored`` count)."""
    where = ", ".join(sources[:3]) + (", ..." if len(sources) > 3 else "")
    notes = "run without -q to see the warnings" if quiet else "see the warnings above"
    read = getattr(result, "files_read", 0)
    if result.skipped and not result.files_ignored and all(s.reason == "empty file" for s in result.skipped):
        n = len(result.skipped)
        if read > n:  # the others were read and hold no records (an empty JSON list)
            return (f"no documents read from {where}: {n:,} of the {read:,} files empty ({notes}), the others "
                    "holding no records; give it files that hold articles")
        return (f"no documents read from {where}: {'the file is' if n == 1 else f'all {n:,} files are'} empty "
                f"({notes}); give it files that hold articles")
    if piped_not_json(sources, result):
        return (f"no documents read from standard input: it is read as JSON lines (one object a line, such as "
                f'{{"id": "1", "text": "..."}}), and none of its {len(result.skipped):,} lines is one; to read a CSV '
                "or text file, give its path instead")
    if result.skipped and not result.files_ignored and not any("--text-field" in s.reason for s in result.skipped):
        # Skipped for what their notes say (a size limit, binary data, an encoding): no advice on kinds or fields.
        return f"no documents read from {where}: {len(result.skipped):,} skipped ({notes}: each says what to do)"
    if not result.skipped and not result.files_ignored and read and list(sources) != ["-"]:
        # Read, and no record in them: an empty JSON list, a CSV file with a header alone.
        return (f"no documents read from {where}: {'the file holds' if read == 1 else f'the {read:,} files hold'} "
                "no records; give it files that hold articles")
    why = []
    if result.skipped:
        why.append(f"{len(result.skipped):,} skipped ({notes})")
    if result.files_ignored:
        n = result.files_ignored
        why.append(f"{n:,} file{'' if n == 1 else 's'} ignored (suffix not read, or --include/--exclude)")
    if not why:
        why.append("standard input was empty" if list(sources) == ["-"] else "no files")
    return (f"no documents read from {where}: {'; '.join(why)}. Point it at files of a supported kind "
            "(.txt .md .html .json .jsonl .csv .tsv .parquet), or choose the fields with --text-field")
