"""Build small FOCUS files from the valid 1.2 fixture with one thing changed."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "focus" / "valid_1_2.csv"

Rows = list[dict[str, str]]


def base_rows() -> tuple[list[str], Rows]:
    with FIXTURE.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def write_csv(path: Path, header: list[str], rows: Rows) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def variant(
    path: Path,
    change: Callable[[list[str], Rows], tuple[list[str], Rows] | None],
) -> Path:
    """Write the fixture with ``change`` applied (it may edit in place or return new ones)."""
    header, rows = base_rows()
    out = change(header, rows)
    if out is not None:
        header, rows = out
    return write_csv(path, header, rows)


def set_value(row: int, column: str, value: str) -> Callable[[list[str], Rows], None]:
    """Set ``column`` of data row ``row`` (1-based) to ``value``."""

    def change(header: list[str], rows: Rows) -> None:
        rows[row - 1][column] = value

    return change


def rename(old: str, new: str) -> Callable[[list[str], Rows], tuple[list[str], Rows]]:
    def change(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        header = [new if h == old else h for h in header]
        rows = [{(new if k == old else k): v for k, v in r.items()} for r in rows]
        return header, rows

    return change


def drop(column: str) -> Callable[[list[str], Rows], tuple[list[str], Rows]]:
    def change(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        return [h for h in header if h != column], rows

    return change


def add(column: str, value: str) -> Callable[[list[str], Rows], tuple[list[str], Rows]]:
    def change(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        for r in rows:
            r[column] = value
        return [*header, column], rows

    return change
