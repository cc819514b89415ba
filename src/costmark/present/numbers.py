"""Numbers as people read them: money with its currency, ratios as percentages, changes of
ratios in percentage points, unit costs with three significant digits, years and ids as text.

Every function takes the machine value (Decimal, float, int or None) and returns text; a
missing value (None, NaN, infinity, pandas NA) is :data:`MISSING`. Money is rounded from the
exact Decimal (half up, as people round), never through a float, so a sum exact to the 18th
decimal shows its true cents however large it is. JSON and CSV never go through here: they
keep machine values (see :mod:`costmark.present.records`).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext
from typing import Any

from costmark.present.units import Unit, UnitKind, parse_unit

MISSING = "—"
#: Symbols shown before an amount; any other currency is written after it ("1.00 CHF").
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹", "CNY": "¥", "KRW": "₩"}
_COMPACT = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"),
            (Decimal(10) ** 3, "k"))
#: Digits kept while rounding for display: more than any DECIMAL(38,18) sum has.
_PREC = 100


def is_missing(value: Any) -> bool:
    """None, NaN, ±infinity and pandas' NA/NaT: shown as :data:`MISSING`."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value) or math.isinf(value)
    if isinstance(value, Decimal):
        return not value.is_finite()
    return type(value).__name__ in ("NaTType", "NAType")


def to_decimal(value: Any) -> Decimal | None:
    """``value`` as an exact Decimal (floats through their shortest repr), None if missing or
    not a number."""
    if is_missing(value) or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return to_decimal(value.item())
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _fixed(d: Decimal, places: int, *, grouping: bool = True) -> str:
    """``d`` rounded half up to ``places`` decimals, with thousands separators."""
    with localcontext() as ctx:
        ctx.prec = _PREC
        rounded = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if rounded == 0:
            rounded = abs(rounded)  # no "-0.00"
        return f"{rounded:,.{places}f}" if grouping else f"{rounded:.{places}f}"


def _decimals(d: Decimal) -> int:
    """How many decimals ``d`` has once trailing zeros are dropped (every digit counted: the
    default 28-digit context would round a DECIMAL(38,18) sum)."""
    with localcontext() as ctx:
        ctx.prec = _PREC
        exponent = d.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def significant_places(d: Decimal, digits: int = 3, minimum: int = 2) -> int:
    """Decimals that keep ``digits`` significant digits of ``d`` (at least ``minimum``): a
    unit cost of 0.001834 needs 5, one of 1.83 needs 2."""
    if d == 0:
        return minimum
    return max(minimum, digits - 1 - d.copy_abs().adjusted())


def _with_currency(text: str, currency: str | None) -> str:
    """'-1,234.50' with USD -> '-$1,234.50'; with CHF -> '-1,234.50 CHF'."""
    if not currency:
        return text
    symbol = SYMBOLS.get(currency.upper())
    if symbol is None:
        return f"{text} {currency}"
    return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"


def compact_number(d: Decimal, places: int = 1) -> str:
    """112345.67 -> '112.3k', 1.5e9 -> '1.5B'; under a thousand: whole units (or three
    significant digits under one)."""
    size = d.copy_abs()
    for step, suffix in _COMPACT:
        if size >= step:
            with localcontext() as ctx:
                ctx.prec = _PREC
                return _fixed(d / step, places) + suffix
    if size < 1:
        return _fixed(d, significant_places(d, 2, 0))
    return _fixed(d, 0)


def money(value: Any, currency: str | None = None, *, compact: bool = False,
          exact: bool = False) -> str:
    """An amount: '$112,345.67', '-$3.50' (a credit), '112,345.67 CHF'; ``compact`` for tiles:
    '$112.3k'. Amounts under one cent keep three significant digits ('$0.00183'). ``exact``
    (the CLI's tables of sums) keeps every digit a DECIMAL(38,18) sum has, at least cents."""
    d = to_decimal(value)
    if d is None:
        return MISSING
    if exact:
        text = _fixed(d, max(2, _decimals(d)))
    elif compact:
        text = compact_number(d)
    elif d != 0 and d.copy_abs() < Decimal("0.01"):
        text = _fixed(d, significant_places(d))
    else:
        text = _fixed(d, 2)
    return _with_currency(text, currency)


def percent(value: Any, *, signed: bool = False, places: int = 1) -> str:
    """A fraction as a percentage: 0.157 -> '15.7%' (``signed``: '+15.7%'). Tiny non-zero
    shares keep two significant digits ('0.042%') rather than reading 0.0%."""
    d = to_decimal(value)
    if d is None:
        return MISSING
    pct = d * 100
    if pct != 0 and pct.copy_abs() < Decimal("0.1"):
        places = significant_places(pct, 2, places)
    text = _fixed(pct, places)
    return ("+" + text if signed and pct > 0 and not text.startswith("-") else text) + "%"


def points(change: Any, places: int = 1) -> str:
    """A change of a ratio in percentage points: 0.012 -> '+1.2 pp' (40% -> 44% is +4.0 pp,
    not +10%)."""
    d = to_decimal(change)
    if d is None:
        return MISSING
    text = _fixed(d * 100, places)
    return ("+" + text if not text.startswith("-") and text.strip("0.") else text) + " pp"


def relative(change: Any) -> str:
    """A relative change of an amount: 0.1 -> '+10.0%'."""
    return percent(change, signed=True)


def unit_cost(
    value: Any, currency: str | None = None, per: str | None = None, *, scale: int = 1
) -> str:
    """Money per business unit with three significant digits: '$0.00183', or with ``per``
    'transaction' '$0.00183 per transaction'; ``scale`` 1000 shows '$1.83 per 1k
    transactions' (the same number, easier to compare)."""
    d = to_decimal(value)
    if d is None:
        return MISSING
    if scale != 1:
        d = d * scale
    text = _with_currency(_fixed(d, significant_places(d)), currency)
    if per:
        if scale == 1:
            text += f" per {per}"
        else:
            text += f" per {compact_number(Decimal(scale), 0)} {plural(per)}"
    return text


def plural(word: str) -> str:
    """'transaction' -> 'transactions' (English nouns business units are named with)."""
    if word.endswith("s"):
        return word
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def count(value: Any) -> str:
    """Whole things with thousands separators: '12,345'."""
    d = to_decimal(value)
    if d is None:
        return MISSING
    return _fixed(d, 0) if d == d.to_integral_value() else _fixed(d, 2)


def days(value: Any) -> str:
    """A duration: '1 day', '12 days', '2.5 days'."""
    d = to_decimal(value)
    if d is None:
        return MISSING
    text = count(d) if d == d.to_integral_value() else _fixed(d, 1)
    return f"{text} day" if d == 1 else f"{text} days"


def factor(value: Any) -> str:
    """A multiplier (spend elasticity): '-5.67', three significant digits under one."""
    d = to_decimal(value)
    if d is None:
        return MISSING
    return _fixed(d, significant_places(d))


def number(value: Any) -> str:
    """A number of no declared unit: integers with separators, amounts with two decimals,
    small values with three significant digits (0.001834 -> '0.00183', not '0.0018')."""
    d = to_decimal(value)
    if d is None:
        return MISSING
    if isinstance(value, int) and not isinstance(value, bool):
        return _fixed(d, 0)
    if d == 0 or d.copy_abs() >= 1:
        return _fixed(d, 2)
    return _fixed(d, significant_places(d, 3, 4))


def short(value: Any, digits: int = 4) -> str:
    """At most ``digits`` significant digits, trailing zeros dropped, never an exponent:
    0.82 -> '0.82', 1100.0 -> '1100', 12345.6 -> '12,346' (a goal's baseline or target,
    whose unit the caller does not know)."""
    d = to_decimal(value)
    if d is None:
        return MISSING
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if d.copy_abs() >= Decimal(10) ** digits:
        return _fixed(d, 0)
    if d == 0:
        return "0"
    text = _fixed(d, significant_places(d, digits, 0), grouping=False)
    return text.rstrip("0").rstrip(".") if "." in text else text


def ident(value: Any) -> str:
    """A year, id or code as text: 2024 -> '2024' (never '2,024'), 2024.0 -> '2024'."""
    if is_missing(value):
        return MISSING
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return str(int(value))
    return str(value)


def when(value: dt.date | dt.datetime) -> str:
    """A date as ISO text; a datetime to the minute, or its date at midnight."""
    if isinstance(value, dt.datetime):
        if value.hour or value.minute:
            return value.strftime("%Y-%m-%d %H:%M")
        return value.date().isoformat()
    return value.isoformat()


def value(
    amount: Any,
    unit: str | Unit | None = None,
    currency: str | None = None,
    *,
    compact: bool = False,
    per_thousand: bool = False,
    label: bool = False,
    exact: bool = False,
) -> str:
    """``amount`` shown as its unit says: the one entry point displays use (``exact``: money
    with every digit of the sum).

    ``currency`` (the row's currency) goes on money and unit costs; ``compact`` makes money
    tile-sized ('$112.3k'); ``per_thousand`` shows unit costs per 1,000 business units;
    ``label`` adds the business unit ('per transaction') or 'days'. A unit that does not
    parse shows a plain number rather than fail a page."""
    if is_missing(amount):
        return MISSING
    if isinstance(amount, bool) or to_decimal(amount) is None:
        return str(amount)
    try:
        parsed = parse_unit(unit) if unit is not None else None
    except ValueError:
        parsed = None
    kind = parsed.kind if parsed else None
    cur = currency or (parsed.currency if parsed else None)
    if kind is UnitKind.RATIO:
        return percent(amount)
    if kind is UnitKind.MONEY:
        return money(amount, cur, compact=compact, exact=exact)
    if kind is UnitKind.UNIT_COST:
        per = parsed.per if parsed and (label or per_thousand) else None
        return unit_cost(amount, cur, per, scale=1000 if per_thousand else 1)
    if kind is UnitKind.COUNT:
        return count(amount)
    if kind is UnitKind.DAYS:
        return days(amount) if label else days(amount).rsplit(" ", 1)[0]
    if kind is UnitKind.FACTOR:
        return factor(amount)
    if kind is UnitKind.POINTS:
        return points(amount)
    if kind is UnitKind.PERCENT:
        d = to_decimal(amount)
        return percent(None if d is None else d / 100)
    if kind is UnitKind.QUANTITY and label and parsed:
        return f"{number(amount)} {parsed.text}"
    return number(amount)


def change(delta: Any, relative_change: Any, unit: str | Unit | None = None) -> str:
    """A period-over-period change: percentage points for ratios (``delta`` is the absolute
    change of the fraction), a relative change for everything else."""
    kind = None
    if unit is not None:
        try:
            kind = parse_unit(unit).kind
        except ValueError:
            kind = None
    if kind is UnitKind.RATIO:
        return points(delta)
    return relative(relative_change)
