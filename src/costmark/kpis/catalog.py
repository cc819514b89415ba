"""The KPI catalog of a project: built-ins, per-metric and per-tag-key families, user KPIs.

``resolve(project, id)`` turns any KPI id into a plan the engine runs: a ``MeasureKpi`` (sums
and arithmetic), a ``ComputedKpi`` (own code) or a ``FormulaKpi`` (arithmetic over other KPIs).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from costmark.errors import NotFoundError, did_you_mean
from costmark.kpis import library as lib
from costmark.kpis.library import BuiltIn, ComputedKpi, CostMeasure, MeasureKpi
from costmark.spec import filters as f
from costmark.spec.formula import Expr, parse_formula
from costmark.spec.kpis import KpiDefinition, Measure, UserKpi
from costmark.spec.models import Project, TagRule


@dataclass(frozen=True)
class FormulaKpi:
    definition: KpiDefinition
    formula: Expr


Plan = MeasureKpi | ComputedKpi | FormulaKpi


def _defn(id: str, title: str, unit: str, direction: str, kind: str, formula: str,
          desc: str, null: str = "") -> KpiDefinition:
    return KpiDefinition.model_validate(
        {"id": id, "title": title, "unit": unit, "direction": direction, "kind": kind,
         "formula": formula, "description": desc, "null_when": null}
    )


def allocation_tag_keys(project: Project) -> tuple[str, ...]:
    """Tag keys allocation relies on (tag rules of allocation dimensions), else every
    materialised key."""
    keys = [
        r.tag
        for d in project.dimensions.values()
        if d.allocation
        for r in d.resolved_rules
        if isinstance(r, TagRule)
    ]
    one_per_key: dict[str, str] = {}
    for key in keys:
        one_per_key.setdefault(key.strip().lower(), key)  # Owner and owner are one key
    return tuple(one_per_key.values()) or project.materialized_tag_keys


def volume_metric(project: Project) -> str | None:
    """The business volume spend elasticity compares against: the first summed metric without
    a currency (transactions, requests...), else the first metric."""
    for name, m in project.business_metrics.items():
        if m.aggregation == "sum" and m.currency is None:
            return name
    return next(iter(project.business_metrics), None)


def revenue_metric(project: Project) -> str | None:
    if "revenue" in project.business_metrics:
        return "revenue"
    for name, m in project.business_metrics.items():
        if m.currency is not None:
            return name
    return None


def _allocation(project: Project, base: BuiltIn, taggable: bool = False) -> BuiltIn:
    """Allocation coverage; ``taggable``: over the charges TagDetails says can carry tags."""
    if not any(d.allocation for d in project.dimensions.values()):
        return ComputedKpi(base.definition, "unavailable",
                           params=(("note", "no dimension has allocation: true"),))
    charges = f"{lib.TAGGABLE} and {lib.CHARGES}" if taggable else lib.CHARGES
    aside = f"{lib.TAGGABLE} and {lib.NOT_CHARGES}" if taggable else lib.NOT_CHARGES
    return MeasureKpi(
        base.definition,
        {"allocated": CostMeasure("EffectiveCost", f"x_Allocated = 'true' and {charges}"),
         "cost": CostMeasure("EffectiveCost", charges),
         "aside": CostMeasure("EffectiveCost", aside)},
        numerator="allocated", denominator="cost",
        zero_note=lib.NO_TAG_DETAILS if taggable else lib.NO_SHARE_BASE,
        aside=("aside", lib.ASIDE_NOTE),
    )


def _untagged(project: Project, base: KpiDefinition, keys: tuple[str, ...]) -> BuiltIn:
    if not keys:
        return ComputedKpi(base, "unavailable", params=(("note", "no tag keys configured"),))
    where = " or ".join(f"tag:{k} is null" for k in keys)
    return MeasureKpi(
        base,
        {"untagged": CostMeasure("EffectiveCost", f"({where}) and {lib.CHARGES}"),
         "cost": CostMeasure("EffectiveCost", lib.CHARGES),
         "aside": CostMeasure("EffectiveCost", lib.NOT_CHARGES)},
        numerator="untagged", denominator="cost", zero_note=lib.NO_SHARE_BASE,
        aside=("aside", lib.ASIDE_NOTE),
    )


def family_ids(project: Project) -> list[str]:
    """Ids generated from the project: cost_per_<metric>, untagged_cost_share:<key> ..."""
    ids = [f"cost_per_{m}" for m in project.business_metrics]
    ids += [f"untagged_cost_share:{k}" for k in project.materialized_tag_keys]
    ids += [f"spend_elasticity:{m}" for m in project.business_metrics]
    return ids


def all_ids(project: Project) -> list[str]:
    return [*lib.BY_ID, *family_ids(project), *project.kpis]


def resolve(project: Project, kpi_id: str) -> Plan:
    """The plan for ``kpi_id`` (NotFoundError with "did you mean" when unknown)."""
    if kpi_id in project.kpis:
        return _user(project, kpi_id, project.kpis[kpi_id])
    if kpi_id == "allocation_coverage":
        return _allocation(project, lib.BY_ID[kpi_id])
    if kpi_id == "allocation_coverage_taggable":
        return _allocation(project, lib.BY_ID[kpi_id], taggable=True)
    if kpi_id == "untagged_cost_share":
        return _untagged(project, lib.BY_ID[kpi_id].definition, allocation_tag_keys(project))
    if kpi_id in lib.BY_ID:
        return lib.BY_ID[kpi_id]
    if kpi_id.startswith("untagged_cost_share:"):
        key = kpi_id.split(":", 1)[1]
        if key.strip().lower() in {k.strip().lower() for k in project.materialized_tag_keys}:
            d = lib.BY_ID["untagged_cost_share"].definition
            return _untagged(
                project,
                d.model_copy(update={"id": kpi_id, "title": f"Untagged cost share ({key})",
                                     "formula": f"Σ EffectiveCost[charges, tag {key} "
                                                "missing] / Σ EffectiveCost[charges]"}),
                (key,),
            )
    if kpi_id.startswith("cost_per_"):
        metric = kpi_id[len("cost_per_"):]
        if metric in project.business_metrics:
            m = project.business_metrics[metric]
            return ComputedKpi(
                _defn(kpi_id, f"Cost per {metric}", f"currency/{m.unit}", "lower", "business",
                      f"Σ EffectiveCost / {m.aggregation}({metric})",
                      f"Unit cost: total cost per {m.unit} ({metric}, {m.aggregation} over the "
                      "period).",
                      f"no {metric} value for the period, or {metric} is zero"),
                "cost_per_metric", {"cost": lib.EFF}, params=(("metric", metric),),
            )
    if kpi_id.startswith("spend_elasticity:"):
        metric = kpi_id.split(":", 1)[1]
        if metric in project.business_metrics:
            base = lib.BY_ID["spend_elasticity"]
            assert isinstance(base, ComputedKpi)
            return replace(
                base,
                definition=base.definition.model_copy(
                    update={"id": kpi_id, "title": f"Spend elasticity ({metric})"}
                ),
                params=(("metric", metric),),
            )
    raise NotFoundError(f"unknown KPI {kpi_id!r}" + did_you_mean(kpi_id, all_ids(project)))


def catalog(project: Project) -> list[KpiDefinition]:
    return [resolve(project, i).definition for i in all_ids(project)]


def _measure(m: Measure) -> tuple[CostMeasure | None, str | None]:
    if m.metric is not None:
        return None, m.metric
    assert m.sum is not None
    where = f.render(f.parse_filter(m.where)) or None
    return CostMeasure(m.sum, where), None


def _user(project: Project, kpi_id: str, spec: UserKpi) -> Plan:
    unit = spec.unit or ("ratio" if spec.ratio is not None else "currency")
    title = spec.title or kpi_id.replace("_", " ").capitalize()
    desc = spec.description or f"User KPI ({spec.kind})."
    if spec.formula is not None:
        return FormulaKpi(
            _defn(kpi_id, title, spec.unit or "ratio", spec.direction, "user", spec.formula, desc),
            parse_formula(spec.formula),
        )
    if spec.base is not None:
        base = resolve(project, spec.base)
        if isinstance(base, FormulaKpi):
            raise NotFoundError(f"KPI {kpi_id}: base {spec.base!r} must be a built-in KPI")
        extra = f.render(f.parse_filter(spec.where)) if spec.where is not None else None
        scope = f.render(f.parse_filter(spec.scope)) if spec.scope is not None else None
        measures = {
            k: replace(v, where=" and ".join(p for p in (v.where, extra) if p) or None)
            for k, v in base.measures.items()
        }
        definition = base.definition.model_copy(
            update={"id": kpi_id, "title": spec.title or base.definition.title,
                    "description": spec.description or base.definition.description,
                    "kind": "user",
                    **({"direction": spec.direction} if spec.direction != "none" else {})}
        )
        if isinstance(base, MeasureKpi):
            return replace(base, definition=definition, measures=measures,
                           scope=scope if scope is not None else base.scope)
        return replace(base, definition=definition, measures=measures)
    if spec.measure is not None:
        parts = {"a": spec.measure}
        num, den = "a", None
    elif spec.ratio is not None:
        parts = {"a": spec.ratio.numerator, "b": spec.ratio.denominator}
        num, den = "a", "b"
    else:
        assert spec.difference is not None
        parts = {"a": spec.difference.left, "b": spec.difference.right}
        num, den = "a - b", None
    cost: dict[str, CostMeasure] = {}
    metrics: list[tuple[str, str]] = []
    for name, m in parts.items():
        cm, metric = _measure(m)
        if cm is not None:
            cost[name] = cm
        else:
            assert metric is not None
            metrics.append((name, metric))
    definition = _defn(kpi_id, title, unit, spec.direction, "user",
                       _describe(spec), desc,
                       "the denominator is zero or a business metric has no value"
                       if spec.ratio is not None else "")
    if not metrics:
        return MeasureKpi(definition, cost, numerator=num, denominator=den)
    return ComputedKpi(
        definition, "user_business", cost,
        params=(("numerator", num), ("denominator", den or ""),
                *((f"metric:{n}", mname) for n, mname in metrics)),
    )


def _describe(spec: UserKpi) -> str:
    def one(m: Measure) -> str:
        if m.metric is not None:
            return m.metric
        where = f.render(f.parse_filter(m.where))
        return f"Σ {m.sum}" + (f"[{where}]" if where else "")

    if spec.measure is not None:
        return one(spec.measure)
    if spec.ratio is not None:
        return f"{one(spec.ratio.numerator)} / {one(spec.ratio.denominator)}"
    if spec.difference is not None:
        return f"{one(spec.difference.left)} − {one(spec.difference.right)}"
    return spec.formula or ""
