"""Who may see what: API tokens (stored hashed), roles, and dimension scopes.

Used through the facade (``Workspace.create_token``, ``Workspace.scoped``); the web app and
reports never read the token table or filter rows themselves.
"""
