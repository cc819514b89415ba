"""costmark.yaml as frozen pydantic models, loaded with file:line locations."""

from costmark.spec.loader import load_project
from costmark.spec.models import Project

__all__ = ["Project", "load_project"]
