"""Loading a workspace's data, over a context: validate, ingest, remove, convert.

The steps the facade (``Workspace.ingest_focus`` ...) and ``costmark demo`` share: each takes
the context (its project's ingest bounds and tag keys, its warehouse) and refreshes the KPI
rollups in the same transaction as the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costmark.errors import InputError

if TYPE_CHECKING:
    from costmark.convert.native import ConvertResult
    from costmark.engine.context import Context
    from costmark.focus.validate import ValidationReport
    from costmark.ingest.focus import IngestSummary
    from costmark.ingest.remove import RemovalSummary

#: One path, or several (files or folders).
Paths = str | Path | Sequence[str | Path]


def _listed(paths: Paths) -> list[str | Path]:
    return [paths] if isinstance(paths, str | Path) else list(paths)


def validate(ctx: Context, paths: Paths, *, focus_version: str | None = None) -> ValidationReport:
    """Check FOCUS files against the spec with this workspace's ingest bounds."""
    from costmark.focus.validate import validate_files

    dates = ctx.project.ingest.date_range.bounds()
    return validate_files(paths, focus_version=focus_version, dates=dates)


def ingest_focus(
    ctx: Context,
    paths: Paths,
    *,
    strict: bool = False,
    focus_version: str | None = None,
    progress: bool = True,
    delivery: str = "replace",
) -> IngestSummary:
    """Load FOCUS files into ``costs`` (one transaction; replaces the slices they hold, or with
    ``delivery`` "delta"/"ledger" adds FOCUS 1.4 corrections to them) and FOCUS 1.3/1.4
    dataset files into their tables."""
    from costmark.engine.rollups import refresh_rollups
    from costmark.ingest.datasets import ingest_dataset_files
    from costmark.ingest.focus import FileResult, IngestSummary, ingest_focus_files

    cost_paths, datasets = split_datasets(paths)
    summary = (
        ingest_focus_files(
            ctx.warehouse,
            cost_paths,
            tag_keys=ctx.project.tag_key_spellings,
            strict=strict,
            focus_version=focus_version,
            progress=progress,
            on_loaded=lambda slices: refresh_rollups(ctx, slices),
            dates=ctx.project.ingest.date_range.bounds(),
            delivery=delivery,
        )
        if cost_paths
        else IngestSummary()
    )
    if datasets:
        for r in ingest_dataset_files(ctx.warehouse, datasets, strict=strict):
            summary.files.append(
                FileResult(
                    r.file,
                    r.ingest_id,
                    f"{r.focus_version} {r.dataset}",
                    rows_read=r.rows_read,
                    rows_loaded=r.rows_loaded,
                    rows_quarantined=r.rows_quarantined,
                    sha256=r.sha256,
                )
            )
            summary.rows_replaced += r.rows_replaced
    return summary


def remove_focus(
    ctx: Context,
    *,
    ingest_ids: Sequence[str] = (),
    files: Sequence[str] = (),
    provider: str | None = None,
    billing_account: str | None = None,
    billing_period: str | None = None,
    dry_run: bool = False,
) -> RemovalSummary:
    """Take loaded FOCUS rows back out (one transaction, logged, rollups refreshed)."""
    from costmark.engine.rollups import refresh_rollups
    from costmark.ingest.remove import Selector, remove_focus_rows

    selector = Selector(
        tuple([ingest_ids] if isinstance(ingest_ids, str) else ingest_ids),
        tuple([files] if isinstance(files, str) else files),
        provider,
        billing_account,
        billing_period,
    )
    return remove_focus_rows(
        ctx.warehouse,
        selector,
        dry_run=dry_run,
        on_removed=lambda slices: refresh_rollups(ctx, slices),
    )


def convert_native(
    ctx: Context,
    paths: Paths,
    *,
    source: str,
    strict: bool = False,
    currency: str | None = None,
    progress: bool = True,
) -> tuple[list[ConvertResult], IngestSummary]:
    """Convert native exports to FOCUS Parquet in ``.costmark/converted/`` and load them."""
    from costmark.convert import convert_files

    results = convert_files(
        _listed(paths), source=source, out_dir=ctx.root / ".costmark" / "converted",
        currency=currency,
    )
    outputs = [r.output for r in results if r.output]
    summary = ingest_focus(ctx, outputs, strict=strict, focus_version="1.2", progress=progress)
    return results, summary


def ingest_business(ctx: Context, path: str | Path, *, layout: str = "auto") -> dict[str, Any]:
    from costmark.ingest.business import ingest_business as load

    return load(ctx.warehouse, ctx.project, path, layout=layout).to_dict()


def ingest_utilization(ctx: Context, path: str | Path) -> dict[str, Any]:
    from costmark.ingest.utilization import ingest_utilization as load

    return load(ctx.warehouse, path).to_dict()


def ingest_recommendations(ctx: Context, path: str | Path) -> dict[str, Any]:
    from costmark.ingest.recommendations import ingest_recommendations as load

    return load(ctx.warehouse, path).to_dict()


def lineage(ctx: Context, *, limit: int | None = None, kind: str | None = None) -> list[dict]:
    """The ingest log; a scoped context sees file-level lineage without totals (they span
    every team)."""
    from costmark.ingest.log import ingest_log

    if not ctx.scope:
        return ingest_log(ctx.warehouse, limit=limit, kind=kind)
    hidden = {"totals", "rows_read", "rows_loaded", "rows_quarantined", "rows_replaced"}
    rows = ingest_log(ctx.shared_warehouse, limit=limit, kind=kind)
    return [{k: v for k, v in r.items() if k not in hidden} for r in rows]


def split_datasets(paths: Paths) -> tuple[list[Path], list[Any]]:
    """Cost and Usage files apart from FOCUS 1.3/1.4 dataset files (Contract Commitment,
    Billing Period, Invoice Detail), each told by its columns, read once per file. A provider's
    native export is refused here with the command that loads it."""
    import duckdb

    from costmark.convert.detect import detect_native
    from costmark.focus.datasets import detect_dataset
    from costmark.focus.reader import sources

    costs: list[Path] = []
    datasets: list[Any] = []
    con = duckdb.connect()
    try:
        for src in sources(con, _listed(paths)):
            native = detect_native([src.original.get(c, c) for c in src.columns])
            if native is not None:
                raise InputError(native.hint(str(src.path)))
            spec = detect_dataset(set(src.columns))
            if spec is None:
                costs.append(src.path)
            else:
                datasets.append((src, spec))
    finally:
        con.close()
    return costs, datasets
