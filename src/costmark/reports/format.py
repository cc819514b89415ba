"""Cell formatting for reports and pages: moved to :mod:`costmark.present`; these names stay
importable from here while callers are repointed."""

from __future__ import annotations

from costmark.present.numbers import relative as pct
from costmark.present.records import change_text, columns, fmt
from costmark.present.units import RATIO_WORDS as RATIO_UNITS

__all__ = ["RATIO_UNITS", "change_text", "columns", "fmt", "pct"]
