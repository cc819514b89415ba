"""ETS fits run on one BLAS thread: the same digits without the thread pool's hand-offs
(several times faster on a busy machine, see ``costmark.tracking.blas``)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from costmark.tracking import blas, forecast
from costmark.tracking.forecast import forecast_values


def _setters() -> list[Callable[[int], int]]:
    import scipy.optimize  # noqa: F401  (loads scipy's OpenBLAS, the one L-BFGS-B calls)

    found = [blas._setter(path) for path in blas._loaded_openblas()]
    setters = [fn for fn in found if fn is not None]
    if not setters:
        pytest.skip("no OpenBLAS with a per-thread setting is loaded here")
    return setters


def _current(fn: Callable[[int], int]) -> int:
    before = fn(1)
    fn(before)
    return before


def _daily(n: int = 60) -> pd.Series:
    rng = np.random.default_rng(3)
    days = pd.date_range("2024-01-01", periods=n, freq="D")
    weekly = 5 * np.sin(np.arange(n) * 2 * np.pi / 7)
    return pd.Series(100 + np.cumsum(rng.normal(size=n)) + weekly, index=days)


def test_one_thread_sets_one_thread_and_restores_the_count() -> None:
    setters = _setters()
    for fn in setters:
        fn(2)
    with blas.one_thread():
        assert [_current(fn) for fn in setters] == [1] * len(setters)
    assert [_current(fn) for fn in setters] == [2] * len(setters)


def test_ets_fits_run_on_one_blas_thread_and_keep_their_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    setters = _setters()
    for fn in setters:
        fn(2)
    with monkeypatch.context() as pool:  # the thread pool's numbers, as before
        pool.setattr(forecast, "one_thread", contextlib.nullcontext)
        before = forecast_values(_daily(), horizon=10, freq="D", season=7)
    seen: list[list[int]] = []
    real = ETSModel.fit

    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append([_current(fn) for fn in setters])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ETSModel, "fit", fit)
    after = forecast_values(_daily(), horizon=10, freq="D", season=7)
    assert seen and all(counts == [1] * len(setters) for counts in seen)
    assert after.method == before.method == "ETS(A,Ad,A) season 7"
    np.testing.assert_array_equal(after.mean, before.mean)
    np.testing.assert_array_equal(after.paths, before.paths)
