"""Where a scan keeps the sets that verification reads: an unnamed temporary
file, appended to while documents are hashed and read back a set at a time."""

from __future__ import annotations

import os
import tempfile
from typing import Optional

import numpy as np

from .errors import DedupError


def _full(exc: OSError) -> DedupError:
    return DedupError(f"could not write the scan's temporary file in {tempfile.gettempdir()} ({exc.strerror or exc}); "
                      "free some space there or point TMPDIR at a folder with room")


class SetStore:
    """Shingle-hash sets of every document, spooled to an unnamed temporary file.

    Sets are appended as raw uint32 in document order; only the offsets stay
    in memory (8 bytes a document), so memory does not grow with the text.
    ``store[i]`` reads one set back with ``os.pread``, which costs a system
    call for the few documents verification and clustering look at, instead
    of keeping every set in RAM or mapping the whole file (whose touched
    pages would count against the process). The file has no name on POSIX
    systems and disappears when the store is closed or the process ends.

    Args:
        directory: where the temporary file goes (default: the system's).

    Example:
        >>> import numpy as np
        >>> with SetStore() as store:
        ...     store.extend(np.array([1, 5, 9, 2], dtype=np.uint32), np.array([3, 1]))
        ...     store[1].tolist()
        [2]
    """

    def __init__(self, directory: Optional[str] = None) -> None:
        self._file = tempfile.TemporaryFile(prefix="dedup-sets-", dir=directory)
        self._lengths: list[np.ndarray] = []
        self._offsets: Optional[np.ndarray] = None
        self._dirty = False

    def __enter__(self) -> "SetStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete the temporary file (what was not written out yet is dropped with it)."""
        try:
            self._file.close()
        except OSError:  # the buffer's last write failed (a full disk): the file is gone all the same
            pass

    def __len__(self) -> int:
        return int(sum(len(x) for x in self._lengths))

    def extend(self, values: np.ndarray, lengths: np.ndarray) -> None:
        """Append the sets of a batch: their concatenated values and their sizes.

        Raises:
            DedupError: the temporary folder is full (or a file size limit is reached).
        """
        try:
            self._file.write(memoryview(np.ascontiguousarray(values, dtype=np.uint32)))
        except OSError as exc:
            raise _full(exc) from exc
        self._lengths.append(np.asarray(lengths, dtype=np.int64))
        self._offsets = None
        self._dirty = True

    def _ready(self) -> np.ndarray:
        """The offsets of the sets, everything written out to the file."""
        if self._dirty:
            try:
                self._file.flush()
            except OSError as exc:
                raise _full(exc) from exc
            self._dirty = False
        if self._offsets is None:
            lengths = np.concatenate(self._lengths) if self._lengths else np.empty(0, np.int64)
            self._lengths = [lengths]
            self._offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
            np.cumsum(lengths, out=self._offsets[1:])
        return self._offsets

    def __getitem__(self, i: int) -> np.ndarray:
        """The sorted uint32 shingle-hash set of document ``i``."""
        offsets = self._ready()
        return self.read(int(offsets[i]), int(offsets[i + 1]))

    def spans(self, rows: np.ndarray) -> np.ndarray:
        """Where the sets of documents ``rows`` lie, as ``(start, stop)`` value offsets, one row each;
        what :meth:`read` takes. Everything appended so far is written out first, so that a process
        forked before the store was filled (it shares the file) can read them too."""
        offsets = self._ready()
        rows = np.asarray(rows, dtype=np.int64)
        return np.stack([offsets[rows], offsets[rows + 1]], axis=1)

    def read(self, start: int, stop: int) -> np.ndarray:
        """The values from offset ``start`` to ``stop`` (a set's span: :meth:`spans`)."""
        data = os.pread(self._file.fileno(), 4 * (stop - start), 4 * start)
        return np.frombuffer(data, dtype=np.uint32)


class Rows:
    """A uint32 array of ``width`` columns that grows a block of rows at a time.

    Growing resizes the array in place (``realloc``; for a large array the
    system remaps its pages instead of copying them), so the rows are never
    held twice: a scan's signatures take their own size at their peak, not
    twice it as batches stacked at the end would.

    Example:
        >>> rows = Rows(2)
        >>> rows.append(np.array([[1, 2], [3, 4]], dtype=np.uint32))
        >>> rows.append(np.array([[5, 6]], dtype=np.uint32))
        >>> rows.array().tolist()
        [[1, 2], [3, 4], [5, 6]]
    """

    def __init__(self, width: int, capacity: int = 4096) -> None:
        self.width = width
        self._data = np.empty((capacity, width), dtype=np.uint32)
        self._n = 0

    def __len__(self) -> int:
        return self._n

    def append(self, block: np.ndarray) -> None:
        """Add rows at the end."""
        need = self._n + len(block)
        if need > len(self._data):
            self._data.resize((max(need, 2 * len(self._data)), self.width), refcheck=False)
        self._data[self._n:need] = block
        self._n = need

    def array(self) -> np.ndarray:
        """The rows as one (n, width) array, trimmed to its rows in place (no rows can be added after)."""
        self._data.resize((self._n, self.width), refcheck=False)
        return self._data


def set_sums(values: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Per set of concatenated sets, the sum of its values (uint64): what tells a set read twice
    apart from another one.

    Example:
        >>> set_sums(np.array([1, 2, 7], dtype=np.uint32), np.array([2, 0, 1])).tolist()
        [3, 0, 7]
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    sums = np.zeros(len(lengths), dtype=np.uint64)
    filled = lengths > 0
    if filled.any():
        starts = (np.cumsum(lengths) - lengths)[filled]
        sums[filled] = np.add.reduceat(np.asarray(values, dtype=np.uint64), starts)
    return sums


class PickedSets:
    """The sets of some documents only, by document index: ``sets[k]`` holds
    the set of document ``indices[k]``.

    What a scan that reads its input twice keeps: the sets of the documents
    verification looks at (those in candidate pairs), hashed again on the
    second reading, in document order.

    Example:
        >>> with SetStore() as store:
        ...     store.extend(np.array([4, 7, 8], dtype=np.uint32), np.array([1, 2]))
        ...     picked = PickedSets(store, np.array([3, 10]))
        ...     picked[10].tolist()
        [7, 8]
    """

    def __init__(self, sets: SetStore, indices: np.ndarray) -> None:
        self.sets = sets
        self.indices = np.asarray(indices, dtype=np.int64)
        # Verification looks documents up one at a time: a dict does it in a tenth of a searchsorted.
        self._at = dict(zip(self.indices.tolist(), range(len(self.indices))))

    def __getitem__(self, i: int) -> np.ndarray:
        return self.sets[self.position(i)]

    def position(self, i: int) -> int:
        """Where document ``i``'s set is in the store."""
        k = self._at.get(i)
        if k is None:
            raise KeyError(f"document {i} was not read again (it is in no candidate pair)")
        return k


def stack_signatures(chunks: list[np.ndarray], num_perm: int) -> np.ndarray:
    """Concatenate signature batches, releasing each as it is copied (peak: one copy plus a batch)."""
    out = np.empty((sum(len(c) for c in chunks), num_perm), dtype=np.uint32)
    row = 0
    chunks.reverse()
    while chunks:
        c = chunks.pop()
        out[row : row + len(c)] = c
        row += len(c)
    return out
