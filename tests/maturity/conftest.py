"""Tiny known facts for maturity tests: a KPI provider with hand-written values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from costmark.maturity import StaticSource
from costmark.spec.models import Project

Series = dict[str, list[tuple[dt.date, float]]]


def provider(values: Series, *, currency: str = "USD") -> Callable[..., list[dict]]:
    """A KPI provider in the engine's long format; ``values`` is mutable so a test can add
    periods as time passes."""

    def kpis(kpi: str, grain: str, by: tuple[str, ...]) -> list[dict]:
        rows = []
        for key, series in values.items():
            name, _, group = key.partition("@")
            if name != kpi:
                continue
            for day, value in series:
                row = {"kpi": kpi, "period_start": day, "grain": grain, "currency": currency,
                       "value": value}  # fmt: skip
                if by:
                    row[by[0]] = group or "all"
                elif group:
                    continue
                rows.append(row)
        return rows

    return kpis


@pytest.fixture
def make_source() -> Callable[..., StaticSource]:
    def make(values: Series | None = None, project: Project | None = None, **kw: object):
        return StaticSource(
            project=project or Project(),
            kpis=provider(values) if values is not None else None,
            **kw,  # type: ignore[arg-type]
        )

    return make
