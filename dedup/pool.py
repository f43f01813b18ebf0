"""Worker processes for the scan and the index: multiprocessing's pool, forked
where the system can, with its maintenance thread woken only when it has
something to do.

``multiprocessing.pool.Pool`` runs a thread that replaces workers that
exit. It sleeps on the workers' sentinels, on a queue the pool signals
changes on, and on the pipe the results come back through. A result waits
in that pipe until the pool's result thread has read it, and until then the
thread's wait returns at once, again and again: with a batch of results
of some 200 KB each, a 100,000-article scan spent 0.7 CPU seconds in that
loop (out of about 15), on cores the workers need. Nothing the thread does
depends on results arriving (a worker that exits wakes it through its
sentinel; closing, terminating and the last result through the change
queue), so here it does not wait on the results pipe: it waits on what
``multiprocessing.pool.ThreadPool`` already waits on alone, the change
queue, plus the workers' sentinels.

A pool may also have a :class:`Ring`, memory the forked workers share with
the process that made them: bytes put there reach a worker without being
pickled, written into the pipe and read out of it again.
"""

from __future__ import annotations

import mmap
import multiprocessing
import multiprocessing.pool
import os
import signal
import sys
import threading
import time
from collections import deque
from itertools import chain
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Optional, Sequence, TypeVar, Union

Bytes = Union[bytes, memoryview]
_T = TypeVar("_T")


def can_fork() -> bool:
    """Whether worker processes are forked here (then they share memory mapped before the fork)."""
    return "fork" in multiprocessing.get_all_start_methods()


class Pool(multiprocessing.pool.Pool):
    """``multiprocessing.pool.Pool`` whose worker-maintenance thread does not wake for each result."""

    def _get_sentinels(self) -> list[Any]:
        notifier = getattr(self, "_change_notifier", None)
        if notifier is None:  # pragma: no cover - a Python whose pool has no change queue
            return super()._get_sentinels()  # type: ignore[misc]
        return [notifier._reader]


class Slot(NamedTuple):
    """Where :meth:`Ring.put` put some bytes: ``size`` bytes from ``start``."""

    start: int
    size: int


class Ring:
    """Shared memory, used as a ring, that a process hands bytes to the workers it forks in.

    The process :meth:`put` s bytes and sends the :class:`Slot` instead; a
    worker :meth:`read` s them. Slots are freed in the order they were put
    (:meth:`free`), once the worker that read one has answered: the bytes of
    the batches in flight lie one after the other, and a batch that does not
    fit waits for nobody: :meth:`put` says no, and the batch goes through the
    pipe. The memory is an anonymous shared mapping: a process's memory
    counts the pages it has touched, at most the ring's size.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._map = mmap.mmap(-1, size)
        self._used: deque[Slot] = deque()  # oldest first

    def put(self, parts: Sequence[Bytes]) -> Optional[Slot]:
        """The bytes of ``parts``, one after the other, put where no slot in use is; None if they do not fit."""
        size = sum(len(p) for p in parts)
        start = self._place(size)
        if start is None:
            return None
        at = start
        for part in parts:
            self._map[at:at + len(part)] = part
            at += len(part)
        slot = Slot(start, size)
        self._used.append(slot)
        return slot

    def _place(self, size: int) -> Optional[int]:
        if not self._used:
            return 0 if size <= self.size else None
        oldest, newest = self._used[0], self._used[-1]
        end = newest.start + newest.size
        if newest.start >= oldest.start:  # in use: [oldest, end): after it, else from the start
            if end + size <= self.size:
                return end
            return 0 if size <= oldest.start else None
        return end if end + size <= oldest.start else None  # in use: [oldest, size) and [0, end)

    def read(self, slot: tuple[int, int]) -> bytes:
        """The bytes put in ``slot`` (a :class:`Slot`, or its two numbers), in a worker or in the
        process that put them."""
        start, size = slot
        return self._map[start:start + size]

    def free(self, slot: Slot) -> None:
        """Let ``slot``, the oldest in use, be used again."""
        if not self._used or self._used[0] != slot:
            raise ValueError("slots are freed in the order they were put")
        self._used.popleft()


_ring: Optional[Ring] = None


def worker_ring() -> Optional[Ring]:
    """In a worker, the :class:`Ring` of its pool (None in a pool without one, or outside a pool)."""
    return _ring


class WorkerState(threading.local):
    """What a worker keeps between tasks, by name (``state["config"]``), set by its pool's initializer. In
    a worker process it is the process's; where the work runs in the calling process instead, it is the
    calling thread's, so that calls in several threads, each with its own settings, keep them apart."""

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.__dict__[key] = value


# Signals held back while workers are forked (see process_pool).
_HELD = {signal.SIGINT, signal.SIGTERM}


def _die_with_parent(owner: int, thread: int) -> None:
    """Linux: have this process sent SIGTERM when its parent (``owner``) exits, however it exits.

    Only for a worker forked by the thread that made the pool (``thread``): the kernel sends the signal
    when the forking *thread* ends, and the pool's own thread, which forks a worker to replace one that
    died, ends as the pool is terminated, when a worker killed while it holds the task queue's lock
    would hang the pool's terminate."""
    if not sys.platform.startswith("linux") or threading.get_ident() != thread:
        return
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != owner:  # the parent was gone before the request was made
        os._exit(1)


def _start(ring: Optional[Ring], owner: tuple[int, int], initializer: Callable[..., None], initargs: tuple
           ) -> None:
    global _ring
    # Ctrl-C reaches the whole process group: the pool's owner stops the workers (one dying of it
    # mid-task would print a traceback and can hang Pool.terminate). Blocked since the fork, the
    # signal is ignored before it is let through.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM ends a worker at once (the owner's handler, inherited by the fork, would raise in it), and
    # so does its owner's death: a worker left behind would print tracebacks as its pipes break.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(*owner)
    # A signal to the owner's process group (kill -TERM -PGID, a terminal's Ctrl-C) reaches the owner
    # alone, which stops the workers once none is in the middle of sending a result: one killed then
    # would hold the result queue's lock, and Pool.terminate wait for it forever.
    try:
        os.setpgid(0, 0)
    except (OSError, AttributeError):
        pass
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)
    _ring = ring
    initializer(*initargs)


def process_pool(workers: int, initializer: Callable[..., None], initargs: tuple, ring: int = 0) -> Pool:
    """A :class:`Pool` of ``workers`` processes, forked where the system can; when they are forked,
    with a :class:`Ring` of ``ring`` bytes (``pool.ring``, else None).

    Ctrl-C is held back while the workers start: one reaching a worker before it ignores the signal
    printed a traceback, and one stopping this process before the pool was made left the workers
    waiting forever. A Ctrl-C pressed meanwhile arrives once the pool is made, which it then stops."""
    fork = can_fork()
    shared = Ring(ring) if ring and fork else None
    ctx = multiprocessing.get_context("fork" if fork else None)
    masked = hasattr(signal, "pthread_sigmask")
    before = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD) if masked else None
    try:
        owner = (os.getpid(), threading.get_ident())
        pool = Pool(workers, initializer=_start, initargs=(shared, owner, initializer, initargs), context=ctx)
    except BaseException:
        if masked:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)  # type: ignore[arg-type]
        raise
    pool.ring = shared  # type: ignore[attr-defined]
    try:
        if masked:  # a Ctrl-C held back raises here
            signal.pthread_sigmask(signal.SIG_SETMASK, before)  # type: ignore[arg-type]
    except BaseException:
        pool.terminate()
        raise
    return pool


def result_later(task: "multiprocessing.pool.AsyncResult") -> Iterator[Any]:
    """The items of a task's result, waited for when first asked for (so that other work goes on first)."""
    yield from task.get()


def drain(pending: Iterable[tuple[object, object]]) -> None:
    """Stopped early (Ctrl-C, a read error): let the tasks in flight (``(item, AsyncResult or None)``)
    come back before the pool is terminated. A worker still writing a large result into the pipe
    holds the result queue's lock, and Pool.terminate then waits for that lock forever (it hung 2 in
    30 interrupted scans with -j 2)."""
    deadline = time.monotonic() + 10
    for _, res in pending:
        if res is not None:
            res.wait(max(0.0, deadline - time.monotonic()))  # type: ignore[attr-defined]


def workers_for(batches: Iterator[_T], workers: int) -> tuple[Iterator[_T], int]:
    """The batches (unchanged) and how many worker processes to hash them with:
    one when they are a single batch, since starting workers costs more than it saves."""
    if workers <= 1:
        return batches, workers
    first = next(batches, None)
    second = next(batches, None) if first is not None else None
    return chain([b for b in (first, second) if b is not None], batches), workers if second is not None else 1
