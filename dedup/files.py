"""Writing files safely: atomic output files and setting duplicates aside.

dedup never overwrites or moves a user's file unless asked for exactly
that; what it writes appears whole or not at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Union

from .errors import DedupError


def atomic_write(path: Union[str, os.PathLike], chunks: Iterable[str], *, overwrite: bool = True) -> None:
    """Write text to a temporary file beside ``path`` and rename it into place.

    Args:
        path: destination.
        chunks: text pieces to write, in order.
        overwrite: when False, refuse to replace an existing file.

    Raises:
        DedupError: the destination exists (and overwrite is False), or its
            folder cannot be written.
    """
    dest = Path(path)
    if not overwrite and dest.exists():
        raise DedupError(f"{dest} already exists (choose another name or remove it first)", str(dest))
    folder = dest.parent if str(dest.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise DedupError(f"cannot write to {folder} ({exc.strerror}); choose a writable folder", str(dest)) from exc
    try:
        # mkstemp creates the file 0600; give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            for chunk in chunks:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


@dataclass(frozen=True)
class Move:
    """One planned move of a duplicate file."""

    id: str
    source: str
    target: str


def plan_set_aside(duplicates: Iterable[tuple[str, str, bool]], dest: Union[str, os.PathLike]) -> list[Move]:
    """Plan moving duplicate files into ``dest``, keeping their relative paths.

    Args:
        duplicates: ``(id, path, is_file)`` of each duplicate document.
        dest: folder to move them into.

    Returns:
        The moves, checked: every source exists, no target exists.

    Raises:
        DedupError: a duplicate is a record inside a JSON file (it cannot be
            moved alone), or a target already exists.
    """
    root = Path(dest)
    moves = []
    for doc_id, path, is_file in duplicates:
        if not is_file:
            raise DedupError(f"{doc_id} is a record in {path}, not a file of its own; --move-duplicates moves "
                             "whole files only (use --duplicates to list record ids)", path)
        target = root / doc_id
        if target.exists():
            raise DedupError(f"{target} already exists; nothing was moved (empty or change the folder)",
                             str(target))
        moves.append(Move(doc_id, path, str(target)))
    return moves


def set_aside(moves: Iterable[Move]) -> int:
    """Carry out planned moves. Returns the number of files moved."""
    count = 0
    for mv in moves:
        target = Path(mv.target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise DedupError(f"{target} appeared while moving; stopped after {count} moves", str(target))
        shutil.move(mv.source, target)
        count += 1
    return count


@contextmanager
def atomic_path(path: Union[str, os.PathLike]) -> Iterator[str]:
    """A temporary path beside ``path`` for a writer that wants a file name
    (pyarrow, a folder of pages); renamed onto ``path`` when the block ends
    without error, removed otherwise.

    Raises:
        DedupError: the folder of ``path`` cannot be written.
    """
    dest = Path(path)
    folder = dest.parent if str(dest.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise DedupError(f"cannot write to {folder} ({exc.strerror}); choose a writable folder", str(dest)) from exc
    os.close(fd)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


#: A file inside every folder dedup writes (a scan report): such a folder may
#: be replaced by the next report; any other existing folder is left alone.
FOLDER_MARKER = ".dedup-report"


def check_folder_target(path: Union[str, os.PathLike]) -> None:
    """Refuse a destination :func:`write_folder` must not replace.

    Raises:
        DedupError: ``path`` is a file, or a non-empty folder that dedup did
            not write.
    """
    dest = Path(path)
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise DedupError(f"{dest} exists and is not a folder; a report is a folder of pages (choose a new name)",
                         str(dest))
    if dest.is_dir() and not (dest / FOLDER_MARKER).exists() and any(dest.iterdir()):
        raise DedupError(f"{dest} is a folder with files dedup did not write; choose a new or empty folder",
                         str(dest))


def write_folder(path: Union[str, os.PathLike], files: Iterable[tuple[str, str]]) -> int:
    """Write a folder of text files atomically: into a temporary folder
    beside ``path``, then renamed into place, so a reader sees the old
    folder or the new one, never half of one. An existing ``path`` is
    replaced only when it is empty or dedup wrote it (it holds
    :data:`FOLDER_MARKER`).

    Args:
        path: the folder.
        files: ``(file name, text)`` pairs; names are plain file names.

    Returns:
        The number of files written.

    Raises:
        DedupError: the destination may not be replaced, or cannot be written.
    """
    dest = Path(path)
    check_folder_target(dest)
    parent = dest.parent if str(dest.parent) else Path(".")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise DedupError(f"cannot write to {parent} ({exc.strerror}); choose a writable folder", str(dest)) from exc
    count = 0
    try:
        umask = os.umask(0)
        os.umask(umask)
        for name, text in files:
            if "/" in name or os.sep in name or name in ("", ".", ".."):
                raise ValueError(f"not a plain file name: {name!r}")
            with open(tmp / name, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            os.chmod(tmp / name, 0o666 & ~umask)
            count += 1
        (tmp / FOLDER_MARKER).write_text("written by dedup; the next report into this folder replaces it\n",
                                         encoding="utf-8")
        os.chmod(tmp, 0o777 & ~umask)
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=parent))
            os.rename(dest, old / dest.name)
            os.rename(tmp, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return count
