"""The worker pool: its maintenance thread stays asleep while results come back."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from dedup.pool import can_fork, process_pool


def _result(i: int) -> list[bytes]:
    return [bytes(1000) for _ in range(300)]  # some 300 KB pickled, as a batch of signatures and sets


def _nothing() -> None:
    pass


def _thread_cpu(native_id: int) -> float:
    fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _handler_cpu(pool: multiprocessing.pool.Pool, tasks: int) -> float:
    with pool:
        for res in [pool.apply_async(_result, (i,)) for i in range(tasks)]:
            assert len(res.get()) == 300
        return _thread_cpu(pool._worker_handler.native_id)  # type: ignore[attr-defined]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or not can_fork(), reason="needs /proc and fork")
def test_the_maintenance_thread_does_not_spin_while_results_come_back() -> None:
    """multiprocessing's own pool wakes its worker-maintenance thread for every result waiting in the
    pipe, where it spins until the result thread has read it; the scan's pool does not."""
    stock = _handler_cpu(multiprocessing.get_context("fork").Pool(2), 1500)
    if stock < 0.1:
        pytest.skip(f"multiprocessing's pool spun only {stock:.2f} CPU s here: nothing to compare")
    ours = _handler_cpu(process_pool(2, _nothing, ()), 1500)
    assert ours <= 0.03, (stock, ours)


def test_the_pool_still_replaces_a_worker_that_exits() -> None:
    """A worker that dies is replaced (its sentinel wakes the thread), and the pool goes on."""
    with process_pool(2, _nothing, ()) as pool:
        before = {p.pid for p in pool._pool}  # type: ignore[attr-defined]
        pool.apply_async(os._exit, (0,))  # that task never reports back; its worker is gone
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            now = {p.pid for p in pool._pool if p.is_alive()}  # type: ignore[attr-defined]
            if len(now) == 2 and now != before:
                break
            time.sleep(0.01)
        assert len(now) == 2 and len(now & before) == 1, (before, now)  # one worker replaced
        assert {pool.apply_async(os.getpid).get(timeout=10) for _ in range(20)} <= now
