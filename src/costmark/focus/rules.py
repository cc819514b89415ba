"""FOCUS conformance rules: each a small function of a :class:`Frame`.

A rule returns located :class:`Issue` objects when it can decide from the header alone
(missing or unknown columns) and :class:`RowCheck` objects when it needs the rows. Row checks
are SQL predicates (true = violation) that the validator evaluates *together* in one scan of the
file, then locates with a second, cheap query per failing check. That is what makes validating a
1M-row file take seconds: the rules stay small and separate, the scanning is shared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from costmark.errors import did_you_mean
from costmark.focus.columns import FOCUS_DRAFT_COLUMNS, ColumnType, all_known_columns
from costmark.focus.frame import Frame
from costmark.focus.reader import qident, qstr
from costmark.focus.values import ALLOWED_VALUES, DRAFT_NAMES, LEGACY_NAMES, currency_codes

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Issue:
    """One problem, located: file, column, how many rows and the first example rows."""

    severity: Severity
    rule: str
    message: str
    column: str | None = None
    rows: int = 0
    examples: tuple[int, ...] = ()
    file: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "rule": self.rule,
            "file": self.file,
            "column": self.column,
            "rows": self.rows,
            "examples": list(self.examples),
            "message": self.message,
        }


@dataclass(frozen=True)
class RowCheck:
    """A row-level rule as SQL: ``predicate`` is true on rows that violate it.

    ``values`` (an SQL expression) asks the validator to quote a few offending values in the
    message; ``allowed`` lets it add a "did you mean" for each."""

    severity: Severity
    rule: str
    column: str | None
    predicate: str
    message: str
    values: str | None = None
    allowed: tuple[str, ...] = field(default=())


Finding = Issue | RowCheck
Rule = Callable[[Frame], Iterable[Finding]]


# -- columns ---------------------------------------------------------------------------
def mandatory_columns(f: Frame) -> Iterable[Finding]:
    """Every column the version marks Mandatory must be present."""
    present = set(f.columns)
    legacy_for = {new: old for old, new in LEGACY_NAMES.items()}
    for spec in f.spec.values():
        if spec.mandatory and spec.name not in present:
            hint = ""
            if legacy_for.get(spec.name) in present:
                hint = f" (the file has the FOCUS 0.5 name {legacy_for[spec.name]!r})"
            else:
                lowered = {c.lower(): c for c in present}
                if spec.name.lower() in lowered:
                    found = lowered[spec.name.lower()]
                    hint = f" (the file has {found!r}: names are case-sensitive)"
            yield Issue(
                "error",
                "mandatory_column",
                f"mandatory FOCUS {f.version} column {spec.name} is missing{hint}",
                column=spec.name,
                file=f.file,
            )


def legacy_columns(f: Frame) -> Iterable[Finding]:
    """FOCUS 0.5 / 1.0-preview names mean the file predates FOCUS 1.0; say what replaced them."""
    old = [c for c in f.columns if c in LEGACY_NAMES]
    for name in old:
        yield Issue(
            "error",
            "legacy_column",
            f"{name!r} is a FOCUS 0.5-era column name; FOCUS 1.x calls it {LEGACY_NAMES[name]} "
            "(this file looks like pre-1.0 FOCUS: convert it or re-export as FOCUS 1.x)",
            column=name,
            file=f.file,
        )


def draft_columns(f: Frame) -> Iterable[Finding]:
    """Working-draft names of columns the spec ratified under another name: loaded under the
    ratified name, with a warning so the exporter can be fixed."""
    for name in f.columns:
        if name in DRAFT_NAMES and not f.has(DRAFT_NAMES[name]):
            yield Issue(
                "warning",
                "draft_column",
                f"{name!r} is a working-draft FOCUS column name; FOCUS {f.version} calls it "
                f"{DRAFT_NAMES[name]} (loaded as {DRAFT_NAMES[name]})",
                column=name,
                file=f.file,
            )


def unknown_columns(f: Frame) -> Iterable[Finding]:
    """Columns FOCUS does not define must be custom columns prefixed ``x_``."""
    known = all_known_columns()
    for name in f.columns:
        if name in known or name.startswith("x_") or name in LEGACY_NAMES or name in DRAFT_NAMES:
            continue
        if name in FOCUS_DRAFT_COLUMNS:
            yield Issue(
                "warning", "draft_column",
                f"{name!r} is a FOCUS working-draft column (introduced in "
                f"{FOCUS_DRAFT_COLUMNS[name]}, after FOCUS {f.version}): kept in the file, "
                "not loaded",
                column=name, file=f.file,
            )
            continue
        original = f.source.original.get(name, name)
        bare = name.rsplit(":", 1)[-1]
        if ":" in name and (bare in known or bare in LEGACY_NAMES):
            message = (
                f"column {original!r} is not a FOCUS column: drop the namespace prefix "
                f"{name[: len(name) - len(bare)]!r} (custom columns must start with 'x_')"
            )
            column = name
        elif name.startswith("__unnamed_"):
            message = (
                f"column {name.removeprefix('__unnamed_')} has no name "
                "(a trailing comma in the header?)"
            )
            column = ""
        else:
            message = (
                f"column {original!r} is not a FOCUS column and custom columns must start "
                f"with 'x_'{did_you_mean(name, known)}"
            )
            column = name
        yield Issue("error", "unknown_column", message, column=column, file=f.file)


def header_whitespace(f: Frame) -> Iterable[Finding]:
    """Column names with surrounding spaces (or a BOM) break exact-name lookups elsewhere."""
    for name in f.columns:
        original = f.source.original.get(name, name)
        if original != name and not name.startswith("__unnamed_"):
            yield Issue(
                "warning",
                "header_whitespace",
                f"column name {original!r} has surrounding spaces or a byte-order mark; "
                f"read as {name!r}",
                column=name,
                file=f.file,
            )


# -- values ------------------------------------------------------------------------------
def types_parse(f: Frame) -> Iterable[Finding]:
    """Decimals (scientific notation too), RFC 3339 / ``YYYY-MM-DD HH:MM:SS`` timestamps with or
    without Z or an offset, JSON objects for Tags and SkuPriceDetails."""
    words = {
        ColumnType.DECIMAL: "a decimal number",
        ColumnType.DATETIME: "a date/time (RFC 3339 or YYYY-MM-DD HH:MM:SS)",
        ColumnType.JSON: "valid JSON",
    }
    for spec in f.spec.values():
        if spec.type not in words or not f.has(spec.name):
            continue
        pred = f.parse_fails(spec.name, spec)
        if pred:
            yield RowCheck(
                "error",
                "type",
                spec.name,
                pred,
                f"{spec.name} values do not parse as {words[spec.type]}",
                values=f.text(spec.name),
            )
        if spec.type is ColumnType.JSON:
            text = f.text(spec.name)
            yield RowCheck(
                "error",
                "type",
                spec.name,
                # for valid JSON, "an object" is "starts with {" (no second parse)
                f"(CASE WHEN json_valid({text}) THEN NOT starts_with(ltrim({text}), '{{') END)",
                f'{spec.name} must be a JSON object ({{"key": "value", ...}})',
                values=text,
            )


def not_null(f: Frame) -> Iterable[Finding]:
    """Columns the spec says MUST NOT be null (checked on a 0.5-era name too)."""
    for spec in f.spec.values():
        column = f.resolve(spec.name)
        if not spec.allows_nulls and column:
            yield RowCheck(
                "error",
                "not_null",
                column,
                f"{f.col(column)} IS NULL",
                f"{column} is null, but FOCUS {f.version} says {spec.name} must not be",
            )


def conditional_not_null(f: Frame) -> Iterable[Finding]:
    """PricingCategory MUST NOT be null on Usage and Purchase charges that are not corrections."""
    if f.has("PricingCategory") and f.has("ChargeCategory"):
        not_correction = (
            f"{f.col('ChargeClass')} IS DISTINCT FROM 'Correction'"
            if f.has("ChargeClass")
            else "true"
        )
        yield RowCheck(
            "error",
            "conditional_not_null",
            "PricingCategory",
            f"({f.col('PricingCategory')} IS NULL AND {f.col('ChargeCategory')} IN "
            f"('Usage', 'Purchase') AND {not_correction})",
            "PricingCategory is null on Usage/Purchase rows (FOCUS requires it there)",
        )


def allowed_values(f: Frame) -> Iterable[Finding]:
    """Enumerated columns hold only the values the spec lists (case-sensitive)."""
    for name, allowed in ALLOWED_VALUES.items():
        column = f.resolve(name)
        if not column:
            continue
        text = f.text(column)
        listed = ", ".join(qstr(v) for v in allowed)
        yield RowCheck(
            "error",
            "allowed_values",
            column,
            f"({text} IS NOT NULL AND {text} NOT IN ({listed}))",
            f"{column} has values FOCUS does not allow for {name} (allowed: {', '.join(allowed)})",
            values=text,
            allowed=allowed,
        )


def currency_code(f: Frame) -> Iterable[Finding]:
    """Currency columns hold ISO 4217 codes."""
    codes = ", ".join(qstr(c) for c in sorted(currency_codes()))
    for name in ("BillingCurrency", "PricingCurrency"):
        if f.has(name):
            text = f.text(name)
            yield RowCheck(
                "error",
                "currency_code",
                name,
                f"({text} IS NOT NULL AND {text} NOT IN ({codes}))",
                f"{name} is not an ISO 4217 currency code",
                values=text,
            )


def currency_conflict(f: Frame) -> Iterable[Finding]:
    """A 0.5-era BilledCurrency that disagrees with BillingCurrency: which one is the bill in?"""
    if f.has("BilledCurrency") and f.has("BillingCurrency"):
        a, b = f.text("BilledCurrency"), f.text("BillingCurrency")
        yield RowCheck(
            "error",
            "currency_conflict",
            "BillingCurrency",
            f"({a} IS DISTINCT FROM {b})",
            "BilledCurrency (FOCUS 0.5) and BillingCurrency disagree",
            values=f"coalesce({a}, 'null') || ' vs ' || coalesce({b}, 'null')",
        )


def null_literal(f: Frame) -> Iterable[Finding]:
    """A text value ``NULL`` means null in FOCUS exports; typed files should not carry it."""
    if f.source.kind == "csv":
        return  # CSV is read with NULL -> null already
    for name in f.columns:
        if f.has(name) and f.is_text(name):
            yield RowCheck(
                "warning",
                "null_literal",
                name,
                f"{f.col(name)} = 'NULL'",
                f"{name} holds the text 'NULL'; costmark reads it as null",
            )


# -- periods -------------------------------------------------------------------------------
def period_order(f: Frame) -> Iterable[Finding]:
    """Every period starts before it ends."""
    for start, end in (
        ("ChargePeriodStart", "ChargePeriodEnd"),
        ("BillingPeriodStart", "BillingPeriodEnd"),
    ):
        if f.has(start) and f.has(end):
            yield RowCheck(
                "error",
                "period_order",
                start,
                f"({f.timestamp(start)} >= {f.timestamp(end)})",
                f"{start} is not before {end}",
            )


def charge_in_billing_period(f: Frame) -> Iterable[Finding]:
    """A charge period starts inside the billing period it is billed in."""
    need = ("ChargePeriodStart", "BillingPeriodStart", "BillingPeriodEnd")
    if all(f.has(c) for c in need):
        cs, bs, be = (f.timestamp(c) for c in need)
        yield RowCheck(
            "error",
            "charge_outside_billing_period",
            "ChargePeriodStart",
            f"({cs} < {bs} OR {cs} >= {be})",
            "ChargePeriodStart lies outside the row's billing period "
            "[BillingPeriodStart, BillingPeriodEnd)",
            values=f"{f.text('ChargePeriodStart')} || ' in ' || {f.text('BillingPeriodStart')} "
            f"|| ' .. ' || {f.text('BillingPeriodEnd')}",
        )


# -- plausibility: values that parse but would poison a workspace (see focus/limits.py) ------
def date_range(f: Frame) -> Iterable[Finding]:
    """Every date/time lies in the plausible billing range (``ingest.date_range``)."""
    for spec in f.spec.values():
        name = f.resolve(spec.name)
        if spec.type is ColumnType.DATETIME and name:
            yield RowCheck(
                "error",
                "date_range",
                name,
                f.dates.outside_sql(f.timestamp(name)),
                f"{name} is outside the plausible billing range {f.dates.describe()} "
                "(ingest.date_range in costmark.yaml)",
                values=f.text(name),
            )


def amount_range(f: Frame) -> Iterable[Finding]:
    """Decimals below 10^15 in magnitude: sums of larger ones overflow exact money."""
    for spec in f.spec.values():
        name = f.resolve(spec.name)
        if spec.type is ColumnType.DECIMAL and name:
            yield RowCheck(
                "error",
                "amount_range",
                name,
                f.too_large(name),
                f"{name} has a magnitude of 10^15 or more (not a plausible bill line; sums "
                "would overflow exact DECIMAL(38,18) money)",
                values=f.text(name),
            )


# -- data-quality warnings that matter for KPIs -----------------------------------------
def effective_cost_zero(f: Frame) -> Iterable[Finding]:
    """EffectiveCost 0 while BilledCost is not: savings KPIs would count it as free. Commitment
    purchases are exempt (their EffectiveCost is amortised into usage rows by design)."""
    if f.has("EffectiveCost") and f.has("BilledCost"):
        exempt = "false"
        if f.has("ChargeCategory") and f.has("CommitmentDiscountId"):
            exempt = (
                f"({f.col('ChargeCategory')} = 'Purchase' "
                f"AND {f.col('CommitmentDiscountId')} IS NOT NULL)"
            )
        yield RowCheck(
            "warning",
            "effective_cost_zero",
            "EffectiveCost",
            f"({f.decimal('EffectiveCost')} = 0 AND {f.decimal('BilledCost')} <> 0 "
            f"AND NOT coalesce({exempt}, false))",
            "EffectiveCost is 0 while BilledCost is not (savings and unit-cost KPIs will be off)",
        )


def list_cost_missing(f: Frame) -> Iterable[Finding]:
    """Usage rows without ListCost cannot count toward savings rates."""
    if f.has("ListCost") and f.has("ChargeCategory"):
        yield RowCheck(
            "warning",
            "list_cost_missing",
            "ListCost",
            f"({f.col('ListCost')} IS NULL AND {f.col('ChargeCategory')} = 'Usage')",
            "ListCost is missing on usage rows (excluded from savings KPIs)",
        )


def commitment_status_missing(f: Frame) -> Iterable[Finding]:
    """Usage under a commitment discount needs Used/Unused to measure utilisation."""
    if f.has("CommitmentDiscountId") and f.has("ChargeCategory"):
        status = f.col("CommitmentDiscountStatus") if f.has("CommitmentDiscountStatus") else "NULL"
        yield RowCheck(
            "warning",
            "commitment_status_missing",
            "CommitmentDiscountStatus",
            f"({f.col('CommitmentDiscountId')} IS NOT NULL AND {f.col('ChargeCategory')} = "
            f"'Usage' AND {status} IS NULL)",
            "commitment-discount usage rows without CommitmentDiscountStatus "
            "(commitment utilisation cannot be measured)",
        )


def tag_key_variants(f: Frame) -> Iterable[Finding]:
    """Tag keys that differ only by case or surrounding spaces split one dimension in two."""
    if not f.has("Tags"):
        return
    text = f.text("Tags")
    if f.dry:  # no data to look at: only declare the column this rule reads
        yield RowCheck("warning", "tag_key_variants", "Tags", f"{text} IS NOT NULL", "")
        return
    keys_sql = (
        f"SELECT DISTINCT unnest(json_keys({text})) AS k FROM {f.relation} "
        f"WHERE CASE WHEN json_valid({text}) THEN json_type({text}) = 'OBJECT' END"
    )
    groups = f.con.execute(
        f"SELECT lower(trim(k)) AS norm, list(k ORDER BY k) FROM ({keys_sql}) "
        "GROUP BY 1 HAVING count(*) > 1 ORDER BY 1"
    ).fetchall()
    for _norm, variants in groups:
        variants = list(variants)
        conds = " OR ".join(
            f"json_exists({text}, {qstr('$.' + _json_key(v))})" for v in variants[1:]
        )
        yield RowCheck(
            "warning",
            "tag_key_variants",
            "Tags",
            f"(CASE WHEN json_valid({text}) THEN CASE WHEN json_type({text}) = 'OBJECT' "
            f"THEN ({conds}) END END)",
            "tag keys differ only by case or spaces: "
            + ", ".join(repr(v) for v in variants)
            + " (they will be treated as different keys)",
        )


def _json_key(key: str) -> str:
    """A JSON path member for any key text."""
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


RULES: tuple[Rule, ...] = (
    mandatory_columns,
    legacy_columns,
    draft_columns,
    unknown_columns,
    header_whitespace,
    types_parse,
    not_null,
    conditional_not_null,
    allowed_values,
    currency_code,
    currency_conflict,
    null_literal,
    period_order,
    charge_in_billing_period,
    date_range,
    amount_range,
    effective_cost_zero,
    list_cost_missing,
    commitment_status_missing,
    tag_key_variants,
)

__all__ = ["RULES", "Issue", "RowCheck", "Rule", "qident"]
