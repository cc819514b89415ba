"""What ``ws.benchmark`` returns: named sections (DataFrames) and the caveats beside them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass
class BenchmarkResult:
    """Sections (DataFrames) keyed by name: targets, peers, improved, history, industry,
    external; plus the caveats a reader must see next to them."""

    kpi: str
    by: tuple[str, ...]
    grain: str
    period: dt.date | None
    direction: str
    sections: dict[str, pd.DataFrame] = field(default_factory=dict)
    caveats: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.sections[name]

    def to_frame(self) -> pd.DataFrame:
        """All sections in one long frame with a ``section`` column (for CSV)."""
        parts = [df.assign(section=name) for name, df in self.sections.items() if len(df)]
        if not parts:
            return pd.DataFrame(columns=["section"])
        out = pd.concat(parts, ignore_index=True)
        return out[["section", *[c for c in out.columns if c != "section"]]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kpi": self.kpi,
            "by": list(self.by),
            "grain": self.grain,
            "period": self.period,
            "direction": self.direction,
            "caveats": list(self.caveats),
            "sections": {
                name: [
                    {k: (None if _na(v) else v) for k, v in row.items()}
                    for row in df.to_dict("records")
                ]
                for name, df in self.sections.items()
            },
        }


def _na(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
