"""Which engine computes KPIs (costmark.yaml ``engine:``); ``--engine`` overrides it per command.

    engine: spark             # or duckdb (the default): the short form
    engine:
      name: spark
      spark:
        master: spark://host:7077     # default: $COSTMARK_SPARK_MASTER, else local[2]
        staging: /mnt/shared/costmark # a folder every executor can read (non-local masters)
        options:                      # extra Spark configuration, passed as given
          spark.executor.memory: 4g

Every command that computes (kpi, track, forecast, anomalies, budgets, benchmark, assess,
evidence, report, alerts, schedules, serve and /metrics) runs on the engine named here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class SparkOptions(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    master: str | None = None
    staging: str | None = None
    options: dict[str, str] = Field(default_factory=dict)


class EngineSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Literal["duckdb", "spark"] = "duckdb"
    spark: SparkOptions = SparkOptions()

    @model_validator(mode="before")
    @classmethod
    def _short_form(cls, value: Any) -> Any:
        """``engine: spark`` is ``engine: {name: spark}``."""
        return {"name": value} if isinstance(value, str) else value
