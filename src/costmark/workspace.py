"""Workspace layout: costmark.yaml (definitions, in git) and .costmark/ (records, not in git)."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from costmark.errors import WorkspaceError

CONFIG_FILE = "costmark.yaml"
STATE_DIR = ".costmark"
WAREHOUSE_FILE = "warehouse.duckdb"
ENV_VAR = "COSTMARK_WORKSPACE"


def resolve_root(path: str | Path | None) -> Path:
    """The workspace folder: the given path, else $COSTMARK_WORKSPACE, else the current folder."""
    if path is None or str(path) == "":
        path = os.environ.get(ENV_VAR) or "."
    return Path(path).expanduser().resolve()


def warehouse_path(root: Path) -> Path:
    return root / STATE_DIR / WAREHOUSE_FILE


def default_config_text() -> str:
    return resources.files("costmark.data").joinpath("costmark.default.yaml").read_text("utf-8")


def init_files(root: Path, *, config_text: str | None = None, force: bool = False) -> Path:
    """Create the workspace folder, costmark.yaml and .costmark/; never overwrite a config
    unless ``force``."""
    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_FILE
    if config.exists() and not force:
        pass
    else:
        config.write_text(config_text or default_config_text(), "utf-8")
    (root / STATE_DIR).mkdir(exist_ok=True)
    gitignore = root / STATE_DIR / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("*\n", "utf-8")
    return root


def require_workspace(root: Path) -> None:
    if not (root / CONFIG_FILE).exists():
        raise WorkspaceError(
            f"{root} is not a costmark workspace (no {CONFIG_FILE}); "
            f"run 'costmark init {root}' or pass --workspace"
        )
    if not warehouse_path(root).exists():
        raise WorkspaceError(
            f"{root} has {CONFIG_FILE} but no warehouse; run 'costmark init {root}' to create it"
        )
