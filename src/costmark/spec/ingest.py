"""The ``ingest`` section of costmark.yaml: bounds a value must fall in to be loaded.

Why configurable: the default billing range (2000-01-01 to ten years after today) fits any
current bill, but an organisation that loads contract schedules decades ahead, or archives
from the 1990s, widens it here. Validation and ingest read the same setting, so what
``costmark validate --workspace`` calls fine is exactly what ``costmark ingest`` loads.
"""

from __future__ import annotations

import datetime as dt

from pydantic import model_validator

from costmark.focus.limits import EARLIEST, DateBounds
from costmark.spec.base import Frozen


class DateRange(Frozen):
    """Plausible dates, both ends inclusive; ``latest`` omitted: ten years after today."""

    earliest: dt.date = EARLIEST
    latest: dt.date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.latest is not None and self.latest < self.earliest:
            raise ValueError(f"latest ({self.latest}) is before earliest ({self.earliest})")
        return self

    def bounds(self) -> DateBounds:
        return DateBounds(self.earliest, self.latest)


class IngestSettings(Frozen):

    #: rows with a date/time outside this range are a validation error and are quarantined
    date_range: DateRange = DateRange()
