"""The one base of every configuration and catalog model.

Why frozen: a validated project is shared by the engine, the web app and background jobs;
nobody may change it behind another's back. Why ``extra="forbid"``: a misspelt key in
costmark.yaml is an error with its place, not a silently ignored setting. ``populate_by_name``
lets models whose YAML key is a Python keyword (``from``) be built by field name in code.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    """Immutable, strict pydantic model: subclass it for every spec model."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
