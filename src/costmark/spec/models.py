"""The project definition (costmark.yaml) as frozen pydantic models.

Definitions are code: reviewed in git, validated before anything runs. The engine only ever sees
a validated ``Project``, never raw YAML. Later sections (KPIs, targets, budgets, peer groups,
alerts, schedules) are added by their subsystems as fields of ``Project``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from costmark.spec.alerts import AlertSettings
from costmark.spec.base import Frozen
from costmark.spec.budgets import Budget
from costmark.spec.engine import EngineSettings
from costmark.spec.ingest import IngestSettings
from costmark.spec.kpis import UserKpi
from costmark.spec.maturity import MaturitySettings
from costmark.spec.peers import PeerGroup
from costmark.spec.schedules import Schedule
from costmark.spec.targets import Target
from costmark.spec.web import WebSettings


class TagRule(Frozen):
    """The value of a resource tag (FOCUS ``Tags`` key)."""

    tag: str


class ColumnRule(Frozen):
    """The value of a FOCUS column, e.g. ``SubAccountName``."""

    column: str


class MappingRule(Frozen):
    """Look a column's value up in a table: inline ``values`` or a two-column CSV ``file``
    (key,value; path relative to the workspace)."""

    column: str
    values: dict[str, str] | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> MappingRule:
        if (self.values is None) == (self.file is None):
            raise ValueError("a mapping needs exactly one of 'values' or 'file'")
        return self


Rule = TagRule | ColumnRule | MappingRule


class Dimension(Frozen):
    """A way to slice cost: a FOCUS column, a tag key, or rules tried in precedence order.

    Short forms: ``{column: ServiceName}`` or ``{tag: team}``; full form: ``{rules: [...],
    default: unallocated}``. ``allocation: true`` makes it count for allocation coverage.
    """

    description: str | None = None
    column: str | None = None
    tag: str | None = None
    rules: tuple[Rule, ...] = ()
    default: str | None = None
    allocation: bool = False

    @model_validator(mode="after")
    def _one_form(self) -> Dimension:
        forms = sum(x is not None and x != () for x in (self.column, self.tag, self.rules or None))
        if forms != 1:
            raise ValueError("a dimension needs exactly one of 'column', 'tag' or 'rules'")
        return self

    @property
    def resolved_rules(self) -> tuple[Rule, ...]:
        if self.column is not None:
            return (ColumnRule(column=self.column),)
        if self.tag is not None:
            return (TagRule(tag=self.tag),)
        return self.rules

    @property
    def tag_keys(self) -> tuple[str, ...]:
        return tuple(r.tag for r in self.resolved_rules if isinstance(r, TagRule))


class BusinessMetric(Frozen):
    """A business time series users load: flows are summed, stocks averaged or last-valued."""

    unit: str = "count"
    aggregation: Literal["sum", "average", "last"] = "sum"
    description: str | None = None
    currency: str | None = None


class CurrencySettings(Frozen):
    """Currencies are never summed together unless conversion rates are given here:
    ``rates: {EUR: 1.08}`` means 1 EUR = 1.08 ``reporting`` units."""

    reporting: str | None = None
    rates: dict[str, float] = Field(default_factory=dict)


class Project(Frozen):
    version: Literal[1] = 1
    name: str = "costmark project"
    currency: CurrencySettings = CurrencySettings()
    dimensions: dict[str, Dimension] = Field(default_factory=dict)
    business_metrics: dict[str, BusinessMetric] = Field(default_factory=dict)
    #: Extra tag keys to materialise as columns at ingest, beyond those dimensions use.
    tag_keys: tuple[str, ...] = ()
    #: Budgets by name (spec/budgets.py): amount per month/quarter/year for a scope.
    budgets: dict[str, Budget] = Field(default_factory=dict)
    #: User KPIs (costmark.spec.kpis.UserKpi), computed beside the built-in library.
    kpis: dict[str, UserKpi] = Field(default_factory=dict)
    #: Maturity evidence thresholds (spec/maturity.py), defaults from the FinOps model.
    maturity: MaturitySettings = MaturitySettings()
    #: KPI targets (spec/targets.py): value, direction, dates, overrides, tolerance band.
    targets: tuple[Target, ...] = ()
    #: Named cohorts of dimension values for internal benchmarking (spec/peers.py).
    peer_groups: dict[str, PeerGroup] = Field(default_factory=dict)
    #: Report schedules (spec/schedules.py).
    schedules: tuple[Schedule, ...] = ()
    #: Alert rules and webhooks (spec/alerts.py).
    alerts: AlertSettings = AlertSettings()
    #: Plausibility bounds applied by validate and ingest (spec/ingest.py).
    ingest: IngestSettings = IngestSettings()
    #: Web server settings (spec/web.py): the upload size limit.
    web: WebSettings = WebSettings()
    #: The engine KPIs run on (spec/engine.py): duckdb (default) or spark, with Spark's settings.
    engine: EngineSettings = EngineSettings()

    @property
    def tag_key_spellings(self) -> tuple[str, ...]:
        """Every tag key spelling costmark.yaml names (tag_keys, then dimensions), in order.
        Ingest reads each of them into its key's one column."""
        keys: list[str] = list(self.tag_keys)
        for dim in self.dimensions.values():
            keys += [k for k in dim.tag_keys if k not in keys]
        return tuple(dict.fromkeys(keys))

    @property
    def materialized_tag_keys(self) -> tuple[str, ...]:
        """The tag keys, one per key matched ignoring case and surrounding spaces (``Owner``
        and ``owner`` are one key, named as first written)."""
        out: dict[str, str] = {}
        for key in self.tag_key_spellings:
            out.setdefault(key.strip().lower(), key)
        return tuple(out.values())
