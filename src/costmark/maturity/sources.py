"""Where maturity evidence and goal progress get their facts: one small interface.

Why an interface: the KPI engine, tracking, benchmarking and reports are separate parts; maturity
only needs a handful of facts from them. ``ContextSource`` asks a context's engine and turns
every missing part into ``Unavailable(reason)`` so an assessment still runs (each item then says
"no evidence (reason)"). Tests pass a ``StaticSource`` with known values instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from costmark.errors import CostmarkError, EvidenceUnavailable
from costmark.spec.models import Project

if TYPE_CHECKING:
    from costmark.engine.context import Context


#: Raised when a fact cannot be had (defined in costmark.errors; the old name stays).
Unavailable = EvidenceUnavailable


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


class ContextSource:
    """Facts from a real workspace: numbers through the context's KPI engine (so a scoped
    context gives the scope's own evidence), logs from its warehouse (which a scoped context
    refuses: the item then says why there is no evidence)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.project = ctx.project

    @staticmethod
    def _ask(what: str, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except Unavailable:
            raise
        except CostmarkError as exc:
            raise Unavailable(f"{what}: {str(exc).splitlines()[0]}") from exc
        except NotImplementedError as exc:
            raise Unavailable(f"{what} is not implemented yet") from exc
        except Exception as exc:  # another part failing must not sink the assessment: say so
            raise Unavailable(f"{what} failed ({type(exc).__name__}: {exc})") from exc

    def _table_rows(self, what: str, sql: str, table: str) -> list[dict]:
        def read() -> list[dict]:
            con = self.ctx.warehouse.con
            row = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
            ).fetchone()
            if not (row and row[0]):
                raise Unavailable(f"no {what} in this workspace")
            cur = con.execute(sql)
            cols = [d[0] for d in cur.description]
            return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

        rows: list[dict] = self._ask(what, read)
        return rows

    def kpi_rows(self, kpi: str, *, grain: str = "month", by: Sequence[str] = ()) -> list[dict]:
        result = self._ask(f"KPI {kpi}", lambda: self.ctx.engine.kpi(kpi, grain=grain,
                                                                       by=tuple(by)))
        return [dict(r) for r in result.rows()]

    def cost_rows(self) -> int:
        """1 when the rows the engine can see (the scope's, in a scope) hold any charge, else
        0: asked of the engine like every other fact, and only whether there are rows is
        judged."""
        return 0 if self.ctx.engine.extent().empty else 1

    def invoice_checks(self) -> list[dict]:
        """Cost data against FOCUS 1.4 Invoice Detail, per invoice (costmark.contracts). Whole
        invoices span every team: a scoped context's warehouse refuses, so a scope has no
        such evidence."""
        from costmark.contracts.invoices import reconcile_invoices

        def checks() -> list[dict]:
            con = self.ctx.warehouse.con
            row = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                ["invoice_details"],
            ).fetchone()
            if not (row and row[0]):
                raise Unavailable("no FOCUS 1.4 Invoice Detail table in this warehouse")
            return [c.to_dict() for c in reconcile_invoices(con)]

        rows: list[dict] = self._ask("invoice reconciliation", checks)
        return rows

    def last_data_date(self) -> dt.date | None:
        # the latest day a charge starts on, read by the one period module
        try:
            return self.ctx.engine.extent().last_day
        except CostmarkError as exc:
            raise Unavailable(f"the data's extent: {str(exc).splitlines()[0]}") from exc

    def anomalies(self, by: Sequence[str] = ()) -> list[dict]:
        from costmark.tracking.detect import anomalies

        frame = self._ask("anomaly detection", lambda: anomalies(self.ctx, by=tuple(by)))
        return [dict(r) for r in frame.to_dict("records")]

    def report_runs(self) -> list[dict]:
        return self._table_rows(
            "report run log",
            "SELECT schedule, cadence, started_at, status FROM report_runs ORDER BY started_at",
            "report_runs",
        )

    def benchmark_packs(self) -> list[dict]:
        from costmark.benchmarking.store import packs

        return list(self._ask("imported benchmark packs", lambda: packs(self.ctx.warehouse)))

    def assessment_dates(self) -> list[dt.datetime]:
        rows = self._table_rows(
            "maturity assessments",
            "SELECT assessed_at FROM maturity_assessments ORDER BY assessed_at",
            "maturity_assessments",
        ) if self._has("maturity_assessments") else []
        return [r["assessed_at"] for r in rows]

    def _has(self, table: str) -> bool:
        if self.ctx.scope:
            return True  # let the read refuse, so the item says why
        row = self.ctx.warehouse.con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchone()
        return bool(row and row[0])


#: The name earlier releases used.
WorkspaceSource = ContextSource


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
