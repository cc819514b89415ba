"""Industry reference figures (shipped in costmark/data/industry, plus the user's own files)
and the organisation's standing against each figure comparable to a KPI.

Every figure carries value, year, source and a scope caveat, and every standing row repeats
them: a benchmark without its source and year invites comparing unlike things.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml
from pydantic import Field, ValidationError

from costmark.benchmarking.common import check_frame, latest_period
from costmark.errors import InputError, Located
from costmark.present import numbers
from costmark.spec.base import Frozen

#: Shipped reference files live here (package data).
PACKAGE_DIR = "industry"
#: Users' own reference files in a workspace are read from this folder.
WORKSPACE_DIR = "references"


class ReferenceFigure(Frozen):
    """One published figure; ``kpi`` is null when no costmark KPI measures the same thing."""


    id: str = Field(min_length=1)
    title: str
    value: float
    unit: str = "ratio"
    statistic: str = "median"
    year: int = Field(ge=1990, le=2100)
    source: str = Field(min_length=1)
    scope: str = Field(min_length=1)
    kpi: str | None = None
    compare: str = ""
    #: A costmark filter selecting the figure's scope, so the org is measured like for like
    #: (e.g. "ProviderName = 'AWS' and ServiceCategory = 'Compute'"); null: everything.
    where: str | None = None
    url: str | None = None
    annual_spend_min: float | None = None
    annual_spend_max: float | None = None
    spend_currency: str | None = None
    origin: str = "costmark"

    @property
    def citation(self) -> str:
        return f"{self.source} ({self.year} data)"


def _records(path: Path) -> list[tuple[int | None, dict[str, object]]]:
    if path.suffix.lower() == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            return [
                (i + 2, {k: (v if v != "" else None) for k, v in row.items()})
                for i, row in enumerate(csv.DictReader(fh))
            ]
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{path} is not valid YAML: {exc}") from exc
    figures = data.get("figures") if isinstance(data, dict) else data
    if not isinstance(figures, list):
        raise InputError(f"{path}: expected a list of figures (a top-level 'figures:' list)")
    return [(None, f) for f in figures]


def read_reference_file(path: Path, origin: str | None = None) -> list[ReferenceFigure]:
    """Read one YAML (``figures:`` list) or CSV (one figure per row) reference file."""
    if not path.exists():
        raise InputError(f"reference file {path} not found")
    out, problems = [], []
    for i, (line, record) in enumerate(_records(path)):
        if not isinstance(record, dict):
            problems.append(Located(f"figure {i + 1} is not a mapping", str(path), line))
            continue
        try:
            out.append(ReferenceFigure.model_validate({"origin": origin or str(path), **record}))
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                ident = record.get("id") or f"#{i + 1}"
                problems.append(Located(f"figure {ident}: {where}: {err['msg']}", str(path), line))
    if problems:
        raise InputError(f"{path} has {len(problems)} problem(s)", problems)
    return out


def shipped_reference_files() -> list[Path]:
    root = resources.files("costmark.data").joinpath(PACKAGE_DIR)
    return sorted(Path(str(p)) for p in root.iterdir() if p.name.endswith((".yaml", ".csv")))


def load_references(
    extra: Iterable[Path] = (), workspace: Path | None = None
) -> list[ReferenceFigure]:
    """Shipped figures, then the workspace's ``references/`` files, then ``extra`` files; a
    later figure with the same id replaces an earlier one (so users can correct a figure)."""
    files: list[tuple[Path, str]] = [(p, "costmark") for p in shipped_reference_files()]
    if workspace is not None and (workspace / WORKSPACE_DIR).is_dir():
        own = sorted((workspace / WORKSPACE_DIR).iterdir())
        files += [(p, str(p)) for p in own if p.suffix.lower() in (".yaml", ".yml", ".csv")]
    files += [(Path(p), str(p)) for p in extra]
    figures: dict[str, ReferenceFigure] = {}
    for path, origin in files:
        for fig in read_reference_file(path, origin):
            figures[fig.id] = fig
    return list(figures.values())


def _applicability(
    fig: ReferenceFigure, currency: str | None, annual_spend: Mapping[str, float] | None,
    value: float = 0.0,
) -> tuple[bool, str | None]:
    """Whether the figure's scope matches the data it is compared with, and why not.

    The provider and service scope is applied before (the org value is computed under the
    figure's ``where``), so what is left to check here is that there was something in that
    scope to measure, and the spend band. Applicable is only said when it is known: a spend
    band that cannot be checked (spend in another currency, or none in the scope) is not
    applicable, with the reason.
    """
    spend_here = (annual_spend or {}).get(currency or "")
    if math.isnan(value):
        return False, "no value of the KPI in the figure's scope"
    if fig.where is not None and annual_spend is not None and not (spend_here or 0) > 0:
        return False, f"no cost in the figure's scope ({fig.where}) in {currency}"
    if fig.annual_spend_min is None and fig.annual_spend_max is None:
        return True, None
    spend = (annual_spend or {}).get(fig.spend_currency or "")
    if spend is None or (fig.spend_currency and currency and currency != fig.spend_currency):
        return False, (f"applies to a spend band in {fig.spend_currency}; your spend in "
                       f"{currency or 'this currency'} cannot be placed in it")
    if fig.annual_spend_min is not None and spend < fig.annual_spend_min:
        return False, (f"for annual spend ≥ {_spend(fig.annual_spend_min, fig)}; yours is "
                       f"{_spend(spend, fig)}")
    if fig.annual_spend_max is not None and spend >= fig.annual_spend_max:
        return False, (f"for annual spend < {_spend(fig.annual_spend_max, fig)}; yours is "
                       f"{_spend(spend, fig)}")
    return True, None


def _spend(amount: float, fig: ReferenceFigure) -> str:
    """A spend band edge in full ('$500,000.00'): a compact '$500.0k' reads as a rounded
    figure, and the band edge is exact."""
    return numbers.money(amount, fig.spend_currency)


def industry_standing(
    org: pd.DataFrame,
    figures: Sequence[ReferenceFigure],
    kpi: str,
    *,
    direction: str = "none",
    period: dt.date | None = None,
    annual_spend: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The organisation's value of ``kpi`` (an unsliced KPI frame: one row per period and
    currency) against every figure comparable to it, newest figure first."""
    cols = [
        "kpi",
        "period_start",
        "currency",
        "value",
        "figure",
        "title",
        "year",
        "reference",
        "statistic",
        "gap",
        "position",
        "standing",
        "source",
        "citation",
        "scope",
        "compare",
        "applicable",
        "note",
        "origin",
    ]
    comparable = sorted((f for f in figures if f.kpi == kpi), key=lambda f: (-f.year, f.id))
    frame = check_frame(org, ())
    frame = frame[frame["kpi"] == kpi]
    when = latest_period(frame, period)
    if not comparable or when is None:
        return pd.DataFrame(columns=cols)
    rows = []
    for _, row in frame[frame["period_start"] == when].iterrows():
        value = float(row["value"])
        for fig in comparable:
            gap = value - fig.value
            if math.isnan(gap):
                position = standing = "no data"
            else:
                position = "equal" if abs(gap) < 1e-12 else "above" if gap > 0 else "below"
                if position == "equal":
                    standing = "level"
                elif direction in ("higher", "lower"):
                    standing = "better" if (gap > 0) == (direction == "higher") else "worse"
                else:
                    standing = "n/a"
            applicable, note = _applicability(fig, row["currency"], annual_spend, value)
            rows.append(
                {
                    "kpi": kpi,
                    "period_start": when,
                    "currency": row["currency"],
                    "value": None if math.isnan(value) else value,
                    "figure": fig.id,
                    "title": fig.title,
                    "year": fig.year,
                    "reference": fig.value,
                    "statistic": fig.statistic,
                    "gap": None if math.isnan(gap) else gap,
                    "position": position,
                    "standing": standing,
                    "source": fig.source,
                    "citation": fig.citation,
                    "scope": fig.scope,
                    "compare": fig.compare,
                    "applicable": applicable,
                    "note": note,
                    "origin": fig.origin,
                }
            )
    return pd.DataFrame(rows, columns=cols)


def references_frame(figures: Sequence[ReferenceFigure]) -> pd.DataFrame:
    """All figures as a table (for `costmark benchmark references`)."""
    rows = [f.model_dump() for f in sorted(figures, key=lambda f: (f.kpi or "~", -f.year, f.id))]
    return pd.DataFrame(rows, columns=list(ReferenceFigure.model_fields))
