"""The one facade every front end (CLI, web, Python users) calls. Nothing deeper.

    import costmark
    ws = costmark.open("path/to/workspace")
    ws.kpi("effective_savings_rate", grain="month", by=["team"]).to_pandas()

Each subsystem adds its entry points to ``Workspace`` in its own section below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from costmark.errors import WorkspaceError
from costmark.spec import Project, load_project
from costmark.store import Warehouse
from costmark.workspace import (
    CONFIG_FILE,
    init_files,
    require_workspace,
    resolve_root,
    warehouse_path,
)


class Workspace:
    """An opened workspace: its validated project and its warehouse."""

    def __init__(self, root: Path, *, read_only: bool = False) -> None:
        require_workspace(root)
        self.root = root
        self.read_only = read_only
        self._project: Project | None = None
        self._warehouse: Warehouse | None = None

    # -- basics ------------------------------------------------------------------------
    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_FILE

    @property
    def project(self) -> Project:
        if self._project is None:
            self._project = load_project(self.config_path)
        return self._project

    def reload_project(self) -> Project:
        self._project = None
        return self.project

    @property
    def warehouse(self) -> Warehouse:
        if self._warehouse is None:
            self._warehouse = Warehouse(warehouse_path(self.root), read_only=self.read_only)
        return self._warehouse

    def close(self) -> None:
        if self._warehouse is not None:
            self._warehouse.close()
            self._warehouse = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def info(self) -> dict[str, Any]:
        wh = self.warehouse
        rows = wh.con.execute("SELECT count(*) FROM costs").fetchone()
        return {
            "workspace": str(self.root),
            "schema_version": wh.schema_version,
            "cost_rows": rows[0] if rows else 0,
            "dimensions": sorted(self.project.dimensions),
            "business_metrics": sorted(self.project.business_metrics),
        }

    # -- validation and ingest (issue: foundation) -------------------------------------

    # -- KPIs (issue: KPI engine) ------------------------------------------------------

    # -- tracking and benchmarking -----------------------------------------------------

    # -- maturity and iterations -------------------------------------------------------

    # -- reports, web, alerts ----------------------------------------------------------


def init_workspace(
    path: str | Path | None = None, *, force: bool = False, config_text: str | None = None
) -> Workspace:
    """Create (or complete) a workspace and return it opened."""
    root = resolve_root(path)
    init_files(root, config_text=config_text, force=force)
    Warehouse(warehouse_path(root), create=True).close()
    return Workspace(root)


def open_workspace(path: str | Path | None = None, *, read_only: bool = False) -> Workspace:
    """Open an existing workspace (the path, $COSTMARK_WORKSPACE, or the current folder)."""
    root = resolve_root(path)
    if not root.exists():
        raise WorkspaceError(f"workspace folder {root} does not exist")
    return Workspace(root, read_only=read_only)
