"""Robust trend: Theil–Sen slope with a Mann–Kendall significance test.

Why both: Theil–Sen (the median of pairwise slopes) is not dragged by one spike the way a
least-squares slope is, and Mann–Kendall tells whether the series rises or falls more often than
chance would. A trend is only called "rising" or "falling" when Mann–Kendall's p-value is under
``alpha``; otherwise we say "no significant trend" rather than read tea leaves.

Cost series are autocorrelated (this month looks like last month), which makes plain
Mann–Kendall see trends in wandering noise. By default the variance of S is corrected for the
significant autocorrelation of the detrended ranks (Hamed & Rao, 1998, J. Hydrology 204).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats

#: Fewest points a trend is reported on. With 4 points Mann–Kendall cannot reach p < 0.05
#: even for a perfectly monotone series (S = 6, Var(S) = 8.67, p = 0.09), so a "trend" from
#: fewer than 5 points is a slope with no test behind it: "insufficient data" instead.
MIN_POINTS = 5
_NORMAL = statistics.NormalDist()


def _norm_sf(z: float) -> float:
    """Standard normal upper tail (scipy.stats.norm.sf without its per-call overhead)."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def _repeat_counts(values: np.ndarray) -> np.ndarray:
    """Sizes of the groups of equal values that have more than one member."""
    _, counts = np.unique(values, return_counts=True)
    return counts[counts > 1].astype(float)


def theil_sen(y: np.ndarray, x: np.ndarray, alpha: float = 0.95
              ) -> tuple[float, float, float, float]:
    """(slope, intercept, low slope, high slope): scipy.stats.theilslopes (method 'separate',
    Sen 1968 confidence band) computed the same way without scipy's argument-checking wrapper,
    which costs ~0.5 ms a call, more than the arithmetic; tracking runs it for every series of
    every KPI. Tests compare the two on random and tied series."""
    deltax = x[:, None] - x
    deltay = y[:, None] - y
    positive = deltax > 0
    slopes = np.sort(deltay[positive] / deltax[positive])
    slope = float(np.median(slopes))
    intercept = float(np.median(y) - slope * np.median(x))
    if alpha > 0.5:
        alpha = 1.0 - alpha
    z = _NORMAL.inv_cdf(alpha / 2.0)
    nt, ny = len(slopes), len(y)
    reps = [*_repeat_counts(x), *_repeat_counts(y)]
    sigsq = (ny * (ny - 1) * (2 * ny + 5) - sum(k * (k - 1) * (2 * k + 5) for k in reps)) / 18.0
    if sigsq < 0 or nt == 0:
        return slope, intercept, math.nan, math.nan
    sigma = math.sqrt(sigsq)
    upper = min(int(np.round((nt - z * sigma) / 2.0)), nt - 1)
    lower = max(int(np.round((nt + z * sigma) / 2.0)) - 1, 0)
    return slope, intercept, float(slopes[lower]), float(slopes[upper])


@dataclass(frozen=True)
class MannKendall:
    s: int
    var_s: float
    z: float
    p_value: float
    tau: float


def mann_kendall(
    values: Sequence[float] | np.ndarray, *, autocorrelation: bool = False, alpha: float = 0.05
) -> MannKendall:
    """Two-sided Mann–Kendall test with the tie correction of the variance.

    S = Σ_{i<j} sign(x_j − x_i); Var(S) = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18 over groups of
    tied values; Z = (S − sign(S)) / √Var(S) (continuity correction); p = 2·(1 − Φ(|Z|)).
    NaNs are dropped first (a missing period is not evidence either way). With
    ``autocorrelation`` Var(S) is multiplied by Hamed & Rao's n/n*.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 2:
        return MannKendall(0, 0.0, 0.0, 1.0, 0.0)
    diff = x[None, :] - x[:, None]
    s = int(np.sign(diff[np.triu_indices(n, k=1)]).sum())
    ties = _repeat_counts(x)
    var_s = (n * (n - 1) * (2 * n + 5) - float((ties * (ties - 1) * (2 * ties + 5)).sum())) / 18.0
    if autocorrelation and n >= 3:
        var_s *= hamed_rao_factor(x, alpha=alpha)
    if var_s <= 0:
        return MannKendall(s, 0.0, 0.0, 1.0, 0.0)
    z = (s - math.copysign(1, s)) / math.sqrt(var_s) if s != 0 else 0.0
    p = float(2 * _norm_sf(abs(z)))
    tau = s / (n * (n - 1) / 2)
    return MannKendall(s, float(var_s), float(z), p, float(tau))


def hamed_rao_factor(x: np.ndarray, *, alpha: float = 0.05) -> float:
    """n/n* = 1 + 2/(n(n−1)(n−2)) · Σ_k (n−k)(n−k−1)(n−k−2) ρ_k over the lags k whose rank
    autocorrelation ρ_k of the Sen-detrended series is significant (|ρ_k| > z_{1−α/2}/√n),
    floored at 1 (the correction is used to be more careful, never less)."""
    n = len(x)
    slope = theil_sen(x, np.arange(n, dtype=float))[0]
    ranks = stats.rankdata(x - slope * np.arange(1, n + 1))
    y = ranks - ranks.mean()
    acov = np.correlate(y, y, "full")[n - 1 :] / n
    if acov[0] == 0:
        return 1.0
    acf = acov / acov[0]
    bound = _NORMAL.inv_cdf(1 - alpha / 2) / math.sqrt(n)
    k = np.arange(1, n)
    significant = np.abs(acf[1:]) > bound
    total = float(((n - k) * (n - k - 1) * (n - k - 2) * acf[1:])[significant].sum())
    factor = 1 + 2 / (n * (n - 1) * (n - 2)) * total
    # only ever widen: a chance negative autocorrelation must not make a claim easier
    return max(factor, 1.0)


@dataclass(frozen=True)
class TrendResult:
    """Trend of one series. ``slope`` is per period (per step of the series' grain)."""

    n: int
    slope: float | None
    slope_low: float | None
    slope_high: float | None
    intercept: float | None
    slope_pct: float | None  # slope relative to the series' mean absolute level
    mk_z: float | None
    p_value: float | None
    direction: str  # rising | falling | no significant trend | insufficient data
    alpha: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def trend(
    values: Sequence[float] | np.ndarray, *, alpha: float = 0.05, autocorrelation: bool = True
) -> TrendResult:
    """Theil–Sen slope (with its 1−alpha confidence band) and Mann–Kendall direction.

    ``values`` are equally spaced in time; NaNs (missing periods) keep their position so the
    slope stays per calendar period. ``autocorrelation`` applies Hamed & Rao's correction.
    """
    y = np.asarray(values, dtype=float)
    x = np.arange(len(y), dtype=float)
    keep = ~np.isnan(y)
    x, y = x[keep], y[keep]
    n = len(y)
    if n < MIN_POINTS:
        return TrendResult(n, None, None, None, None, None, None, None, "insufficient data", alpha)
    slope, intercept, low, high = theil_sen(y, x, alpha=1 - alpha)
    mk = mann_kendall(y, autocorrelation=autocorrelation, alpha=alpha)
    level = float(np.mean(np.abs(y)))
    slope_pct = float(slope / level) if level > 0 else None
    if mk.p_value < alpha and mk.s != 0:
        direction = "rising" if mk.s > 0 else "falling"
    else:
        direction = "no significant trend"
    return TrendResult(
        n=n,
        slope=float(slope),
        slope_low=float(low),
        slope_high=float(high),
        intercept=float(intercept),
        slope_pct=slope_pct,
        mk_z=mk.z,
        p_value=mk.p_value,
        direction=direction,
        alpha=alpha,
    )


def assess(direction: str, kpi_direction: str | None) -> str | None:
    """Whether a significant trend is good news for a KPI whose better direction is given."""
    if direction not in ("rising", "falling") or kpi_direction not in ("higher", "lower"):
        return None
    good = (direction == "rising") == (kpi_direction == "higher")
    return "improving" if good else "worsening"
