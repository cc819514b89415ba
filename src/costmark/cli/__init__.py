"""Command-line front end: Typer commands that call ``costmark.api`` and nothing deeper."""
