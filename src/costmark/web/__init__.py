"""The web dashboard: ``create_app(workspace_path)`` builds a FastAPI app over the facade.

Every HTML page has a JSON twin under ``/api/``; one error handler answers JSON or HTML;
every route except ``/login``, ``/health`` and ``/static`` needs a token or a session.
"""

from costmark.web.app import create_app

__all__ = ["create_app"]
