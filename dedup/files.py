"""Writing files safely: atomic output files and setting duplicates aside.

dedup never overwrites or moves a user's file unless asked for exactly
that; what it writes appears whole or not at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Union

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
