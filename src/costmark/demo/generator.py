"""``generate()``: write a realistic demo organisation as FOCUS 1.2 Parquet plus business CSVs.

Deterministic for a seed (numpy Generator; each app draws from its own seeded stream, so the
result does not depend on chunking). Rows are built per app, vectorised, and streamed into one
Parquet file per provider, so ``rows=10_000_000`` runs in bounded memory.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from costmark.demo import arrow as A
from costmark.demo import charges, extras
from costmark.demo import org as org_mod
from costmark.demo.catalog import APPS, PROVIDERS
from costmark.demo.org import C_SCALE
from costmark.demo.usage import Anomaly, ChunkStats, app_rows

#: Parquet file per provider, under ``<out_dir>/focus/``.
PROVIDER_FILES = {"AWS": "aws.parquet", "Microsoft": "azure.parquet", "Google Cloud": "gcp.parquet"}


@dataclass
class DemoManifest:
    """What was generated, where, and the facts tests and the CLI summary rely on."""

    out_dir: Path
    seed: int
    start: dt.date
    end: dt.date  # exclusive
    focus_files: list[Path]
    business_files: list[Path]
    utilization_file: Path
    recommendations_file: Path
    mapping_file: Path
    anomalies_file: Path
    rows: int
    providers: list[str]
    teams: list[str]
    apps: list[str]
    accounts: int
    resources: int
    commitments: int
    anomalies: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for k, v in out.items():
            if isinstance(v, Path):
                out[k] = str(v)
            elif isinstance(v, list) and v and isinstance(v[0], Path):
                out[k] = [str(p) for p in v]
            elif isinstance(v, dt.date):
                out[k] = v.isoformat()
        return out


def window(months: int, end: dt.date | None) -> A.Calendar:
    """Daily window of ``months`` billing periods ending (exclusive) at ``end`` (default: today,
    UTC): from the first day of the month ``months - 1`` months before ``end``'s month."""
    if months < 1:
        raise ValueError("months must be at least 1")
    end = end or dt.datetime.now(dt.UTC).date()
    start = (end - dt.timedelta(days=1)).replace(day=1)
    for _ in range(months - 1):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return A.Calendar(start, (end - start).days)


def _anomalies(days: int) -> list[Anomaly]:
    first = days - 45 if days > 90 else max(1, days // 3)
    second = days - 11 if days > 30 else max(first + 4, days - 3)
    return [
        Anomaly(
            "training-runaway",
            "model-training",
            "Amazon SageMaker",
            first,
            3,
            10.0,
            "A hyper-parameter sweep left running: SageMaker training hours x10 for 3 days",
        ),
        Anomaly(
            "bigquery-scan-loop",
            "data-lake",
            "BigQuery",
            second,
            1,
            12.0,
            "A dashboard refresh loop re-scanned the lake: BigQuery TiB scanned x12",
        ),
    ]


def _scale_for(rows: int, cal: A.Calendar, seed: int) -> float:
    """Resource scale that gives about ``rows`` usage rows (measured at scale 1)."""
    probe = org_mod.build(np.random.default_rng(seed), cal.days, 1.0)
    res = probe.resources
    weekend = float((cal.weekday() >= 5).mean())
    per = sum(
        (min(res.end[i], cal.days) - res.start[i]) * (1 - weekend if res.weekend_off[i] else 1)
        for i in range(len(res))
    )
    return max(0.05, rows / max(per, 1.0))


def generate(
    out_dir: str | Path,
    *,
    seed: int = 7,
    months: int = 13,
    rows: int | None = None,
    end: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoManifest:
    """Generate the demo data set into ``out_dir`` (created); return what was written.

    ``rows`` asks for about that many cost rows (more resources, same window); ``progress``
    is called with (apps done, apps total).
    """
    out = Path(out_dir)
    (out / "focus").mkdir(parents=True, exist_ok=True)
    cal = window(months, end)
    scale = 1.0 if rows is None else _scale_for(rows, cal, seed)
    rng = np.random.default_rng(seed)
    org = org_mod.build(rng, cal.days, scale)
    recs = extras.plan_recommendations(org, cal, rng)
    growth = extras.growth_curves(cal)
    anomalies = _anomalies(cal.days)
    schema = A.focus_schema()
    stats = ChunkStats()
    paths = {p: out / "focus" / f for p, f in PROVIDER_FILES.items()}
    writers = {
        p: pq.ParquetWriter(path, schema, compression="zstd", store_schema=False)
        for p, path in paths.items()
    }
    try:
        for ai, app in enumerate(APPS):
            table = app_rows(
                org, ai, cal, growth, anomalies, np.random.default_rng([seed, ai]), schema, stats
            )
            if table is not None:
                writers[app.provider].write_table(table, row_group_size=1 << 20)
            if progress:
                progress(ai + 1, len(APPS))
        misc = (
            charges.purchases(org, cal)
            + charges.credits(org, cal, scale)
            + charges.refund(org, cal)
        )
        billed = {k: Decimal(v) / C_SCALE for k, v in stats.billed.items()}
        for k, v in charges.billed_of(misc, cal).items():
            billed[k] = billed.get(k, Decimal(0)) + v
        misc += charges.taxes(cal, billed)
        for provider, writer in writers.items():
            mine = [r for r in misc if r["ProviderName"] == provider]
            if mine:
                writer.write_table(A.from_rows(mine, schema))
    finally:
        for w in writers.values():
            w.close()

    long_path, wide_path, _ = extras.write_business(
        cal, growth, np.random.default_rng([seed, 1001]), out
    )
    util_path = extras.write_utilization(org, cal, np.random.default_rng([seed, 1002]), out)
    rec_path = extras.write_recommendations(recs, out)
    map_path = extras.write_team_mapping(org, out / "mappings" / "team_by_account.csv")
    anomaly_docs = _anomaly_docs(org, cal, anomalies, stats)
    anomalies_path = out / "ANOMALIES.json"
    anomalies_path.write_text(json.dumps(anomaly_docs, indent=2) + "\n", "utf-8")
    manifest = DemoManifest(
        out_dir=out,
        seed=seed,
        start=cal.start,
        end=cal.end,
        focus_files=list(paths.values()),
        business_files=[long_path, wide_path],
        utilization_file=util_path,
        recommendations_file=rec_path,
        mapping_file=map_path,
        anomalies_file=anomalies_path,
        rows=stats.rows + len(misc),
        providers=list(PROVIDERS),
        teams=sorted({a.team for a in APPS}),
        apps=[a.name for a in APPS],
        accounts=len(org.accounts),
        resources=len(org.resources),
        commitments=len(org.commitments),
        anomalies=anomaly_docs,
    )
    (out / "manifest.json").write_text(json.dumps(manifest.to_dict(), indent=2) + "\n", "utf-8")
    return manifest


def _anomaly_docs(
    org: org_mod.Org, cal: A.Calendar, anomalies: list[Anomaly], stats: ChunkStats
) -> list[dict[str, Any]]:
    docs = []
    for an in anomalies:
        app = next(a for a in APPS if a.name == an.app)
        acct = next(a for a in org.accounts if a.app == an.app and a.env_kind == "prod")
        extra = Decimal(stats.anomaly_cost.get(an.id, 0)) / C_SCALE
        docs.append(
            {
                "id": an.id,
                "start": cal.date(an.start_day).isoformat(),
                "dates": [
                    cal.date(an.start_day + k).isoformat()
                    for k in range(an.days)
                    if an.start_day + k < cal.days
                ],
                "provider": app.provider,
                "team": app.team,
                "app": app.name,
                "env": "prod",
                "service": an.service,
                "sub_account_id": acct.id,
                "factor": an.factor,
                "extra_effective_cost": str(extra.quantize(Decimal("0.01"))),
                "currency": acct.billing.currency,
                "description": an.description,
            }
        )
    return docs
