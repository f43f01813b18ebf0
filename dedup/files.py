"""Writing files safely: atomic output files and setting duplicates aside.

dedup never overwrites or moves a user's file unless asked for exactly
that; what it writes appears whole or not at all.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator, Optional, Sequence, Union

from .errors import DedupError
from .term import encoded, one_line

PathLike = Union[str, os.PathLike]


def _file_key(path: Union[PathLike, int]) -> Optional[tuple[int, int]]:
    """(device, inode) of what ``path`` names, following links; None when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def refuse_inputs(outputs: Iterable[Optional[PathLike]], inputs: Iterable[Union[PathLike, int]]) -> None:
    """Refuse an output path that names one of the input files.

    The comparison is by device and inode, so a symbolic link or another
    spelling of an input's path is caught too.

    Args:
        outputs: paths dedup is about to write (None and ``-`` are ignored).
        inputs: every input file of the run (``0``: standard input, whatever it reads from).

    Raises:
        DedupError: an output is one of the inputs.
    """
    wanted = {}
    for out in outputs:
        if out is None or str(out) == "-":
            continue
        key = _file_key(out)
        if key is not None:
            wanted[key] = out
    if not wanted:
        return
    for path in inputs:
        key = _file_key(path)
        if key in wanted:
            out = wanted[key]
            shown = "standard input" if path == 0 else path
            raise DedupError(f"{out} is one of the inputs ({shown}); writing there would destroy an article, "
                             "choose another output file", str(out))


def _shown(path: Union[str, os.PathLike]) -> str:
    """A path as a message names it: whole, unless it is longer than any path a system takes (then cut, marked)."""
    text = one_line(str(path))
    return text if len(text) <= 240 else text[:239] + "\u2026"


def _write_error(dest: Path, exc: OSError) -> DedupError:
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = "make it writable or choose another place"
    elif exc.errno == errno.ENAMETOOLONG:
        fix = "choose a shorter name"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        fix = "free some space or choose another place"
    else:
        fix = "choose another place"
    return DedupError(f"could not write {_shown(dest)} ({exc.strerror or exc}); {fix} (nothing was replaced)",
                      str(dest))


def _write_through(dest: Path, chunks: Iterable[str]) -> None:
    """Write into a device, FIFO or other special file in place (never replace the node)."""
    try:
        with open(dest, "wb") as fh:
            for chunk in chunks:
                fh.write(encoded(chunk))
    except OSError as exc:
        raise _write_error(dest, exc) from exc


class _Target:
    """Where a file dedup writes goes: ``path`` itself for a special file (written through), else the
    regular file to replace (the one a link points to), with the mode and owner it is to have."""

    def __init__(self, path: PathLike, overwrite: bool = True, executable: bool = False) -> None:
        dest = Path(path)
        try:
            st: Optional[os.stat_result] = os.stat(dest)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise DedupError(f"cannot write {_shown(dest)} ({exc.strerror}); choose another output file",
                             str(dest)) from exc
        if st is None and os.path.islink(dest):
            raise DedupError(f"{_shown(dest)} is a symbolic link to a missing file ({_shown(os.readlink(dest))}); "
                             "remove the link or choose another output file", str(dest))
        self.special = False
        self.owner: Optional[tuple[int, int]] = None
        if st is not None:
            if stat.S_ISDIR(st.st_mode):
                raise DedupError(f"{_shown(dest)} is a folder; give a file name, such as "
                                 f"{_shown(dest / 'dedup.out')}", str(dest))
            if not overwrite:
                raise DedupError(f"{_shown(dest)} already exists (choose another name or remove it first)",
                                 str(dest))
            if not stat.S_ISREG(st.st_mode):
                # A device, FIFO or socket (or a link to one) is opened and written, never replaced.
                self.special, self.path, self.mode = True, dest, 0
                return
            if not st.st_mode & 0o222:
                raise DedupError(f"{_shown(dest)} is read-only; make it writable (chmod u+w) or choose another "
                                 "output file", str(dest))
            # Replace the file a link points to, not the link.
            dest = Path(os.path.realpath(dest))
            self.mode = stat.S_IMODE(st.st_mode)
            self.owner = (st.st_uid, st.st_gid)
        else:
            self.mode = 0o666 & ~_umask()
        if executable:  # a script: runnable by whoever may read it
            self.mode |= (self.mode & 0o444) >> 2
        self.path = dest

    def temporary(self) -> tuple[int, str]:
        """A new temporary file beside the destination, with the destination's mode (and owner, as root)."""
        folder = self.path.parent if str(self.path.parent) else Path(".")
        try:
            fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(self.path), suffix=".tmp", dir=folder)
        except OSError as exc:
            raise DedupError(f"cannot write to {_shown(folder)} ({exc.strerror}); choose a writable folder",
                             str(self.path)) from exc
        os.chmod(tmp, self.mode)
        if self.owner is not None and os.geteuid() == 0:
            try:
                os.chown(tmp, *self.owner)
            except OSError:
                pass
        return fd, tmp


def _temp_prefix(dest: Path) -> str:
    """The start of a temporary name beside ``dest``: ``.NAME.``, the name cut so that the temporary
    name stays within the 255 bytes a file name may have, whatever the length of ``dest``'s."""
    return "." + os.fsdecode(os.fsencode(dest.name)[:200]) + "."


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def atomic_write(path: PathLike, chunks: Iterable[str], *, overwrite: bool = True, executable: bool = False) -> None:
    """Write text to what ``path`` is: a regular file is replaced atomically.

    A regular file (or a symbolic link to one: the file it points to) is
    written to a temporary file beside it and renamed into place, keeping
    the existing file's mode. A device, FIFO or other special file is opened
    and written, never replaced. File names that are not valid UTF-8 are
    written back as the bytes they were read as.

    Args:
        path: destination.
        chunks: text pieces to write, in order.
        overwrite: when False, refuse to replace an existing file.
        executable: give the file execute permission (as the umask allows);
            a device or FIFO written through keeps its own.

    Raises:
        DedupError: the destination exists (and overwrite is False), is a
            folder, a read-only file or a dangling link, or cannot be
            written (no space, file size limit, permissions).
    """
    target = _Target(path, overwrite, executable)
    if target.special:
        _write_through(target.path, chunks)
        return
    fd, tmp = target.temporary()
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(encoded(chunk))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target.path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _write_error(target.path, exc) from exc
        raise


@dataclass(frozen=True)
class Move:
    """One planned move of a duplicate file.

    ``resume`` is True when the target already holds the same bytes (a move
    interrupted after the copy): only the source is left to remove.
    """

    id: str
    source: str
    target: str
    resume: bool = False


def safe_relative(doc_id: str, path: str) -> PurePosixPath:
    """The part of a document id usable under a destination folder: no root, no ``..`` or ``.``."""
    parts = [p for p in PurePosixPath(doc_id.replace(os.sep, "/")).parts if p not in ("/", "..", ".", "")]
    if not parts:
        parts = [Path(path).name]
    return PurePosixPath(*parts)


def _digest(path: PathLike) -> bytes:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.digest()


def same_bytes(a: PathLike, b: PathLike) -> bool:
    """True when two files hold the same bytes."""
    try:
        if os.path.getsize(a) != os.path.getsize(b):
            return False
        return _digest(a) == _digest(b)
    except OSError:
        return False


def _entry(path: PathLike) -> tuple[str, str]:
    """A directory entry, named so that two ways to write it compare equal: (real folder, name)."""
    head, name = os.path.split(os.path.abspath(path))
    return os.path.realpath(head), name


def plan_set_aside(duplicates: Iterable[tuple[str, str, bool]], dest: PathLike,
                   keep: Sequence[str] = (), notes: Optional[list[str]] = None) -> list[Move]:
    """Plan moving duplicate files into ``dest``, keeping their relative paths.

    Args:
        duplicates: ``(id, path, is_file)`` of each duplicate document.
        dest: folder to move them into.
        keep: paths of the files kept; a duplicate that is one of them (the
            same file under another name: a link or the same path given
            twice) is not moved.
        notes: when given, receives one line per duplicate left in place.

    Returns:
        The moves, checked: every target lies inside ``dest``, and none
        exists unless it holds the same bytes as its source (an interrupted
        earlier move, finished by removing the source).

    Raises:
        DedupError: a duplicate is a record inside a JSON file (it cannot be
            moved alone), a target would fall outside ``dest``, or a
            different file already exists at a target.
    """
    root = Path(dest)
    root_real = os.path.realpath(root)
    kept = {k for k in (_file_key(p) for p in keep) if k is not None}
    moves = []
    planned: set[tuple[int, int]] = set()
    targets: set[str] = set()
    for doc_id, path, is_file in duplicates:
        if not is_file:
            suffix = "".join(Path(path).suffixes[-2:] if path.endswith(".gz") else Path(path).suffix)
            out = ("scan standard input apart" if path == "-" else
                   f"leave such files out (--exclude '*{suffix}')" if suffix else f"leave {_shown(path)} out")
            raise DedupError(f"{one_line(doc_id)} is a record in {_shown(path)}, not a file of its own; "
                             f"--move-duplicates moves whole files only: {out} to move the others, or list record "
                             "ids with --duplicates", path)
        key = _file_key(path)
        if key in kept or key in planned:
            if notes is not None:
                notes.append(f"{path}: the same file as a copy kept or already moved (a link or a path given "
                             "twice); left in place")
            continue
        target = root / safe_relative(doc_id, path)
        real = os.path.realpath(target)
        if os.path.commonpath([root_real, real]) != root_real:
            raise DedupError(f"{target} would lie outside {root} (through a link); nothing was moved "
                             "(choose another folder)", str(target))
        if str(target) in targets:
            raise DedupError(f"two duplicates would both go to {target}; nothing was moved "
                             "(scan the folders one at a time)", str(target))
        if _entry(target) == _entry(path):
            # The duplicate is already where it would go (the folder scanned is, or holds, DEST): moving it
            # onto itself would remove it.
            if notes is not None:
                notes.append(f"{path}: already in {root}; left in place")
            continue
        resume = False
        if os.path.lexists(target):
            if key is not None and (_file_key(target) == key or same_bytes(target, path)):
                resume = True
            else:
                raise DedupError(f"{target} already exists and differs from {path}; nothing was moved "
                                 "(empty or change the folder)", str(target))
        if key is not None:
            planned.add(key)
        targets.add(str(target))
        moves.append(Move(doc_id, path, str(target), resume))
    return moves


def move_file(source: PathLike, target: PathLike) -> None:
    """Move one file without ever replacing another or losing the source.

    On one file system the file is hard-linked to the target (which fails
    if the target exists) and then unlinked; otherwise it is copied to a
    temporary file beside the target, synced, compared byte for byte,
    linked into place and only then removed. An interruption leaves either
    the source alone, or the source and an identical target (a later run
    finishes the move), plus at most a hidden temporary file.

    Raises:
        DedupError: the target exists, or the copy failed (the source is
            left where it was).
    """
    src, dst = Path(source), Path(target)
    try:
        os.link(src, dst, follow_symlinks=False)
    except FileExistsError as exc:
        raise DedupError(f"{dst} appeared while moving; {src} was left where it is", str(dst)) from exc
    except OSError:
        _copy_then_link(src, dst)
    try:
        os.unlink(src)
    except OSError as exc:
        raise DedupError(f"copied {src} to {dst} but could not remove it ({exc.strerror}); "
                         "remove it yourself", str(src)) from exc


def _copy_then_link(src: Path, dst: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=_temp_prefix(dst), suffix=".partial", dir=dst.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
            for block in iter(lambda: inp.read(1 << 20), b""):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if not same_bytes(src, tmp):
            raise DedupError(f"the copy of {src} in {dst.parent} does not match it; {src} was left where it is",
                             str(src))
        # Mode and times as the source's (as mv does): --keep newest reads a file's modification time.
        shutil.copystat(src, tmp)
        try:
            os.link(tmp, dst)
        except FileExistsError as exc:
            raise DedupError(f"{dst} appeared while moving; {src} was left where it is", str(dst)) from exc
        except OSError:
            # No hard links on this file system: a rename replaces, so check first.
            if os.path.lexists(dst):
                raise DedupError(f"{dst} appeared while moving; {src} was left where it is", str(dst))
            os.rename(tmp, dst)
    except OSError as exc:
        raise DedupError(f"could not copy {src} to {dst} ({exc.strerror or exc}); {src} was left where it is "
                         "(free some space and run again)", str(src)) from exc
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def set_aside(moves: Iterable[Move]) -> int:
    """Carry out planned moves. Returns the number of files moved (or finished moving)."""
    count = 0
    for mv in moves:
        target = Path(mv.target)
        if mv.resume:
            if not (same_bytes(mv.source, target) or _file_key(mv.source) == _file_key(target)):
                raise DedupError(f"{target} changed while moving; stopped after {count} moves", str(target))
            os.unlink(mv.source)
            count += 1
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DedupError(f"cannot create {_shown(target.parent)} ({exc.strerror}); stopped after {count} moves",
                             str(target)) from exc
        if os.path.lexists(target):
            raise DedupError(f"{target} appeared while moving; stopped after {count} moves", str(target))
        move_file(mv.source, target)
        count += 1
    return count


@contextmanager
def atomic_path(path: Union[str, os.PathLike]) -> Iterator[str]:
    """A temporary file name for a writer that wants a name (pyarrow), put
    where ``path`` is when the block ends without error, removed otherwise.

    As with :func:`atomic_write`: a regular file (or the file a link points
    to) is replaced by renaming, keeping its mode; a device, FIFO or other
    special file is written through (the temporary file's bytes are copied
    into it), never replaced.

    Raises:
        DedupError: the destination is a folder, a read-only file or a
            dangling link, or cannot be written.
    """
    target = _Target(path)
    if target.special:
        fd, tmp = tempfile.mkstemp(prefix="dedup-", suffix=".tmp")
    else:
        fd, tmp = target.temporary()
    os.close(fd)
    try:
        yield tmp
        if target.special:
            try:
                with open(tmp, "rb") as src, open(target.path, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except OSError as exc:
                raise _write_error(target.path, exc) from exc
        else:
            os.replace(tmp, target.path)
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass


#: A file inside every folder dedup writes (a scan report): such a folder may
#: be replaced by the next report; any other existing folder is left alone.
FOLDER_MARKER = ".dedup-report"


# The pages of a report written by a dedup whose marker listed no files.
_REPORT_PAGE = re.compile(r"index\.html|cluster-\d+\.html")


def check_folder_target(path: Union[str, os.PathLike]) -> None:
    """Refuse a destination :func:`write_folder` must not replace.

    Raises:
        DedupError: ``path`` is a file or a link, the folder the command runs
            in, or a non-empty folder that dedup did not write (or whose
            pages someone has since replaced).
    """
    dest = Path(path)
    try:
        dest.lstat()
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):  # a name too long, a folder that cannot be read
            raise DedupError(f"cannot write {_shown(dest)} ({exc.strerror}); choose another place",
                             str(dest)) from exc
    if dest.is_symlink():
        raise DedupError(f"{_shown(dest)} is a symbolic link; a report is a folder of pages: give the folder "
                         f"itself ({_shown(os.path.realpath(dest))}) or a new name", str(dest))
    if dest.exists() and not dest.is_dir():
        raise DedupError(f"{_shown(dest)} exists and is not a folder; a report is a folder of pages (choose a new "
                         "name)", str(dest))
    if not dest.is_dir():
        return
    if dest.name in ("", ".", "..") or os.path.ismount(dest) or dest.resolve() == Path.cwd().resolve():
        raise DedupError(f"{_shown(dest)} cannot be replaced (the current folder, or a mount point); give a "
                         "folder inside it, such as " + _shown(dest / "report"), str(dest))
    marker = dest / FOLDER_MARKER
    try:
        names = [p.name for p in dest.iterdir()]
        if FOLDER_MARKER not in names:
            if names:
                raise DedupError(f"{_shown(dest)} is a folder with files dedup did not write; choose a new or "
                                 "empty folder", str(dest))
            return
        if not stat.S_ISREG(marker.lstat().st_mode):
            raise DedupError(f"{_shown(marker)} is not the file dedup writes; {_shown(dest)} is not a report: "
                             "choose a new or empty folder", str(dest))
        listed = marker.read_text(encoding="utf-8", errors="replace").splitlines()[1:]
    except OSError as exc:
        raise DedupError(f"cannot read {_shown(dest)} ({exc.strerror}); choose another folder", str(dest)) from exc
    # A report dedup wrote is replaced whole: never with a file someone added to it since, nor a page
    # someone replaced (with a folder, a link).
    ours = set(listed) if listed else None  # a marker of an earlier dedup lists no files
    others = sorted(p.name for p in dest.iterdir() if p.name != FOLDER_MARKER and not (
        (p.name in ours if ours is not None else _REPORT_PAGE.fullmatch(p.name)) and stat.S_ISREG(p.lstat().st_mode)))
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise DedupError(f"{_shown(dest)} holds files dedup did not write ({one_line(shown)}); move them out, or "
                         "choose another folder", str(dest))


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
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(dest), suffix=".tmp", dir=parent))
    except OSError as exc:
        raise DedupError(f"cannot write to {_shown(parent)} ({exc.strerror}); choose a writable folder",
                         str(dest)) from exc
    count = 0
    names: list[str] = []
    old: Optional[Path] = None
    try:
        umask = _umask()
        for name, text in files:
            if "/" in name or os.sep in name or name in ("", ".", ".."):
                raise ValueError(f"not a plain file name: {name!r}")
            # A file name that is not valid UTF-8 shows in a page as its bytes' escapes (\\xe9).
            with open(tmp / name, "w", encoding="utf-8", errors="backslashreplace", newline="") as fh:
                fh.write(text)
            os.chmod(tmp / name, 0o666 & ~umask)
            count += 1
            names.append(name)
        # The files written, one a line after the first: the next report replaces these and no others.
        (tmp / FOLDER_MARKER).write_text("written by dedup; the next report into this folder replaces it\n"
                                         + "".join(n + "\n" for n in names), encoding="utf-8",
                                         errors="backslashreplace")
        try:  # an existing folder keeps its permissions (a private one stays private)
            mode = stat.S_IMODE(os.stat(dest).st_mode)
        except OSError:
            mode = 0o777 & ~umask
        os.chmod(tmp, mode)
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=_temp_prefix(dest), suffix=".old", dir=parent))
            os.rename(dest, old / dest.name)
            try:
                os.rename(tmp, dest)
            except OSError:
                os.rename(old / dest.name, dest)  # the old report back where it was
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, dest)
    except OSError as exc:  # a full disk, a quota: one line, as for -o
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not (old / dest.name).exists():
            shutil.rmtree(old, ignore_errors=True)
        raise _write_error(dest, exc) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not (old / dest.name).exists():
            shutil.rmtree(old, ignore_errors=True)
        raise
    return count
