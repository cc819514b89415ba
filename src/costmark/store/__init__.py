"""The workspace's DuckDB warehouse: connection, transactions and versioned migrations."""

from costmark.store.warehouse import Warehouse

__all__ = ["Warehouse"]
