"""costmark: FinOps performance tracking and benchmarking on FOCUS cost data."""

from costmark.api import Workspace, init_workspace, open_workspace
from costmark.errors import CostmarkError
from costmark.version import __version__

open = open_workspace

__all__ = ["CostmarkError", "Workspace", "__version__", "init_workspace", "open", "open_workspace"]
