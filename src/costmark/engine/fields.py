"""Resolve names users write (dimensions, FOCUS columns, ``tag:<key>``) to Ibis expressions.

One resolver serves the raw ``costs`` table and the daily rollup alike: the rollup keeps the
source columns dimensions read (tag columns, mapped columns) rather than resolved values, so
changing a mapping file never makes a rollup stale, and both paths compute identical values.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from costmark.errors import ConfigError, Located, NotFoundError, did_you_mean
from costmark.focus.schema import canonical_columns, tag_column
from costmark.spec import filters as f
from costmark.spec.models import ColumnRule, Dimension, MappingRule, Project, TagRule

#: Row-level facts KPIs filter on that are not FOCUS columns. Rollups store them as columns.
#: x_UnknownPrice: no known list price (ListCost 0/null, cost not 0) and not an idle commitment.
#: x_UnknownContracted: no ContractedCost (null), so the negotiated part of the row's discount
#: is unknown; savings KPIs leave such rows out rather than count ListCost as a saving.
#: x_CommitmentEligible: CommitmentProgramEligibilityDetails (FOCUS 1.4) is not null, i.e. a
#: commitment program could cover the charge.
#: x_TokenDirection / x_TokenCacheAction: the members of SkuPriceDetails that FOCUS 1.3+ AI
#: model charges carry (Input/Output; Read/Write/Uncached), so token costs can be split by them.
#: x_TagEligible: TagDetails (FOCUS 1.4) is not null, i.e. the charge carries tags or a tag
#: source could carry them (the spec makes TagDetails null only when neither holds).
VIRTUAL_FLAGS = ("x_UnknownPrice", "x_UnknownContracted", "x_CommitmentEligible",
                 "x_TokenDirection", "x_TokenCacheAction", "x_TagEligible")
#: Money expressions KPIs sum that are not plain columns.
#: x_CoverageBasis: ContractedCost, or ListCost where ContractedCost is 0 or missing.
#: x_TokenQuantity: tokens a row consumed (ConsumedQuantity in a token unit such as "Tokens" or
#: "1000 Tokens", else PricingQuantity in one); null for rows not counted in tokens.
#: x_TokenCost: EffectiveCost of the rows x_TokenQuantity counts (null elsewhere).
VIRTUAL_MONEY = ("x_CoverageBasis", "x_TokenQuantity", "x_TokenCost")

#: A unit that counts tokens: "Tokens", "Token", "1000 Tokens", "1000000 tokens" (FOCUS
#: UnitFormat: an optional power-of-ten multiplier before the unit).
_TOKEN_UNIT = r"^\s*([0-9]*)\s*[Tt][Oo][Kk][Ee][Nn][Ss]?\s*$"


def focus_column_names() -> tuple[str, ...]:
    return tuple(c.name for c in canonical_columns())


def virtual_expr(table: ir.Table, name: str) -> ir.Value:
    """The raw-table definition of a virtual field (rollups hold it precomputed)."""
    if name == "x_UnknownPrice":
        list_cost = table.ListCost.fill_null(0)
        status = table.CommitmentDiscountStatus.fill_null("")
        return (list_cost == 0) & (table.EffectiveCost.fill_null(0) != 0) & (status != "Unused")
    if name == "x_UnknownContracted":
        return table.ContractedCost.isnull()
    if name == "x_CoverageBasis":
        contracted = table.ContractedCost.fill_null(0)
        return ibis.ifelse(contracted == 0, table.ListCost.fill_null(0), contracted)
    if name == "x_CommitmentEligible":
        if "CommitmentProgramEligibilityDetails" not in table.columns:
            return ibis.literal(False)
        details = table.CommitmentProgramEligibilityDetails.cast("string")
        return details.notnull() & (details.strip() != "")
    if name == "x_TagEligible":
        if "TagDetails" not in table.columns:
            return ibis.literal(False)
        details = table.TagDetails.cast("string")
        return details.notnull() & (details.strip() != "") & (details.strip() != "null")
    if name in ("x_TokenDirection", "x_TokenCacheAction"):
        return _sku_price_member(table, name.removeprefix("x_"))
    if name == "x_TokenQuantity":
        consumed = _tokens(table.ConsumedQuantity, table.ConsumedUnit)
        return consumed.coalesce(_tokens(table.PricingQuantity, table.PricingUnit))
    if name == "x_TokenCost":
        tokens = virtual_expr(table, "x_TokenQuantity")
        cost = table.EffectiveCost
        return ibis.ifelse(tokens.notnull(), cost, ibis.null(cost.type()))
    raise KeyError(name)


def _tokens(quantity: ir.Value, unit: ir.Value) -> ir.Value:
    """``quantity`` in tokens when ``unit`` counts tokens (times its multiplier), else null."""
    text = unit.cast("string")
    is_tokens = text.re_search(_TOKEN_UNIT)
    factor = text.re_extract(_TOKEN_UNIT, 1)
    multiplier = ibis.ifelse(factor == "", ibis.literal(1), factor.cast("int64"))
    return ibis.ifelse(is_tokens.fill_null(False), quantity * multiplier,
                       ibis.null(quantity.type()))


def _sku_price_member(table: ir.Table, key: str) -> ir.Value:
    """A string member of the SkuPriceDetails JSON object, or null. A regular expression rather
    than a JSON function: it reads the same on every engine, and an unparseable value gives
    null instead of failing the query."""
    if "SkuPriceDetails" not in table.columns:
        return ibis.null("string")
    value = table.SkuPriceDetails.cast("string").re_extract(f'"{key}"\\s*:\\s*"([^"]*)"', 1)
    return ibis.ifelse(value == "", ibis.null("string"), value)


def read_mapping_file(root: Path, rule: MappingRule) -> dict[str, str]:
    """A two-column CSV (key,value), path relative to the workspace. A first row naming the
    column (or 'key') is a header and skipped."""
    assert rule.file is not None
    path = (root / rule.file).resolve()
    if not path.exists():
        raise ConfigError(
            f"mapping file {rule.file} (for column {rule.column}) not found under {root}"
        )
    mapping: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8-sig") as fh:
        for i, row in enumerate(csv.reader(fh), start=1):
            if not row or not "".join(row).strip():
                continue
            if len(row) < 2:
                raise ConfigError(
                    f"mapping file {rule.file}", [Located("expected two columns: key,value",
                                                          str(path), i)]
                )
            key, value = row[0].strip(), row[1].strip()
            if i == 1 and key.lower() in ("key", rule.column.lower()):
                continue
            mapping[key] = value
    return mapping


@dataclass
class Resolver:
    """Turns names into expressions over ``table`` (raw costs or the rollup)."""

    project: Project
    root: Path
    table: ir.Table
    rollup: bool = False
    _mappings: dict[tuple[str, str | None], dict[str, str]] = field(default_factory=dict)

    @property
    def columns(self) -> set[str]:
        return set(self.table.columns)

    # -- names ---------------------------------------------------------------------------
    def known_names(self) -> list[str]:
        tags = [f"tag:{c[4:]}" for c in self.table.columns if c.startswith("tag_")]
        return [
            *self.project.dimensions, *focus_column_names(), *tags, *VIRTUAL_FLAGS, "x_Allocated"
        ]

    def column(self, name: str) -> ir.Value:
        if name in self.columns:
            return self.table[name]
        if name in VIRTUAL_FLAGS + VIRTUAL_MONEY and not self.rollup:
            return virtual_expr(self.table, name)
        if name in focus_column_names():
            raise NotFoundError(f"column {name!r} is not in this table")
        raise NotFoundError(f"unknown column {name!r}" + did_you_mean(name, self.known_names()))

    def tag(self, key: str) -> ir.StringValue:
        """A tag's value; keys match ignoring case (``tag:Owner`` is ``tag:owner``), and so do
        column names (a workspace may hold ``tag_Owner`` from before names were lower case)."""
        wanted = tag_column(key)
        col = next((c for c in self.table.columns if c.lower() == wanted), wanted)
        if col not in self.columns:
            known = [c[4:] for c in self.table.columns if c.startswith("tag_")]
            hint = did_you_mean(key, known)
            raise NotFoundError(
                f"tag key {key!r} is not materialised{hint}; add it to 'tag_keys' (or a "
                "dimension) in costmark.yaml and re-run ingest so the column tag_"
                f"{key} is filled"
            )
        value = self.table[col].cast("string")
        return ibis.ifelse(value.strip() == "", ibis.null("string"), value)

    def field(self, name: str) -> ir.Value:
        """A filter or group-by field: dimension, tag:<key>, FOCUS/x_ column."""
        if name in self.project.dimensions:
            return self.dimension(name)
        if name.startswith("tag:"):
            return self.tag(name[4:])
        if name == "x_Allocated":
            allocated = self.allocated()
            return allocated if allocated is not None else ibis.literal(False)
        if name in self.columns or name in VIRTUAL_FLAGS:
            return self.column(name)
        raise NotFoundError(
            f"unknown dimension, column or tag {name!r}" + did_you_mean(name, self.known_names())
        )

    # -- dimensions ----------------------------------------------------------------------
    def _mapping(self, rule: MappingRule) -> dict[str, str]:
        key = (rule.column, rule.file)
        if key not in self._mappings:
            self._mappings[key] = (
                dict(rule.values) if rule.values is not None else read_mapping_file(self.root, rule)
            )
        return self._mappings[key]

    def _rule_expr(self, rule: TagRule | ColumnRule | MappingRule) -> ir.StringValue:
        if isinstance(rule, TagRule):
            return self.tag(rule.tag)
        source = self.column(rule.column).cast("string")
        if isinstance(rule, MappingRule):
            mapping = self._mapping(rule)
            if not mapping:
                return ibis.null("string")
            return source.substitute(mapping, else_=ibis.null("string"))
        return ibis.ifelse(source.strip() == "", ibis.null("string"), source)

    def resolved_without_default(self, dim: Dimension) -> ir.StringValue:
        exprs = [self._rule_expr(r) for r in dim.resolved_rules]
        return exprs[0] if len(exprs) == 1 else ibis.coalesce(*exprs)

    def dimension(self, name: str) -> ir.StringValue:
        dim = self.project.dimensions[name]
        value = self.resolved_without_default(dim)
        if dim.default is not None:
            value = value.fill_null(dim.default)
        return value

    def allocated(self) -> ir.BooleanValue | None:
        """True where every allocation dimension resolves without its default."""
        dims = [d for d in self.project.dimensions.values() if d.allocation]
        if not dims:
            return None
        conds = [self.resolved_without_default(d).notnull() for d in dims]
        out = conds[0]
        for c in conds[1:]:
            out = out & c
        return out

    # -- filters -------------------------------------------------------------------------
    def predicate(self, node: f.Node) -> ir.BooleanValue:
        if isinstance(node, f.And):
            parts = [self.predicate(i) for i in node.items]
            out = parts[0]
            for p in parts[1:]:
                out = out & p
            return out
        if isinstance(node, f.Or):
            parts = [self.predicate(i) for i in node.items]
            out = parts[0]
            for p in parts[1:]:
                out = out | p
            return out
        if isinstance(node, f.Not):
            return ~self.predicate(node.item)
        value = self.field(node.field)
        if isinstance(node, f.IsNull):
            return value.notnull() if node.negated else value.isnull()
        if isinstance(node, f.In):
            lits = [self._literal(value, v) for v in node.values]
            cond = value.isin(lits)
            return ~cond if node.negated else cond
        lit = self._literal(value, node.value)
        ops: dict[str, Any] = {
            "=": value.__eq__,
            "!=": value.__ne__,
            "<": value.__lt__,
            "<=": value.__le__,
            ">": value.__gt__,
            ">=": value.__ge__,
        }
        return ops[node.op](lit)

    @staticmethod
    def _literal(value: ir.Value, lit: f.Literal_) -> Any:
        dtype = value.type()
        if dtype.is_boolean():
            return str(lit).lower() in ("true", "1", "yes")
        if dtype.is_numeric() and isinstance(lit, str):
            try:
                return Decimal(lit)
            except ArithmeticError:
                return lit
        if dtype.is_string() and isinstance(lit, Decimal):
            return str(lit)
        if dtype.is_timestamp() or dtype.is_date():
            return ibis.literal(str(lit)).cast(dtype)
        if isinstance(lit, Decimal) and dtype.is_decimal():
            return ibis.literal(lit, type=dtype)
        return lit


def source_columns(project: Project, names: Iterable[str]) -> set[str]:
    """Raw columns a list of field names reads (to decide whether a rollup can answer)."""
    out: set[str] = set()
    for name in names:
        if name in project.dimensions:
            for rule in project.dimensions[name].resolved_rules:
                out.add(tag_column(rule.tag) if isinstance(rule, TagRule) else rule.column)
        elif name.startswith("tag:"):
            out.add(tag_column(name[4:]))
        else:
            out.add(name)
    return out


def check_filter_names(node: f.Node | None, known: Iterable[str]) -> list[str]:
    """Messages for every unknown field in a filter (with "did you mean")."""
    known_list = list(known)
    problems = []
    for name in sorted(f.fields_of(node)):
        if name.startswith("tag:"):
            continue  # tag keys are checked against the warehouse when queried
        if name not in known_list:
            problems.append(f"unknown column or dimension {name!r}{did_you_mean(name, known_list)}")
    return problems
