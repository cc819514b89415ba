"""Every dashboard page, in navigation order."""

from __future__ import annotations

from costmark.web.pages import (
    Page,
    alerts,
    anomalies,
    benchmarks,
    data,
    iterations,
    kpi,
    maturity,
    overview,
)

PAGES: tuple[Page, ...] = (
    overview.PAGE,
    kpi.PAGE,
    benchmarks.PAGE,
    anomalies.PAGE,
    maturity.PAGE,
    iterations.PAGE,
    data.PAGE,
    alerts.PAGE,
)
