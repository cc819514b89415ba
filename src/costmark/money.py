"""Exact money arithmetic: the decimal context every money sum, difference and conversion uses.

Why: Python's default decimal context keeps 28 significant digits, so adding two
DECIMAL(38,18) amounts (up to 38 digits each) silently rounds their last digits, and even
``Decimal.normalize()`` rounds to 28 digits. Warehouse money is DECIMAL(38,18); a sum of such
values needs at most 40 digits, a currency conversion (amount × a rate of up to 17 digits)
about 60. ``CONTEXT`` keeps 80, so sums, differences and conversions are exact, and a ratio
(a division) is exact to far more digits than any output shows.

The context is entered with :func:`exact` (a ``localcontext``: per thread, restored on exit),
never installed globally: costmark is also a library, and the host process's own decimal
context is not ours to change.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

#: Digits kept by money arithmetic (see the module docstring for why 80).
PRECISION = 80
#: Scale of warehouse money (DECIMAL(38,18)): results of divisions are shown at this scale.
SCALE = 18
QUANTUM = Decimal(1).scaleb(-SCALE)

CONTEXT = Context(
    prec=PRECISION,
    rounding=ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


def exact() -> AbstractContextManager[Context]:
    """``with money.exact():`` makes every decimal operation inside use :data:`CONTEXT`."""
    return localcontext(CONTEXT)


def add(a: Decimal, b: Decimal) -> Decimal:
    """``a + b`` exactly (for code paths not inside :func:`exact`)."""
    return CONTEXT.add(a, b)


def tidy(value: Decimal) -> Decimal:
    """The same exact value without trailing zeros (30, not 30.000000000000000000).

    ``normalize()`` under the default context would round to 28 digits; this never rounds a
    value of up to :data:`PRECISION` digits."""
    normal = CONTEXT.normalize(value)
    exponent = normal.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return normal.quantize(Decimal(1), context=CONTEXT)
    return normal


def at_scale(value: Decimal) -> Decimal:
    """``value`` rounded (half even) to the 18 decimals of DECIMAL(38,18): exact for sums of
    warehouse money, the nearest representable value for quotients (cost per resource)."""
    return value.quantize(QUANTUM, context=CONTEXT)


def plain(value: Decimal) -> str:
    """Exact decimal as plain text (no exponent), without trailing zeros: '14.976514', '0',
    '-3.5', '123456789012.123456789012345678'."""
    if not value.is_finite():
        raise ValueError(f"not a finite amount: {value}")
    text = format(tidy(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
