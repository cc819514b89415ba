"""The dashboard's Plotly figures: the report's charts (``costmark.reports.charts``) with
unit-aware axes, target lines, cohort medians and anomaly markers.

Why here: a ratio KPI needs a % axis and no "(USD)" in its title, a money axis names its
currency, and a FinOps chart without its target is half a chart. Figures are plain dicts,
serialised into the page and drawn by plotly.js."""

from __future__ import annotations

from typing import Any

from costmark.present.units import RATIO_WORDS as RATIO_UNITS
from costmark.reports import charts

TARGET_COLOUR = "#2e7d32"
MEDIAN_COLOUR = "#6a1b9a"
ANOMALY_COLOUR = "#c62828"


def is_money(unit: str | None) -> bool:
    return str(unit or "").startswith("currency")


def axis(unit: str | None, currency: str | None) -> dict[str, Any]:
    """A y axis for ``unit``: percentages for ratios, the currency on money (compact ticks)."""
    if unit in RATIO_UNITS:
        return {"tickformat": ".0%", "rangemode": "tozero"}
    if is_money(unit):
        per = str(unit)[len("currency"):]
        suffix = f" {currency or ''}{per}".rstrip()
        return {"tickformat": "~s" if not per else "~g", "ticksuffix": suffix,
                "rangemode": "tozero"}
    return {}


def title(name: str, unit: str | None, currency: str | None) -> str:
    """A chart title: the currency only where values are money (never "ESR (USD)")."""
    return f"{name} ({currency})" if is_money(unit) and currency else name


def _layout(fig: dict[str, Any], name: str, unit: str | None, currency: str | None) -> None:
    fig["layout"] = {**fig["layout"], "title": {"text": title(name, unit, currency)},
                     "yaxis": axis(unit, currency), "xaxis": {"type": "date"},
                     "margin": {"l": 60, "r": 16, "t": 40, "b": 40}}


def trend(
    chart: dict[str, Any], name: str, unit: str | None, *,
    target: Any = None, anomalies: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Actuals, forecast band, the target as a dotted line across the chart, and anomalies as
    markers on the actual line (hover: expected, actual, drivers)."""
    currency = chart.get("currency")
    fig = charts.trend_figure({**chart, "currency": None}, title=name)
    _layout(fig, name, unit, currency)
    xs = [p["period_start"] for p in chart.get("points", [])]
    xs += [p["period_start"] for p in chart.get("forecast") or []]
    if target is not None and xs:
        fig["data"].append({"type": "scatter", "mode": "lines", "name": "target",
                            "x": [min(xs), max(xs)], "y": [target, target],
                            "line": {"dash": "dot", "color": TARGET_COLOUR, "width": 2}})
    if anomalies:
        fig["data"].append({
            "type": "scatter", "mode": "markers", "name": "anomaly",
            "x": [a["x"] for a in anomalies], "y": [a["y"] for a in anomalies],
            "text": [a.get("text", "") for a in anomalies], "hoverinfo": "x+y+text",
            "marker": {"color": ANOMALY_COLOUR, "size": 12, "symbol": "x"},
        })
    return fig


def drill(rows: list[dict[str, Any]], dim: str, name: str, unit: str | None,
          period: Any) -> dict[str, Any]:
    """The drill-down's bars for one period, one trace per currency, on a unit axis."""
    currency = next((r.get("currency") for r in rows if r.get("currency")), None)
    named = [{**r, dim: "(none)" if r.get(dim) is None else r.get(dim)} for r in rows]
    fig = charts.grouped_bar_figure(named, dim, f"{name} by {dim} ({period})")
    fig["layout"] = {**fig["layout"], "yaxis": axis(unit, currency),
                     "xaxis": {"automargin": True}, "margin": {"l": 60, "r": 16, "t": 40,
                                                               "b": 40}}
    return fig


def overview_figures(data: dict[str, Any]) -> dict[str, Any]:
    """The overview's trend charts, titled and scaled by each KPI's unit and target."""
    rows = data["sections"].get("scorecard", {}).get("rows") or []
    meta = {r["kpi"]: r for r in rows}
    figs: dict[str, Any] = {}
    for i, chart in enumerate(data["sections"].get("trends", {}).get("charts", [])):
        info = meta.get(chart["kpi"], {})
        target = next((r.get("target") for r in rows if r["kpi"] == chart["kpi"]
                       and r.get("currency") == chart.get("currency")), None)
        figs[f"trend-{i}"] = trend(chart, str(info.get("title") or chart["kpi"]),
                                   info.get("unit"), target=target)
    return figs


def league(table: dict[str, Any], dim: str, unit: str | None, target: Any = None) -> dict[str, Any]:
    """One league table as horizontal bars (best first), with the cohort median and the
    target as vertical lines."""
    rows = table["rows"]
    currency = next((r.get("currency") for r in rows if r.get("currency")), None)
    names = [str(r.get(dim)) for r in rows]
    data: list[dict[str, Any]] = [{
        "type": "bar", "orientation": "h", "name": "value",
        "y": names, "x": [r.get("value") for r in rows],
        "customdata": [[r.get("rank"), r.get("cohort")] for r in rows],
        "hovertemplate": "%{y}: %{x}<br>rank %{customdata[0]} in %{customdata[1]}<extra></extra>",
    }]
    span = [names[0], names[-1]] if names else []
    medians = {r.get("cohort_median") for r in rows if r.get("cohort_median") is not None}
    if medians:
        median = sorted(medians)[len(medians) // 2]
        data.append({"type": "scatter", "mode": "lines", "name": "cohort median",
                     "x": [median, median], "y": span,
                     "line": {"dash": "dash", "color": MEDIAN_COLOUR, "width": 2}})
    if target is not None:
        data.append({"type": "scatter", "mode": "lines", "name": "target",
                     "x": [target, target], "y": span,
                     "line": {"dash": "dot", "color": TARGET_COLOUR, "width": 2}})
    ax = axis(unit, currency)
    return {
        "data": data,
        "layout": {
            "title": {"text": title(str(table.get("title") or table["dimension"]), unit,
                                    currency)},
            "height": max(220, 60 + 28 * len(rows)), "margin": {"l": 110, "r": 16, "t": 40,
                                                                  "b": 40},
            "xaxis": ax, "yaxis": {"autorange": "reversed", "automargin": True},
            "hovermode": "closest", "legend": {"orientation": "h"}, "showlegend": True,
        },
    }


def _drivers(value: Any) -> str:
    """Drivers for a hover label: the detector's summary text, or a list of them joined."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def anomaly_timeline(
    rows: list[dict[str, Any]], currency: str | None, span: tuple[Any, Any] | None = None
) -> dict[str, Any]:
    """Anomalies over time: each a marker at its first day, as high as its dollar impact
    (actual minus expected; drops below zero), hover naming the drivers. ``span`` fixes the
    time axis to the history shown, so one anomaly is not stretched across the chart."""
    data = []
    for direction, colour in (("up", ANOMALY_COLOUR), ("down", TARGET_COLOUR)):
        picked = [r for r in rows if (r.get("direction") or "up") == direction]
        if not picked:
            continue
        data.append({
            "type": "scatter", "mode": "markers",
            "name": "spike" if direction == "up" else "drop",
            "x": [r.get("start") for r in picked], "y": [r.get("delta") for r in picked],
            "text": [_drivers(r.get("drivers")) for r in picked],
            "hovertemplate": "%{x}: %{y}<br>%{text}<extra></extra>",
            "marker": {"color": colour, "size": 13, "symbol": "diamond"},
        })
    xaxis: dict[str, Any] = {"type": "date"}
    if span is not None:
        xaxis["range"] = [span[0], span[1]]
    return {
        "data": data,
        "layout": {
            "title": {"text": title("Anomaly impact", "currency", currency)},
            "height": 300, "margin": {"l": 60, "r": 16, "t": 40, "b": 40},
            "xaxis": xaxis, "yaxis": {**axis("currency", currency), "rangemode": "normal",
                                      "zeroline": True},
            "hovermode": "closest", "legend": {"orientation": "h"},
        },
    }
