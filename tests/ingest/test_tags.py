"""Tag keys match ignoring case and surrounding spaces: one key, one column, one rule.

Rule (costmark.ingest.tags): the value under a spelling written in costmark.yaml (first listed
first), else under any key of the row matching ignoring case and spaces, first in code-point
order; blank values count as missing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

import costmark
from tests.focus.helpers import base_rows, write_csv
from tests.kpi_support import tag_value

# (Tags of the row, value of the one owner key)
ROWS = [
    ({"Owner": "alice"}, "alice"),  # AWS spelling
    ({"owner": "bob"}, "bob"),  # GCP spelling
    ({"Owner": "carol", "owner": "dave"}, "carol"),  # both: the first spelling in the yaml
    ({"OWNER": "erin"}, "erin"),  # neither spelling: matched ignoring case
    ({" owner ": "", "Owner ": "frank"}, "frank"),  # spaces trimmed, blank is missing
    ({"owner": " ", "OWNER": "gina", "oWner": "hal"}, "gina"),  # code-point order: OWNER first
    ({"team": "x"}, None),
    ({"Owners": "ian"}, None),  # another key
]


def _file(tmp_path: Path) -> Path:
    header, rows = base_rows()
    template = rows[0]
    out = []
    for i, (tags, _) in enumerate(ROWS):
        row = dict(template)
        row["Tags"] = json.dumps(tags)
        row["ResourceId"] = f"vm-{i}"
        row["EffectiveCost"] = row["BilledCost"] = str(i + 1)
        out.append(row)
    return write_csv(tmp_path / "tags.csv", header, out)


def _owner_values(ws: costmark.Workspace) -> list[str | None]:
    rows = ws.warehouse.con.execute(
        'SELECT tag_owner FROM costs ORDER BY "EffectiveCost"').fetchall()
    return [r[0] for r in rows]


def test_spellings_collapse_to_one_key(tmp_path: Path) -> None:
    config = "version: 1\ntag_keys: [Owner, owner]\n"
    with costmark.init_workspace(tmp_path / "ws", config_text=config) as ws:
        assert ws.project.materialized_tag_keys == ("Owner",)
        ws.ingest_focus([_file(tmp_path)], progress=False)  # crashed: tag_owner exists twice
        columns = [c for c in ws.warehouse.table_columns("costs") if c.startswith("tag_")]
        assert columns == ["tag_owner"]
        assert _owner_values(ws) == [want for _, want in ROWS]
        assert [tag_value(t, ["Owner", "owner"]) for t, _ in ROWS] == [w for _, w in ROWS]
        # every spelling of the key in a query is the same dimension
        for name in ("tag:Owner", "tag:owner", "tag:OWNER"):
            result = ws.kpi("total_cost", by=[name], grain="year")
            by = {r[name]: r["value"] for r in result}
            assert by == {"alice": 1, "bob": 2, "carol": 3, "erin": 4, "frank": 5, "gina": 6,
                          None: 15}
        share = ws.kpi("untagged_cost_share:owner", grain="year").rows()[0]
        assert share["value"] == pytest.approx(15 / 36)


def test_backfill_follows_the_same_rule(tmp_path: Path) -> None:
    with costmark.init_workspace(tmp_path / "ws") as ws:
        ws.ingest_focus([_file(tmp_path)], progress=False)
        ws.config_path.write_text("version: 1\ntag_keys: [Owner, owner]\n", "utf-8")
        ws.reload_project()
        assert ws.ensure_tag_columns() == ["tag_owner"]
        assert _owner_values(ws) == [want for _, want in ROWS]
        assert ws.ensure_tag_columns() == []


def test_dimension_and_key_in_other_cases(tmp_path: Path) -> None:
    """A dimension on tag ``owner`` and tag_keys ``[OWNER]`` share the one column."""
    config = ("version: 1\ntag_keys: [OWNER]\ndimensions:\n  owner:\n    tag: owner\n"
              "    allocation: true\n")
    with costmark.init_workspace(tmp_path / "ws", config_text=config) as ws:
        ws.ingest_focus([_file(tmp_path)], progress=False)
        # spellings in yaml order: OWNER (tag_keys), then owner (the dimension); a row with
        # Owner and owner has no OWNER, so its owner value wins over code-point order
        result = ws.kpi("total_cost", by=["owner"], grain="year", rollups=True)
        assert result.source == "rollup"
        got = {r["owner"]: r["value"] for r in result}
        assert got["dave"] == 3 and got["erin"] == 4


def test_real_sample_keys_with_spaces(tmp_path: Path, shared_data: Path) -> None:
    """The FOCUS 1.0 sample's Microsoft rows carry both ``org`` and `` org`` (leading space):
    one key ``org`` reads both, by the rule."""
    sample = shared_data / "focus-sample-data" / "FOCUS-1.0_focus_sample.csv"
    expected = 0
    with sample.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["Tags"] not in ("", "NULL"):
                expected += tag_value(json.loads(r["Tags"]), ["org"]) is not None
    with costmark.init_workspace(tmp_path / "ws", config_text="version: 1\ntag_keys: [org]\n") \
            as ws:
        ws.ingest_focus([sample], progress=False)
        got = ws.warehouse.con.execute(
            "SELECT count(tag_org), count(*) FILTER (WHERE Tags LIKE '%\" org\"%' "
            "AND Tags NOT LIKE '%\"org\"%') FROM costs").fetchone()
        assert got is not None
        assert got[0] == expected and got[1] > 0  # rows with only " org" are counted
