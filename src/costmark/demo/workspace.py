"""Build a demo workspace end to end: config, data, validation, ingest (``costmark demo``).

Re-running is safe. With the same seed, window and size, the files are byte-identical and every
load replaces what the previous run loaded. When any of those changed, the rows the previous run
loaded from ``demo-data/`` are removed first (one transaction), so the workspace never mixes two
generated organisations; nothing else in the warehouse is touched.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costmark.demo.config import DEMO_CONFIG, MARKER
from costmark.demo.generator import generate
from costmark.errors import UsageError, ValidationFailed
from costmark.ingest import pipeline
from costmark.workspace import CONFIG_FILE

if TYPE_CHECKING:
    from costmark.engine.context import Context

DATA_DIR = "demo-data"
_SAME_RUN_KEYS = ("seed", "start", "end", "rows", "resources")


def check_config(root: Path, *, force: bool) -> None:
    """Refuse to overwrite a costmark.yaml that ``costmark demo`` did not write."""
    config = root / CONFIG_FILE
    if config.exists() and not force and not config.read_text("utf-8").startswith(MARKER):
        raise UsageError(
            f"{config} exists and was not written by costmark demo; pick another "
            "--workspace or pass --force to overwrite it"
        )


def _previous(out: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads((out / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def purge_demo_rows(ws: Context, out: Path) -> int:
    """Delete what earlier demo runs loaded from ``out`` (costs by source file, side tables by
    ingest id); returns the number of rows removed."""
    prefix = str(out.resolve()) + "/"
    con = ws.warehouse.con
    removed = 0
    with ws.warehouse.transaction():
        row = con.execute(
            "DELETE FROM costs WHERE starts_with(x_SourceFile, ?)", [prefix]
        ).fetchone()
        removed += int(row[0]) if row else 0
        for table in ("business_metrics", "utilization", "recommendations"):
            row = con.execute(
                f"DELETE FROM {table} WHERE x_IngestId IN (SELECT ingest_id FROM ingest_log "
                "WHERE starts_with(file, ?))",
                [prefix],
            ).fetchone()
            removed += int(row[0]) if row else 0
    return removed


def build_demo(
    ws: Context,
    *,
    seed: int = 7,
    months: int = 13,
    rows: int | None = None,
    end: dt.date | None = None,
    ingest: bool = True,
    progress: Callable[[int, int], None] | None = None,
    show_progress: bool = False,
) -> dict[str, Any]:
    """Generate, validate and (unless ``ingest`` is False) load the demo into ``ws``."""
    out = ws.root / DATA_DIR
    before = _previous(out)
    manifest = generate(out, seed=seed, months=months, rows=rows, end=end, progress=progress)
    mapping = ws.root / "mappings" / "team_by_account.csv"
    mapping.parent.mkdir(exist_ok=True)
    shutil.copyfile(manifest.mapping_file, mapping)
    report = pipeline.validate(ws, [str(p) for p in manifest.focus_files])
    if not report.ok:
        raise ValidationFailed(
            f"the generated files do not validate ({len(report.errors)} errors); "
            f"run 'costmark validate {out}/focus' to see them"
        )
    now = manifest.to_dict()
    summary: dict[str, Any] = {
        "workspace": str(ws.root),
        "data": str(out),
        "seed": seed,
        "start": manifest.start.isoformat(),
        "end": (manifest.end - dt.timedelta(days=1)).isoformat(),
        "cost_rows": manifest.rows,
        "providers": manifest.providers,
        "teams": len(manifest.teams),
        "apps": len(manifest.apps),
        "accounts": manifest.accounts,
        "resources": manifest.resources,
        "commitments": manifest.commitments,
        "validation": {"errors": len(report.errors), "warnings": len(report.warnings)},
        "anomalies": manifest.anomalies,
    }
    if not ingest:
        return summary
    changed = before is not None and any(before.get(k) != now.get(k) for k in _SAME_RUN_KEYS)
    summary["replaced_previous_demo_rows"] = purge_demo_rows(ws, out) if changed else 0
    files = [str(p) for p in manifest.focus_files]
    focus = pipeline.ingest_focus(ws, files, progress=show_progress).to_dict()
    business = [pipeline.ingest_business(ws, p) for p in manifest.business_files]
    util = pipeline.ingest_utilization(ws, manifest.utilization_file)
    recs = pipeline.ingest_recommendations(ws, manifest.recommendations_file)
    summary["ingest"] = {
        "rows_loaded": focus["rows_loaded"],
        "rows_quarantined": focus["rows_quarantined"],
        "totals": focus["totals"],
        "business_rows": sum(b["rows_loaded"] for b in business),
        "utilization_samples": util["rows_loaded"],
        "recommendations": recs["rows_loaded"],
    }
    return summary


__all__ = ["DATA_DIR", "DEMO_CONFIG", "build_demo", "check_config", "purge_demo_rows"]
