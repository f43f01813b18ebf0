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
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.pool
from typing import Any, Callable


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


def process_pool(workers: int, initializer: Callable[..., None], initargs: tuple) -> Pool:
    """A :class:`Pool` of ``workers`` processes, forked where the system can."""
    ctx = multiprocessing.get_context("fork" if can_fork() else None)
    return Pool(workers, initializer=initializer, initargs=initargs, context=ctx)
