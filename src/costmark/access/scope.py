"""Scoped access: a token scoped to ``{"team": "payments"}`` sees only matching rows.

Scoping is no longer a proxy over the facade: the scope lives in the context
(``costmark.engine.context.Context.with_scope``). Its KPI engine adds the scope's filter and
keeps only the matching groups for every request, and its raw warehouse refuses
(``ScopeUnsupported``), so anything that does not ask the engine fails closed. What is left
here is the exception's old import path.
"""

from __future__ import annotations

from costmark.errors import ScopeUnsupported

__all__ = ["ScopeUnsupported"]
