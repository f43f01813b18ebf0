"""The inputs a command names: files, folders walked in a fixed order, and
``-`` for standard input, each with the id its documents are named by.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Iterable, Optional, Sequence, Union

from .errors import InputError
from .term import one_line

Source = Union[str, os.PathLike]


def folder_files(folder: Path, problems: list[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """Regular files under ``folder`` (hidden names left out), each with its path relative to
    ``folder`` (``/``-separated), sorted by that path.

    FIFOs, sockets and devices are left out with a note (reading one could
    block forever), and so is a subfolder that cannot be listed, and a
    symbolic link to a file outside ``folder``: a folder sent in from
    elsewhere must not make dedup read (and print) ``/etc/passwd``.
    Subfolder links are not followed.
    """
    found = []
    real_folder = os.path.realpath(folder)

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        problems.append((where, f"could not read folder ({exc.strerror or exc}); check its permissions"))

    for root, dirs, files in os.walk(folder, onerror=unreadable, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        here = Path(root)
        # Relative paths are made once a folder, and a file's by joining strings: pathlib per file is slow.
        prefix = here.relative_to(folder).as_posix() + "/"
        prefix = "" if prefix == "./" else prefix
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = here / name
            try:
                mode = os.stat(path).st_mode
            except OSError:
                mode = 0
            if mode and not stat.S_ISREG(mode):
                problems.append((path, "not a regular file (a FIFO, socket or device); skipped"))
                continue
            if mode and os.path.islink(path):  # a broken link is noted as unreadable where it is read
                target = os.path.realpath(path)
                if os.path.commonpath([real_folder, target]) != real_folder:
                    problems.append((path, f"a symbolic link to a file outside the folder ({target}); skipped "
                                           "(name the file itself to read it)"))
                    continue
            found.append((prefix + name, path))
    found.sort(key=lambda item: item[0])
    return [(path, rel) for rel, path in found]


def check_source(src: object) -> None:
    if not isinstance(src, (str, os.PathLike)):
        raise TypeError(f"Each source must be a path (str or os.PathLike) or '-'. Got {src!r} instead.")


def expand_sources(sources: Sequence[Source], *, path_ids: bool = False,
                   problems: Optional[list[tuple[Path, str]]] = None) -> list[tuple[Optional[Path], str]]:
    """Resolve files, folders and ``-`` into ``(path, id)`` pairs, in order (see :func:`expand_inputs`)."""
    return [(path, rel) for path, rel, _ in expand_inputs(sources, path_ids=path_ids, problems=problems)]


def source_list(sources: Iterable[Source]) -> list[Source]:
    """The paths of ``sources`` (any iterable of them) as a list, once.

    Raises:
        TypeError: ``sources`` is one path (a string is no list of paths, but of one-letter ones).
    """
    if isinstance(sources, (str, bytes, os.PathLike)):
        raise TypeError("Iterable over paths expected, single path received: wrap it in a list.")
    return list(sources)


def expand_inputs(sources: Sequence[Source], *, path_ids: bool = False,
            problems: Optional[list[tuple[Path, str]]] = None) -> list[tuple[Optional[Path], str, Optional[str]]]:
    """Resolve files, folders and ``-`` into ``(path, id, inside)``, in order: ``inside`` is a file's
    path relative to the folder it was found in (what ``--include`` and ``--exclude`` match), None for
    a file named on its own and for ``-``.

    A file in a folder is named by its path relative to the folder when the
    folder is the only source, else by the folder's path joined to it (so a
    file named beside the folder cannot take the id of one inside); with
    ``path_ids``, always by its path as given (normalized: ``./a/../b``
    is ``b``). A file named on its own is named as given.

    Args:
        sources: paths of files or folders, or ``"-"``.
        path_ids: name files in folders by their path as given.
        problems: receives ``(path, reason)`` for what a folder holds that
            cannot be read (special files, unreadable subfolders).

    Raises:
        InputError: when a path does not exist.
        TypeError: a source is not a path.
    """
    sources = source_list(sources)
    for src in sources:
        check_source(src)
    notes = problems if problems is not None else []
    out: list[tuple[Optional[Path], str, Optional[str]]] = []
    for src in sources:
        if str(src) == "-":
            if any(p is None for p, _, _ in out):  # read once, as a file named twice is
                notes.append((Path("-"), "standard input given twice; read once"))
            else:
                out.append((None, "-", None))
            continue
        path = Path(src)
        try:
            path.lstat()
        except OSError as exc:
            if exc.errno == errno.ENAMETOOLONG:
                raise InputError(f"{one_line(str(src)[:80])}...: a name too long for the system (check the path)",
                                 str(src)) from exc
        if path.is_dir():
            for f, rel in folder_files(path, notes):
                if path_ids:
                    out.append((f, Path(os.path.normpath(f)).as_posix(), rel))
                else:
                    out.append((f, rel if len(sources) == 1 else (Path(src) / rel).as_posix(), rel))
        elif path.exists():
            out.append((path, Path(os.path.normpath(path)).as_posix() if path_ids else str(src), None))
        elif os.path.islink(path):
            raise InputError(f"{src}: a symbolic link to a missing file (check the link)", str(src))
        else:
            raise InputError(f"{src}: no such file or folder (check the path)", str(src))
    return out
