"""The page cache computes a page once for everyone who asks at the same time."""

from __future__ import annotations

import threading
import time

import pytest

from costmark.web.pagecache import PageCache


def test_concurrent_misses_compute_once() -> None:
    cache = PageCache()
    calls: list[int] = []
    started = threading.Event()

    def slow() -> dict[str, int]:
        calls.append(1)
        started.set()
        time.sleep(0.2)
        return {"value": 42}

    results: list[dict[str, int]] = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_compute("k", slow)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1]
    assert results == [{"value": 42}] * 8
    assert cache.get_or_compute("k", slow) == {"value": 42}
    assert calls == [1]


def test_a_failed_computation_is_not_cached() -> None:
    cache = PageCache()

    def broken() -> None:
        raise RuntimeError("warehouse busy")

    with pytest.raises(RuntimeError):
        cache.get_or_compute("k", broken)
    assert cache.get_or_compute("k", lambda: "ok") == "ok"


def test_different_keys_do_not_wait_for_each_other() -> None:
    cache = PageCache()
    release = threading.Event()

    def blocked() -> str:
        release.wait(5)
        return "slow"

    t = threading.Thread(target=lambda: cache.get_or_compute("a", blocked))
    t.start()
    started = time.perf_counter()
    assert cache.get_or_compute("b", lambda: "fast") == "fast"
    assert time.perf_counter() - started < 1
    release.set()
    t.join()
