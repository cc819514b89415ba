"""Maturity evidence thresholds (costmark.yaml ``maturity:``), defaults from the FinOps maturity
model's published sample goals. Editable because every organisation sets its own bar.

    maturity:
      allocation_coverage: {crawl: 0.70, walk: 0.85, run: 0.90}   # share of cost with an owner
      commitment_coverage: {crawl: 0.60, walk: 0.75, run: 0.80}
      forecast_variance:   {crawl: 0.20, walk: 0.10, run: 0.05}   # |actual - forecast| / forecast
      anomaly_recovery_days: {walk: 7, run: 2}
      kpis_with_targets: {crawl: 1, walk: 5, run: 10}
      data_freshness_days: {walk: 7, run: 2}

Comparison semantics (documented in README): allocation "crawl" is >= 70%, "walk" >= 85% and
"run" strictly > 90% (the model says "> 90%"); commitment coverage crawl >= 60%, walk > 75%,
run > 80%; forecast variance (absolute) crawl < 20%, walk < 10%, run < 5%.
"""

from __future__ import annotations

from pydantic import model_validator

from costmark.spec.base import Frozen as _Frozen


class HigherIsBetter(_Frozen):
    """Stage thresholds for a share where higher is better (0..1)."""

    crawl: float
    walk: float
    run: float

    @model_validator(mode="after")
    def _ordered(self) -> HigherIsBetter:
        if not (self.crawl <= self.walk <= self.run):
            raise ValueError("thresholds must satisfy crawl <= walk <= run")
        return self


class LowerIsBetter(_Frozen):
    """Stage thresholds for a measure where lower is better."""

    crawl: float
    walk: float
    run: float

    @model_validator(mode="after")
    def _ordered(self) -> LowerIsBetter:
        if not (self.crawl >= self.walk >= self.run):
            raise ValueError("thresholds must satisfy crawl >= walk >= run")
        return self


class DaysThresholds(_Frozen):
    walk: float
    run: float


class CountThresholds(_Frozen):
    crawl: int
    walk: int
    run: int


class MaturitySettings(_Frozen):
    allocation_coverage: HigherIsBetter = HigherIsBetter(crawl=0.70, walk=0.85, run=0.90)
    commitment_coverage: HigherIsBetter = HigherIsBetter(crawl=0.60, walk=0.75, run=0.80)
    forecast_variance: LowerIsBetter = LowerIsBetter(crawl=0.20, walk=0.10, run=0.05)
    anomaly_recovery_days: DaysThresholds = DaysThresholds(walk=7, run=2)
    kpis_with_targets: CountThresholds = CountThresholds(crawl=1, walk=5, run=10)
    data_freshness_days: DaysThresholds = DaysThresholds(walk=7, run=2)
    #: assessments older than this many days mean the practice does not reassess (1-3 months)
    reassess_days: int = 92
