from __future__ import annotations

import math

import numpy as np
import pytest

from costmark.tracking.trend import assess, mann_kendall, trend


def test_mann_kendall_by_hand() -> None:
    # S = 10 (all 10 pairs rise); Var(S) = 5·4·15/18; Z = (10 − 1)/√Var
    mk = mann_kendall([1, 2, 3, 4, 5])
    assert mk.s == 10
    assert mk.var_s == pytest.approx(300 / 18)
    assert mk.z == pytest.approx(9 / math.sqrt(300 / 18))
    assert mk.p_value == pytest.approx(0.02745, abs=1e-4)


def test_mann_kendall_tie_correction() -> None:
    # pairs: (1,1)=0 and five rises -> S = 5; Var = (4·3·13 − 2·1·9)/18 for one tie of two
    mk = mann_kendall([1, 1, 2, 3])
    assert mk.s == 5
    assert mk.var_s == pytest.approx((156 - 18) / 18)


def test_clean_linear_trend_is_recovered_and_significant() -> None:
    rng = np.random.default_rng(7)
    y = 5 + 2.0 * np.arange(24) + rng.normal(0, 0.5, 24)
    result = trend(y)
    assert result.slope == pytest.approx(2.0, abs=0.05)
    assert result.slope_low is not None and result.slope_high is not None
    assert result.slope_low <= 2.0 <= result.slope_high
    assert result.direction == "rising"
    assert result.p_value is not None and result.p_value < 1e-6
    falling = trend(100 - 3.0 * np.arange(12))
    assert falling.slope == pytest.approx(-3.0)
    assert falling.direction == "falling"


def test_flat_noisy_series_claims_no_trend() -> None:
    rng = np.random.default_rng(11)
    y = 50 + rng.normal(0, 5, 36)
    assert trend(y).direction == "no significant trend"
    # and the test is calibrated: about alpha of pure-noise series look significant
    claims = sum(
        trend(100 + np.random.default_rng(s).normal(0, 5, 30)).direction != "no significant trend"
        for s in range(200)
    )
    assert claims <= 20  # 5% expected; 10% allows for chance


def test_theil_sen_ignores_one_spike() -> None:
    y = np.arange(20, dtype=float)
    y[10] = 500.0
    assert trend(y).slope == pytest.approx(1.0)


def test_short_and_missing() -> None:
    assert trend([1.0, 2.0, 3.0]).direction == "insufficient data"
    # four points can never pass Mann-Kendall at 5%: no slope is reported from them
    four = trend([1.0, 2.0, 3.0, 4.0])
    assert four.direction == "insufficient data" and four.slope is None
    assert trend([1.0, 2.0, 3.0, 4.0, 5.0]).direction == "rising"
    y = np.array([1.0, np.nan, 3.0, 4.0, 5.0, 6.0])
    assert trend(y).slope == pytest.approx(1.0)  # the gap keeps its place in time


@pytest.mark.parametrize(
    ("direction", "kpi", "expected"),
    [
        ("rising", "higher", "improving"),
        ("rising", "lower", "worsening"),
        ("falling", "lower", "improving"),
        ("no significant trend", "lower", None),
        ("rising", "none", None),
    ],
)
def test_assess(direction: str, kpi: str, expected: str | None) -> None:
    assert assess(direction, kpi) == expected


def test_hamed_rao_leaves_independent_noise_alone_and_tames_autocorrelation() -> None:
    from costmark.tracking.trend import hamed_rao_factor

    iid = np.random.default_rng(3).normal(0, 1, 60)
    assert 1.0 <= hamed_rao_factor(iid) <= 1.35

    def ar1(seed: int, n: int = 60, phi: float = 0.85) -> np.ndarray:
        rng = np.random.default_rng(seed)
        x = np.zeros(n)
        for i in range(1, n):
            x[i] = phi * x[i - 1] + rng.normal()
        return x

    plain = sum(trend(ar1(s), autocorrelation=False).direction != "no significant trend"
                for s in range(100))  # fmt: skip
    corrected = sum(trend(ar1(s)).direction != "no significant trend" for s in range(100))
    assert corrected < plain  # wandering noise is claimed as a trend less often
    # a genuine trend survives the correction
    y = 5 + 2.0 * np.arange(24) + np.random.default_rng(7).normal(0, 0.5, 24)
    assert trend(y).direction == "rising"


@pytest.mark.parametrize("seed", range(40))
def test_theil_sen_equals_scipy(seed: int) -> None:
    """Our Theil–Sen (no scipy wrapper) gives scipy.stats.theilslopes' numbers exactly, on
    random series of every length tracking sees, with ties in y and in x."""
    from scipy import stats

    from costmark.tracking.trend import theil_sen

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 40))
    y = rng.normal(100, 20, n)
    if seed % 3 == 0:
        y = np.round(y / 10) * 10  # many ties
    x = np.arange(n, dtype=float)
    if seed % 4 == 0:
        x = np.sort(rng.integers(0, n, n)).astype(float)  # tied x (gaps and repeats)
    alpha = 0.95 if seed % 2 else 0.9
    ours = theil_sen(y.copy(), x.copy(), alpha=alpha)
    if not (x[:, None] - x > 0).any():
        return
    theirs = stats.theilslopes(y, x, alpha=alpha)
    for a, b in zip(ours, theirs, strict=True):
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(float(b), rel=1e-12,
                                                                        abs=1e-12)
