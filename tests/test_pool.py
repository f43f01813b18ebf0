"""The worker pool: its maintenance thread stays asleep while results come back."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest

from dedup.pool import Ring, Slot, can_fork, process_pool, worker_ring


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


def test_the_ring_puts_slots_one_after_the_other_and_wraps_around() -> None:
    ring = Ring(10)
    a = ring.put([b"abc", memoryview(b"xde")[1:]])
    b = ring.put([b"fgh"])
    assert (a, b) == (Slot(0, 5), Slot(5, 3)) and ring.read(a) == b"abcde" and ring.read(b) == b"fgh"
    assert ring.put([b"ijk"]) is None  # not after the last (8 + 3 > 10), nor before the first, in use
    with pytest.raises(ValueError, match="order"):
        ring.free(b)
    ring.free(a)
    c = ring.put([b"ijk"])
    assert c == Slot(0, 3) and ring.read(c) == b"ijk"  # around, before the oldest (at 5)
    d = ring.put([b"lm"])
    assert d == Slot(3, 2) and ring.put([b"n"]) is None  # between the newest and the oldest: full
    ring.free(b)
    ring.free(c)
    ring.free(d)
    assert ring.put([bytes(10)]) == Slot(0, 10)  # empty again: from the start
    assert Ring(4).put([bytes(5)]) is None  # larger than the ring


def _read_slot(slot: tuple) -> bytes:
    ring = worker_ring()
    assert ring is not None
    return ring.read(slot)


@pytest.mark.skipif(not can_fork(), reason="the ring is shared with forked workers only")
def test_workers_read_what_the_pool_puts_in_its_ring() -> None:
    with process_pool(2, _nothing, (), ring=1 << 16) as pool:
        ring = pool.ring  # type: ignore[attr-defined]
        for k in range(200):  # around the ring many times, each slot freed once its worker answered
            data = os.urandom(1000 + k)
            slot = ring.put([data[:10], data[10:]])
            assert pool.apply_async(_read_slot, (slot,)).get(timeout=10) == data
            ring.free(slot)
    with process_pool(1, _nothing, ()) as pool:
        assert pool.ring is None  # type: ignore[attr-defined]


def _signals() -> tuple:
    """What a worker does with Ctrl-C: its handler, and whether the signal is blocked."""
    import signal

    return signal.getsignal(signal.SIGINT), signal.SIGINT in signal.pthread_sigmask(signal.SIG_BLOCK, [])


@pytest.mark.skipif(not hasattr(__import__("signal"), "pthread_sigmask"), reason="POSIX signal masks")
def test_ctrl_c_while_the_workers_start_stops_the_pool(monkeypatch):
    import signal

    import dedup.pool

    made = []

    class Interrupted(dedup.pool.Pool):
        def __init__(self, *args, **kwargs):
            # Ctrl-C as the workers are forked, to this thread (others of the test process may not hold it back)
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(dedup.pool, "Pool", Interrupted)
    with pytest.raises(KeyboardInterrupt):
        process_pool(2, _nothing, ())
    # It arrived once the pool was made, which it terminated: no worker is left waiting.
    assert made and made[0]._state == "TERMINATE"
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not multiprocessing.active_children()
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # let through here again
    monkeypatch.undo()
    with process_pool(2, _nothing, ()) as pool:
        # The workers ignore it (their owner stops them) and no longer hold it back.
        assert pool.apply(_signals) == (signal.SIG_IGN, False)
