"""Where maturity evidence and goal progress get their facts: one small interface.

Why an interface: the KPI engine, tracking, benchmarking and reports are separate parts; maturity
only needs a handful of facts from them. ``WorkspaceSource`` asks the workspace facade and turns
every missing part into ``Unavailable(reason)`` so an assessment still runs (each item then says
"no evidence (reason)"). Tests pass a ``StaticSource`` with known values instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from costmark.errors import CostmarkError
from costmark.spec.models import Project

if TYPE_CHECKING:
    from costmark.api import Workspace


class Unavailable(Exception):
    """A fact cannot be had; the message is the reason shown to the user."""


class Source(Protocol):
    """Facts about a workspace that maturity needs. Each method may raise ``Unavailable``."""

    project: Project

    def kpi_rows(self, kpi: str, *, grain: str = "month", by: Sequence[str] = ()) -> list[dict]:
        """Long-format KPI rows (kpi, period_start, <by dims>, currency, value, ...)."""
        ...

    def cost_rows(self) -> int: ...

    def last_data_date(self) -> dt.date | None: ...

    def anomalies(self, by: Sequence[str] = ()) -> list[dict]: ...

    def report_runs(self) -> list[dict]: ...

    def benchmark_packs(self) -> list[dict]: ...

    def assessment_dates(self) -> list[dt.datetime]: ...


def _records(obj: Any) -> list[dict]:
    """Accept the shapes the facade may return: KpiResult/objects with ``rows()``, DataFrames,
    lists of dicts or objects with ``to_dict()``."""
    if obj is None:
        return []
    if hasattr(obj, "rows") and callable(obj.rows):
        return [dict(r) for r in obj.rows()]
    if hasattr(obj, "to_dict") and hasattr(obj, "columns"):  # pandas DataFrame
        return [dict(r) for r in obj.to_dict("records")]
    if isinstance(obj, Mapping):
        for key in ("anomalies", "items", "rows", "packs"):
            if key in obj and isinstance(obj[key], list):
                return _records(obj[key])
        return [dict(obj)]
    out = []
    for item in obj:
        if isinstance(item, Mapping):
            out.append(dict(item))
        elif hasattr(item, "to_dict"):
            out.append(dict(item.to_dict()))
        elif hasattr(item, "__dict__"):
            out.append(dict(vars(item)))
    return out


class WorkspaceSource:
    """Facts from a real workspace through its facade (and its own warehouse tables)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.project = ws.project

    def _call(self, name: str, what: str, *args: Any, **kwargs: Any) -> Any:
        method = getattr(self.ws, name, None)
        if method is None:
            raise Unavailable(f"{what} is not available in this costmark (no ws.{name})")
        try:
            return method(*args, **kwargs)
        except CostmarkError as exc:
            raise Unavailable(f"{what}: {str(exc).splitlines()[0]}") from exc
        except NotImplementedError as exc:
            raise Unavailable(f"{what} is not implemented yet") from exc
        except Exception as exc:  # another part failing must not sink the assessment: say so
            raise Unavailable(f"{what} failed ({type(exc).__name__}: {exc})") from exc

    def _table_exists(self, table: str) -> bool:
        row = self.ws.warehouse.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchone()
        return bool(row and row[0])

    def kpi_rows(self, kpi: str, *, grain: str = "month", by: Sequence[str] = ()) -> list[dict]:
        return _records(self._call("kpi", f"KPI {kpi}", kpi, grain=grain, by=tuple(by)))

    def cost_rows(self) -> int:
        row = self.ws.warehouse.con.execute("SELECT count(*) FROM costs").fetchone()
        return int(row[0]) if row else 0

    def invoice_checks(self) -> list[dict]:
        """Cost data against FOCUS 1.4 Invoice Detail, per invoice (costmark.contracts)."""
        if not self._table_exists("invoice_details"):
            raise Unavailable("no FOCUS 1.4 Invoice Detail table in this warehouse")
        return [c.to_dict() for c in self._call("reconcile_invoices", "invoice reconciliation")]

    def last_data_date(self) -> dt.date | None:
        # the latest day a charge starts on, read by the one period module
        from costmark.engine.asof import data_extent

        try:
            return data_extent(self.ws).last_day
        except CostmarkError as exc:
            raise Unavailable(f"the data's extent: {str(exc).splitlines()[0]}") from exc

    def anomalies(self, by: Sequence[str] = ()) -> list[dict]:
        return _records(self._call("anomalies", "anomaly detection", by=tuple(by)))

    def report_runs(self) -> list[dict]:
        method = getattr(self.ws, "report_runs", None)
        if callable(method):
            return _records(self._call("report_runs", "report run log"))
        if not self._table_exists("report_runs"):
            raise Unavailable("no report run log in this workspace")
        cur = self.ws.warehouse.con.execute(
            "SELECT schedule, cadence, started_at, status FROM report_runs ORDER BY started_at"
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def benchmark_packs(self) -> list[dict]:
        for name in ("benchmark_packs", "imported_packs"):
            if callable(getattr(self.ws, name, None)):
                return _records(self._call(name, "imported benchmark packs"))
        for table in ("benchmark_packs", "benchmark_pack_imports", "peer_packs"):
            if self._table_exists(table):
                cur = self.ws.warehouse.con.execute(f'SELECT * FROM "{table}"')
                cols = [d[0] for d in cur.description]
                return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        raise Unavailable("benchmark packs are not available in this workspace")

    def assessment_dates(self) -> list[dt.datetime]:
        if not self._table_exists("maturity_assessments"):
            return []
        rows = self.ws.warehouse.con.execute(
            "SELECT assessed_at FROM maturity_assessments ORDER BY assessed_at"
        ).fetchall()
        return [r[0] for r in rows]


@dataclass
class StaticSource:
    """Known facts for tests and what-if runs; a ``None`` field means "unavailable"."""

    project: Project = field(default_factory=Project)
    kpis: Callable[[str, str, tuple[str, ...]], list[dict]] | None = None
    n_cost_rows: int = 0
    last_date: dt.date | None = None
    anomaly_list: list[dict] | None = None
    runs: list[dict] | None = None
    packs: list[dict] | None = None
    assessed: list[dt.datetime] = field(default_factory=list)
    #: invoice reconciliation rows (InvoiceCheck.to_dict()); None: no invoice detail
    invoices: list[dict] | None = None

    def kpi_rows(self, kpi: str, *, grain: str = "month", by: Sequence[str] = ()) -> list[dict]:
        if self.kpis is None:
            raise Unavailable("KPI engine not available")
        return self.kpis(kpi, grain, tuple(by))

    def cost_rows(self) -> int:
        return self.n_cost_rows

    def invoice_checks(self) -> list[dict]:
        if self.invoices is None:
            raise Unavailable("no invoice detail")
        return self.invoices

    def last_data_date(self) -> dt.date | None:
        return self.last_date

    def anomalies(self, by: Sequence[str] = ()) -> list[dict]:
        if self.anomaly_list is None:
            raise Unavailable("anomaly detection not available")
        return self.anomaly_list

    def report_runs(self) -> list[dict]:
        if self.runs is None:
            raise Unavailable("no report run log in this workspace")
        return self.runs

    def benchmark_packs(self) -> list[dict]:
        if self.packs is None:
            raise Unavailable("benchmark packs are not available in this workspace")
        return self.packs

    def assessment_dates(self) -> list[dt.datetime]:
        return self.assessed
