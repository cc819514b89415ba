"""Tracking: KPI series over time, trends, forecasts with stored snapshots, anomalies, budgets.

The analytics here are pure functions over pandas objects in the KPI long format
(``period_start``, by-dimensions, ``currency``, ``value``) so they can be tested on hand-made
series; ``costmark.tracking.service`` wires them to a workspace.
"""

from costmark.tracking.trend import TrendResult, mann_kendall, trend

__all__ = ["TrendResult", "mann_kendall", "trend"]
