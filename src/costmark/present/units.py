"""What a KPI's number measures: a typed, validated unit and the kind of display it needs.

KPIs declare their unit as short text (``currency``, ``ratio``, ``currency/transaction``,
``count``, ``days``, ``factor``, ``GB``...), in the built-in library and in costmark.yaml. Every
display, export and chart decides how to show a number from the unit's *kind*; parsing the
text in one place means a typo such as ``currency/`` fails when the project loads instead of
printing an unformatted number later.

This module depends on nothing else in costmark: spec models validate with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator


class UnitKind(StrEnum):
    """How a number of this unit is shown (see :mod:`costmark.present.numbers`)."""

    MONEY = "money"  # an amount in the row's currency
    RATIO = "ratio"  # a fraction shown as a percentage; changes in percentage points
    UNIT_COST = "unit_cost"  # money per business unit (cost per transaction)
    COUNT = "count"  # whole things (resources, rows)
    DAYS = "days"  # a duration in days
    FACTOR = "factor"  # a dimensionless multiplier (spend elasticity)
    QUANTITY = "quantity"  # an amount of something else (GB, hours, transactions)
    POINTS = "points"  # a difference of two ratios, shown in percentage points (+1.2 pp)
    PERCENT = "percent"  # a number already in percent (12.5 means 12.5%): attainment, rank


#: Unit words for a share of a whole, stored as a fraction (0.157 is shown 15.7%).
RATIO_WORDS = frozenset({"ratio", "share", "percent", "fraction", "%"})
MONEY_WORDS = frozenset({"currency", "money"})
COUNT_WORDS = frozenset({"count", "number", "items"})
DAYS_WORDS = frozenset({"days", "day"})
FACTOR_WORDS = frozenset({"factor", "multiplier", "x"})
POINTS_WORDS = frozenset({"pp", "points", "percentage points"})
PERCENT_WORDS = frozenset({"pct", "percent100"})
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_WORD = re.compile(r"[^\x00-\x1f\x7f]{1,64}")


@dataclass(frozen=True)
class Unit:
    """A parsed unit: its kind, the declared text, and for unit costs the business unit."""

    kind: UnitKind
    text: str
    per: str | None = None  # "transaction" in currency/transaction
    currency: str | None = None  # an ISO code written in the unit itself ("EUR/customer")

    def __str__(self) -> str:
        return self.text

    @property
    def is_ratio(self) -> bool:
        return self.kind is UnitKind.RATIO

    @property
    def is_money(self) -> bool:
        """Money or money per unit: displays carry the currency."""
        return self.kind in (UnitKind.MONEY, UnitKind.UNIT_COST)


def parse_unit(text: str | Unit) -> Unit:
    """``text`` as a :class:`Unit`; ``ValueError`` (a message for people) when it is not one.

    Grammar: a ratio word, ``currency`` or an ISO code (money), ``<money>/<business unit>``
    (a unit cost), ``count``, ``days``, ``factor``, or any other short word (a quantity)."""
    if isinstance(text, Unit):
        return text
    if not isinstance(text, str):
        raise ValueError(f"a unit is text such as 'currency' or 'ratio', not {text!r}")
    clean = text.strip()
    if not clean or not _WORD.fullmatch(clean):
        raise ValueError(
            f"unit {text!r} is not a unit: use currency, ratio, count, days, factor, "
            "currency/<business unit> or a short word such as GB (at most 64 characters)"
        )
    word = clean.lower()
    if "/" in clean:
        head, _, per = (p.strip() for p in clean.partition("/"))
        if not per or not head:
            raise ValueError(f"unit {text!r} needs both sides of '/', e.g. currency/transaction")
        if head.lower() in MONEY_WORDS or _CURRENCY_CODE.fullmatch(head):
            code = head if _CURRENCY_CODE.fullmatch(head) else None
            return Unit(UnitKind.UNIT_COST, clean, per=per, currency=code)
        return Unit(UnitKind.QUANTITY, clean, per=per)
    if word in RATIO_WORDS:
        return Unit(UnitKind.RATIO, clean)
    if word in MONEY_WORDS:
        return Unit(UnitKind.MONEY, clean)
    if _CURRENCY_CODE.fullmatch(clean):
        return Unit(UnitKind.MONEY, clean, currency=clean)
    if word in COUNT_WORDS:
        return Unit(UnitKind.COUNT, clean)
    if word in DAYS_WORDS:
        return Unit(UnitKind.DAYS, clean)
    if word in FACTOR_WORDS:
        return Unit(UnitKind.FACTOR, clean)
    if word in POINTS_WORDS:
        return Unit(UnitKind.POINTS, clean)
    if word in PERCENT_WORDS:
        return Unit(UnitKind.PERCENT, clean)
    return Unit(UnitKind.QUANTITY, clean)


def unit_kind(text: str | Unit | None) -> UnitKind | None:
    """The kind of ``text`` (None for no unit or text that is not a unit: displays then show
    a plain number rather than fail)."""
    if text is None:
        return None
    try:
        return parse_unit(text).kind
    except ValueError:
        return None


def difference_unit(text: str | Unit | None) -> str | None:
    """The unit of a difference of two values of ``text``: percentage points for ratios (a
    share going from 40% to 44% moved +4.0 pp), the same unit otherwise."""
    if text is None:
        return None
    if unit_kind(text) is UnitKind.RATIO:
        return "pp"
    return str(text)


def checked_unit(text: str) -> str:
    """``text`` stripped, after checking it parses (a pydantic validator)."""
    return parse_unit(text).text


#: A unit field of a model: declared text, validated when the model is built.
UnitText = Annotated[str, AfterValidator(checked_unit)]
