"""Units: every declared unit parses to a kind; bad units fail when the project loads."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from costmark.errors import ConfigError
from costmark.kpis import library
from costmark.present.units import Unit, UnitKind, difference_unit, parse_unit, unit_kind
from costmark.spec.kpis import KpiDefinition, UserKpi
from costmark.spec.loader import load_project


@pytest.mark.parametrize(
    ("text", "kind", "per", "currency"),
    [
        ("currency", UnitKind.MONEY, None, None),
        ("USD", UnitKind.MONEY, None, "USD"),
        ("ratio", UnitKind.RATIO, None, None),
        ("share", UnitKind.RATIO, None, None),
        ("%", UnitKind.RATIO, None, None),
        ("currency/transaction", UnitKind.UNIT_COST, "transaction", None),
        ("EUR/customer", UnitKind.UNIT_COST, "customer", "EUR"),
        ("count", UnitKind.COUNT, None, None),
        ("days", UnitKind.DAYS, None, None),
        ("factor", UnitKind.FACTOR, None, None),
        ("pp", UnitKind.POINTS, None, None),
        ("pct", UnitKind.PERCENT, None, None),
        ("GB", UnitKind.QUANTITY, None, None),
        ("GB/hour", UnitKind.QUANTITY, "hour", None),
    ],
)
def test_parse(text: str, kind: UnitKind, per: str | None, currency: str | None) -> None:
    unit = parse_unit(text)
    assert (unit.kind, unit.per, unit.currency, str(unit)) == (kind, per, currency, text)
    assert unit_kind(text) is kind


@pytest.mark.parametrize("text", ["", "   ", "currency/", "/transaction", "x" * 65, "a\nb"])
def test_bad_units_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="unit"):
        parse_unit(text)
    assert unit_kind(text) is None  # displays fall back to a plain number


def test_every_builtin_kpi_declares_a_known_unit() -> None:
    kinds = {b.definition.id: b.definition.unit_info.kind for b in library.BY_ID.values()}
    assert kinds["total_cost"] is UnitKind.MONEY
    assert kinds["effective_savings_rate"] is UnitKind.RATIO
    assert kinds["spend_elasticity"] is UnitKind.FACTOR
    assert all(isinstance(k, UnitKind) for k in kinds.values())


def test_models_validate_units() -> None:
    with pytest.raises(ValidationError, match="both sides"):
        KpiDefinition(id="x", title="x", description="", unit="currency/", direction="none",
                      kind="user")
    with pytest.raises(ValidationError, match="not a unit"):
        UserKpi(unit="", measure={"sum": "EffectiveCost"})
    assert UserKpi(unit=" days ", measure={"sum": "EffectiveCost"}).unit == "days"


def test_a_bad_unit_in_costmark_yaml_is_a_located_config_error(tmp_path: Path) -> None:
    (tmp_path / "costmark.yaml").write_text(
        "name: t\nkpis:\n  k:\n    unit: 'currency/'\n    measure: {sum: EffectiveCost}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path / "costmark.yaml")
    assert "both sides" in str(info.value) and "costmark.yaml" in str(info.value)


def test_difference_unit() -> None:
    assert difference_unit("ratio") == "pp"
    assert difference_unit("currency") == "currency"
    assert difference_unit(None) is None
    assert difference_unit(Unit(UnitKind.RATIO, "share")) == "pp"
