"""costmark: FinOps performance tracking and benchmarking on FOCUS cost data."""

from costmark.api import Workspace, init_workspace, open_workspace
from costmark.errors import CostmarkError

open = open_workspace

__all__ = ["CostmarkError", "Workspace", "init_workspace", "open", "open_workspace"]
__version__ = "0.1.0"
