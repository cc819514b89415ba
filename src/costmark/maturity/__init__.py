"""FinOps maturity: the capability catalog (both frameworks), assessments on five lenses with
evidence from the data, and the FinOps iteration loop (plan, status, review, next).

Front ends use the facade (``costmark.api.Workspace``); the modules here are the core:
catalog -> evidence/rules -> scoring -> assessment; iterations -> progress -> review; store and
exchange keep documents in the warehouse and in YAML.
"""

from costmark.maturity.catalog import LENSES, Capability, Catalog, load_catalog
from costmark.maturity.scoring import STAGES, stage_of
from costmark.maturity.sources import Source, StaticSource, Unavailable, WorkspaceSource

__all__ = [
    "LENSES",
    "STAGES",
    "Capability",
    "Catalog",
    "Source",
    "StaticSource",
    "Unavailable",
    "WorkspaceSource",
    "load_catalog",
    "stage_of",
]
