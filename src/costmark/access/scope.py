"""A read-only view of a workspace restricted to rows whose dimensions match a scope.

How it stays correct without trusting every subsystem's filter support: each scoped dimension is
added to the query's ``by`` and only the matching group is kept. A KPI computed per team and
read for ``team = payments`` is exactly the KPI over payments' rows — ratios included — and no
other team's rows can reach a total, because there is no unscoped total to read.

Anything the view cannot scope this way (a method without ``by``, a result shape it does not
know) raises ``ScopeUnsupported``: it fails closed, and pages show the section as unavailable.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from costmark.errors import NotFoundError
from costmark.errors import ScopeUnsupported as ScopeUnsupported


class _Sections:
    """A benchmark result restricted to a scope (``.sections``, ``.caveats``)."""

    def __init__(self, sections: dict[str, Any], caveats: list[str]) -> None:
        self.sections = sections
        self.caveats = caveats


class RowsResult:
    """A KPI result as rows (the part of ``KpiResult`` the web and reports use)."""

    def __init__(self, rows: list[dict[str, Any]], columns: list[str] | None = None) -> None:
        self._rows = rows
        self._columns = columns

    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def to_pandas(self) -> pd.DataFrame:
        """Keeps the columns even when no row is left (callers select them by name)."""
        if self._columns is not None:
            return pd.DataFrame(self._rows, columns=self._columns)
        return pd.DataFrame(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def _matches(row: Mapping[str, Any], scope: Mapping[str, str]) -> bool:
    return all(str(row.get(k)) == v for k, v in scope.items())


def filter_rows(
    rows: Iterable[Mapping[str, Any]], scope: Mapping[str, str], keep: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Rows matching ``scope``, without the scope columns the caller did not ask for."""
    drop = [k for k in scope if k not in keep]
    out = []
    for row in rows:
        if _matches(row, scope):
            out.append({k: v for k, v in row.items() if k not in drop})
    return out


def filter_result(result: Any, scope: Mapping[str, str], keep: Sequence[str] = ()) -> Any:
    """Apply ``filter_rows`` to the result shapes the facade returns; refuse unknown ones."""
    if not scope:
        return result
    if isinstance(result, pd.DataFrame):
        missing = [k for k in scope if k not in result.columns]
        if missing:
            raise ScopeUnsupported(f"result has no {', '.join(missing)} column to scope by")
        mask = pd.Series(True, index=result.index)
        for k, v in scope.items():
            mask &= result[k].astype(str) == v
        drop = [k for k in scope if k not in keep]
        return result[mask].drop(columns=drop).reset_index(drop=True)
    if hasattr(result, "rows") and callable(result.rows):
        rows = result.rows()
        _require_columns(rows, scope)
        cols: list[str] | None = list(rows[0]) if rows else None
        if cols is None and hasattr(result, "to_pandas"):
            cols = [str(c) for c in result.to_pandas().columns]
        drop = [k for k in scope if k not in keep]
        kept = [c for c in cols if c not in drop] if cols is not None else None
        return RowsResult(filter_rows(rows, scope, keep), kept)
    if isinstance(result, list) and all(isinstance(r, Mapping) for r in result):
        _require_columns(result, scope)
        return filter_rows(result, scope, keep)
    if hasattr(result, "to_pandas") and callable(result.to_pandas):
        return filter_result(result.to_pandas(), scope, keep)
    raise ScopeUnsupported(f"cannot scope a {type(result).__name__} result")


def _require_columns(rows: Sequence[Mapping[str, Any]], scope: Mapping[str, str]) -> None:
    if rows and any(k not in rows[0] for k in scope):
        raise ScopeUnsupported("result rows do not carry the scoped dimension")


#: Facade methods a scoped view passes through after scoping by ``by``.
SCOPABLE_BY = (
    "kpi",
    "daily_cost",
    "track",
    "forecast",
    "anomalies",
    "budgets",
)
#: Facade methods with no per-team rows: safe for anyone. Maturity assessments and iterations
#: are not here: they carry figures of the group they were made for (the organisation, by
#: default), so ``ScopedView`` shows only the documents made for its own scope.
SAFE = (
    "kpi_catalog",
    "capabilities",
    "data_version",
    "industry_references",
)


class ScopedView:
    """The facade as seen by a token with a scope, e.g. ``{"team": "payments"}``."""

    def __init__(self, ws: Any, scope: Mapping[str, str]) -> None:
        dims = ws.project.dimensions
        for key in scope:
            if key not in dims:
                raise NotFoundError(f"scope dimension {key!r} is not declared in costmark.yaml")
        self._ws = ws
        self.scope = dict(scope)

    @property
    def project(self) -> Any:
        return self._ws.project

    @property
    def root(self) -> Any:
        return self._ws.root

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        target = getattr(self._ws, name)  # AttributeError when the facade lacks it
        if name in SAFE:
            return target
        if name in SCOPABLE_BY:
            return self._scoped(target, name)
        if not callable(target):
            raise AttributeError(name)

        def withheld(*args: Any, **kwargs: Any) -> Any:
            raise ScopeUnsupported(f"{name} is not available to a scoped token")

        return withheld

    def _scoped(self, method: Callable[..., Any], name: str) -> Callable[..., Any]:
        try:
            params = inspect.signature(method).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
        if "by" not in params and not takes_kwargs:

            def refuse(*args: Any, **kwargs: Any) -> Any:
                raise ScopeUnsupported(f"{name} cannot be restricted to a scope")

            return refuse

        takes_where = "where" in params or takes_kwargs

        def call(*args: Any, by: Sequence[str] | str | None = (), **kwargs: Any) -> Any:
            asked = [by] if isinstance(by, str) else list(by or ())
            widened = asked + [k for k in self.scope if k not in asked]
            if takes_where and kwargs.get("where") is None:
                # Speed only: the engine computes just the scope's rows. Isolation does not
                # depend on it — the grouping and filter below would drop other rows anyway.
                kwargs["where"] = dict(self.scope)
            return filter_result(method(*args, by=tuple(widened), **kwargs), self.scope, asked)

        return call

    def ingest_log(self) -> list[dict[str, Any]]:
        """File-level lineage without totals: totals span every team."""
        hidden = {"totals", "rows_read", "rows_loaded", "rows_quarantined", "rows_replaced"}
        return [{k: v for k, v in r.items() if k not in hidden} for r in self._ws.ingest_log()]

    def budgets(self, name: str | None = None, **kwargs: Any) -> Any:
        """Only budgets whose own scope lies inside this scope (e.g. the payments budget)."""
        inside = []
        for key, budget in (getattr(self.project, "budgets", None) or {}).items():
            values = budget.scope_values() if hasattr(budget, "scope_values") else {}
            if all(values.get(k) == (v,) for k, v in self.scope.items()):
                inside.append(key)
        frames = [self._ws.budgets(key, **kwargs) for key in inside if name in (None, key)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def benchmark(
        self, kpi: str, *, by: Sequence[str] | str = (), against: Any = (), **kwargs: Any
    ) -> Any:
        """Targets and history inside the scope; peer and industry comparisons are withheld
        (peers show other teams' values; the industry view compares unscoped totals)."""
        asked = [by] if isinstance(by, str) else list(by or ())
        wanted = (against,) if isinstance(against, str) else tuple(against or ())
        hidden = [a for a in wanted if a not in ("targets", "history")]
        if hidden or not wanted:
            raise ScopeUnsupported(
                f"{', '.join(hidden) or 'peer'} benchmarks are not available to a scoped token"
            )
        widened = asked + [k for k in self.scope if k not in asked]
        result = self._ws.benchmark(kpi, by=tuple(widened), against=wanted, **kwargs)
        sections = {
            name: filter_result(frame, self.scope, asked) for name, frame in result.sections.items()
        }
        return _Sections(sections, list(getattr(result, "caveats", [])))

    def alert_log(self, limit: int = 200) -> list[dict[str, Any]]:
        """Only alerts about rows inside the scope (alerts on totals are not shown)."""
        rows = self._ws.alert_log(limit)
        return [r for r in rows if _matches(r.get("dimensions") or {}, self.scope)]

    def quarantine(self, limit: int = 100) -> list[dict[str, Any]]:
        raise ScopeUnsupported("quarantined raw rows are visible to unscoped tokens only")

    # -- maturity: only documents made for this scope's own group ---------------------------
    @property
    def group(self) -> str | None:
        """The maturity group ("team=payments") whose documents were computed from this
        scope's rows alone; None when the scope spans several dimensions (no group does)."""
        if len(self.scope) != 1:
            return None
        ((key, value),) = self.scope.items()
        return f"{key}={value}"

    def _withheld(self, what: str, cli: str) -> ScopeUnsupported:
        target = self.group or ", ".join(f"{k}={v}" for k, v in self.scope.items())
        return ScopeUnsupported(
            f"organisation-wide {what} are not shown to a scoped token, and none was made for "
            f"{target}" + (f" (an admin can run '{cli} --group {target}')" if self.group else "")
        )

    def assessments(self, group: str | None = None) -> list[dict[str, Any]]:
        """Assessments made for this scope's group (their evidence was computed for it)."""
        if self.group is None or group not in (None, self.group):
            docs: list[dict[str, Any]] = []
        else:
            docs = list(self._ws.assessments(self.group))
        if not docs and self._ws.assessments():
            raise self._withheld("maturity assessments", "costmark assess")
        return docs

    def assessment(self, ref: str = "latest", previous: str | None = None) -> dict[str, Any]:
        docs = self.assessments()
        ids = [d["id"] for d in docs]
        wanted = ids[-1] if ref == "latest" and ids else ref
        if wanted not in ids or (previous is not None and previous not in ids):
            raise NotFoundError(f"no assessment {ref!r} for {self.group}")
        # the default "previous" is the one before of the same group, so still this scope's
        doc: dict[str, Any] = self._ws.assessment(wanted, previous)
        return doc

    def _own_iteration(self, doc: Mapping[str, Any]) -> bool:
        goals = doc.get("goals") or []
        return doc.get("group") == self.group and all(
            g.get("group", doc.get("group")) == self.group for g in goals
        )

    def iterations(self) -> list[dict[str, Any]]:
        """Iterations made for this scope's group, every goal measured on the group's rows."""
        every = list(self._ws.iterations())
        docs = [d for d in every if self.group is not None and self._own_iteration(d)]
        if not docs and every:
            raise self._withheld("iterations", "costmark iteration plan")
        return docs

    def _iteration_id(self, ref: str | None) -> str:
        docs = self.iterations()
        if not docs:
            raise NotFoundError("no iterations yet; start one with 'costmark iteration plan'")
        if ref is None or ref == "latest":
            return str(docs[-1]["id"])
        key = ref if ref.startswith("it-") else f"it-{ref}"
        if key not in [d["id"] for d in docs]:
            raise NotFoundError(f"no iteration {ref!r} for {self.group}")
        return key

    def iteration(self, ref: str | None = None) -> dict[str, Any]:
        found: dict[str, Any] = self._ws.iteration(self._iteration_id(ref))
        return found

    def iteration_status(self, ref: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """Goal progress, each goal judged on this group's own KPI series and assessments."""
        found: dict[str, Any] = self._ws.iteration_status(self._iteration_id(ref), **kwargs)
        return found


def scoped(ws: Any, scope: Mapping[str, str] | None) -> Any:
    """The workspace itself when there is no scope, else a ``ScopedView``."""
    return ScopedView(ws, scope) if scope else ws
