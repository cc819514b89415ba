"""The KPI engine: ``context`` (what every service takes), ``kpiengine`` (plan, run, explain),
``query`` and ``compile`` (one shared scan per request), ``backends`` (DuckDB, Spark), rollups,
periods and the data's extent (``asof``)."""
