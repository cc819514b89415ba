"""Plotly figures as plain dicts, shared by the HTML report and the web pages.

Why dicts and not ``plotly.graph_objects``: the figures are serialised into the page as JSON
and drawn by plotly.js; building dicts keeps that step explicit and fast.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup

from costmark.present.records import to_jsonable

_LAYOUT = {
    "margin": {"l": 50, "r": 20, "t": 40, "b": 40},
    "height": 320,
    "hovermode": "x unified",
    "legend": {"orientation": "h"},
}


def plotly_js_path() -> Path:
    """plotly.min.js as shipped inside the plotly Python package (works offline)."""
    return Path(str(resources.files("plotly").joinpath("package_data/plotly.min.js")))


def script_json(data: Any) -> Markup:
    """JSON safe inside ``<script type="application/json">``: no ``</script>``, no ``<!--``,
    no raw line separators, whatever tag values contain."""
    text = json.dumps(to_jsonable(data), ensure_ascii=False)
    for raw, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, esc)
    return Markup(text)


def trend_figure(chart: dict[str, Any], title: str | None = None) -> dict[str, Any]:
    """Actual values as a line, forecast as a dashed line inside a shaded band."""
    xs = [p["period_start"] for p in chart["points"]]
    ys = [p["value"] for p in chart["points"]]
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines+markers", "name": "actual", "x": xs, "y": ys}
    ]
    fc = chart.get("forecast") or []
    if fc:
        fx = [p["period_start"] for p in fc]
        if all(p.get("upper") is not None and p.get("lower") is not None for p in fc):
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": "upper",
                    "x": fx,
                    "y": [p["upper"] for p in fc],
                    "line": {"width": 0},
                    "showlegend": False,
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": "forecast band",
                    "x": fx,
                    "y": [p["lower"] for p in fc],
                    "fill": "tonexty",
                    "line": {"width": 0},
                    "fillcolor": "rgba(99,110,250,0.2)",
                }
            )
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "forecast",
                "x": fx,
                "y": [p["value"] for p in fc],
                "line": {"dash": "dash"},
            }
        )
    label = title or chart["kpi"]
    if chart.get("currency"):
        label += f" ({chart['currency']})"
    return {"data": data, "layout": {**_LAYOUT, "title": {"text": label}}}


def bar_figure(labels: list[Any], values: list[Any], title: str) -> dict[str, Any]:
    return {
        "data": [{"type": "bar", "x": [str(v) for v in labels], "y": values}],
        "layout": {**_LAYOUT, "title": {"text": title}, "hovermode": "closest"},
    }


def grouped_bar_figure(rows: list[dict[str, Any]], dim: str, title: str) -> dict[str, Any]:
    """One bar trace per currency: amounts in different currencies are never stacked."""
    by_currency: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_currency.setdefault(str(r.get("currency") or ""), []).append(r)
    data = [
        {
            "type": "bar",
            "name": cur or "value",
            "x": [str(r.get(dim)) for r in group],
            "y": [r.get("value") for r in group],
        }
        for cur, group in sorted(by_currency.items())
    ]
    return {
        "data": data,
        "layout": {**_LAYOUT, "title": {"text": title}, "hovermode": "closest", "barmode": "group"},
    }


#: Maturity scores run 0 (none) to 4; the radar never auto-scales, so 1.8 never looks full.
SCALE = (0, 4)
STAGE_TICKS = ("0 none", "1 crawl", "2 walk", "3 run", "4 run+")


def radar_figure(
    axes: list[dict[str, Any]], title: str = "Maturity by capability"
) -> dict[str, Any]:
    """Current, target and (when there is one) previous scores on a fixed 0-4 scale."""
    names = [str(a["axis"]) for a in axes]

    def closed(key: str) -> list[Any]:
        values = [a.get(key) for a in axes]
        return [*values, values[0]] if values else []

    theta = [*names, names[0]] if names else []
    data: list[dict[str, Any]] = []
    if any(a.get("target") is not None for a in axes):
        data.append({"type": "scatterpolar", "r": closed("target"), "theta": theta,
                     "name": "target", "mode": "lines",
                     "line": {"dash": "dash", "color": "#1b7f3b"}})
    if any(a.get("previous") is not None for a in axes):
        data.append({"type": "scatterpolar", "r": closed("previous"), "theta": theta,
                     "name": "previous", "mode": "lines",
                     "line": {"dash": "dot", "color": "#6b7280"}})
    data.append({"type": "scatterpolar", "r": closed("score"), "theta": theta, "name": "current",
                 "fill": "toself", "mode": "lines+markers", "line": {"color": "#1d4ed8"}})
    return {
        "data": data,
        "layout": {
            **_LAYOUT,
            "height": 420,
            "margin": {"l": 70, "r": 70, "t": 50, "b": 40},
            "title": {"text": title},
            "polar": {
                "radialaxis": {
                    "range": list(SCALE),
                    "tickvals": list(range(SCALE[1] + 1)),
                    "ticktext": list(STAGE_TICKS),
                    "angle": 36,
                    "tickangle": 36,
                },
            },
            "hovermode": "closest",
            "showlegend": True,
        },
    }
