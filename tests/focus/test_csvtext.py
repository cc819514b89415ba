"""CSV text is read exactly or refused with the line that is wrong (issue #11).

Each file is the valid fixture with one structural fault; the same bytes go through validate,
ingest and ingest --strict, which must agree: load exactly, or refuse with file and line.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import costmark
from costmark.errors import InputError
from costmark.focus.validate import validate_files
from tests.focus.helpers import FIXTURE


def fixture_lines() -> list[bytes]:
    return [line for line in FIXTURE.read_bytes().splitlines() if line]


def write(path: Path, lines: list[bytes], ends: list[bytes] | bytes = b"\r\n") -> Path:
    """Lines joined with the given ending(s): one for all, or one per line."""
    per_line = ends if isinstance(ends, list) else [ends] * len(lines)
    path.write_bytes(b"".join(line + end for line, end in zip(lines, per_line, strict=True)))
    return path


def costs(ws: costmark.Workspace) -> list[tuple[object, ...]]:
    return ws.warehouse.con.execute(
        'SELECT "x_SourceRow", "AvailabilityZone", "BilledCost", "ChargeDescription" '
        "FROM costs ORDER BY 1"
    ).fetchall()


def expected_rows() -> list[tuple[object, ...]]:
    """What the untouched fixture loads as (the reference every exact read must match)."""
    return [
        (1, "us-east-1a", Decimal("10.5"), "VM hours"),
        (2, "us-east-1a", Decimal("0"), "VM hours"),
        (3, "us-east-1a", Decimal("0"), "VM hours"),
        (4, "us-east-1a", Decimal("4"), "VM hours"),
        (5, "us-east-1a", Decimal("1.2"), "Sales tax"),
        (6, "us-east-1a", Decimal("-2"), "Promo credit"),
    ]


def refused(workspace: costmark.Workspace, path: Path, line: int) -> InputError:
    """validate, ingest and ingest --strict all refuse ``path`` naming ``line``; nothing loads."""
    errors = []
    with pytest.raises(InputError) as caught:
        validate_files(path)
    errors.append(caught.value)
    for strict in (False, True):
        with pytest.raises(InputError) as caught:
            workspace.ingest_focus([path], strict=strict, progress=False)
        errors.append(caught.value)
    for err in errors:
        assert str(path) in str(err)
        assert err.problems and err.problems[0].line == line, str(err)
    assert costs(workspace) == []
    return errors[0]


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_every_single_line_ending_loads_exactly(
    workspace: costmark.Workspace, tmp_path: Path, ending: bytes
) -> None:
    path = write(tmp_path / "costs.csv", fixture_lines(), ending)
    report = validate_files(path)
    assert report.ok and report.files[0].rows == 6
    workspace.ingest_focus([path], strict=True, progress=False)
    assert costs(workspace) == expected_rows()


def test_bare_cr_in_crlf_file_is_refused_not_misread(
    workspace: costmark.Workspace, tmp_path: Path
) -> None:
    lines = fixture_lines()
    # the row after the bare CR starts "us-east-1a"; lenient reading stored "s-east-1a"
    ends = [b"\r\n", b"\r", *[b"\r\n"] * (len(lines) - 2)]
    path = write(tmp_path / "bare_cr.csv", lines, ends)
    err = refused(workspace, path, line=2)
    assert "bare carriage return" in str(err)


def test_unbalanced_quote_is_a_located_error(workspace: costmark.Workspace, tmp_path: Path) -> None:
    lines = fixture_lines()
    lines[2] = lines[2].replace(b"VM hours", b'"VM hours', 1)
    err = refused(workspace, write(tmp_path / "quote.csv", lines), line=3)
    assert "unbalanced quote" in str(err) and err.problems[0].column == "ChargeDescription"


def test_extra_fields_are_a_located_error(workspace: costmark.Workspace, tmp_path: Path) -> None:
    lines = fixture_lines()
    lines[4] += b",surplus"
    err = refused(workspace, write(tmp_path / "extra.csv", lines), line=5)
    assert "more fields than the header" in str(err)


def test_multi_line_quoted_field_loads(workspace: costmark.Workspace, tmp_path: Path) -> None:
    lines = fixture_lines()
    lines[2] = lines[2].replace(b"VM hours", b'"VM\r\nhours, ""quoted"""', 1)
    path = write(tmp_path / "multiline.csv", lines)
    assert validate_files(path).ok
    workspace.ingest_focus([path], strict=True, progress=False)
    got = costs(workspace)
    assert got[1] == (2, "us-east-1a", Decimal("0"), 'VM\r\nhours, "quoted"')
    assert [r for i, r in enumerate(got) if i != 1] == [
        r for i, r in enumerate(expected_rows()) if i != 1
    ]


def test_short_rows_still_pad_with_nulls(workspace: costmark.Workspace, tmp_path: Path) -> None:
    """Trailing fields left out (some exporters do) are nulls, also next to a quoted newline."""
    lines = fixture_lines()
    lines[1] = lines[1].replace(b"VM hours", b'"VM\nhours"', 1)
    lines[6] = lines[6].rsplit(b",", 1)[0]  # no Tags field (the fixture's row 6 has tags)
    path = write(tmp_path / "short.csv", lines)
    assert validate_files(path).files[0].rows == 6
    workspace.ingest_focus([path], progress=False)
    tags = workspace.warehouse.con.execute(
        'SELECT "x_SourceRow", "Tags" IS NULL FROM costs ORDER BY 1'
    ).fetchall()
    assert [t for _, t in tags] == [False, False, True, True, True, True]


def test_huge_header_field_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    lines = fixture_lines()
    lines[0] += b",x_" + b"a" * 200_000  # a 200 KB column name (csv's own limit is 128 KB)
    lines[1:] = [line + b"," for line in lines[1:]]
    report = validate_files(write(tmp_path / "wide.csv", lines))
    assert report.ok and report.files[0].rows == 6  # a custom x_ column: long, but legal
    lines[0] += b"," + b"b" * (17 * 1024 * 1024)
    with pytest.raises(InputError, match="header row"):
        validate_files(write(tmp_path / "huge.csv", lines))
