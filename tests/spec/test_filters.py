"""The filter language: parsing, structured form, errors with positions, did-you-mean."""

from __future__ import annotations

from decimal import Decimal

import pytest

from costmark.spec import filters as f
from costmark.spec.formula import evaluate, parse_formula


def test_expression_parses_to_ast() -> None:
    node = f.parse_filter("ServiceCategory = 'Compute' and tag:env in ('prod','staging')")
    assert node == f.And((f.Compare("ServiceCategory", "=", "Compute"),
                          f.In("tag:env", ("prod", "staging"))))


def test_structured_equals_expression() -> None:
    structured = f.parse_filter({"ServiceCategory": "Compute", "tag:env": ["prod", "staging"]})
    assert structured == f.parse_filter(
        "ServiceCategory = 'Compute' and tag:env in ('prod', 'staging')")


@pytest.mark.parametrize("text", [
    "a = 1 or b != 'x' and not (c is null)",
    "ListCost >= 10.5 and x not in ('a', 'b''c')",
    "NOT a IS NOT NULL",
])
def test_render_round_trips(text: str) -> None:
    node = f.parse_filter(text)
    assert f.parse_filter(f.render(node)) == node


def test_precedence_and_literals() -> None:
    node = f.parse_filter("a = 1 or b = 2 and c = 'it''s'")
    assert isinstance(node, f.Or)
    assert node.items[0] == f.Compare("a", "=", Decimal(1))
    assert node.items[1] == f.And((f.Compare("b", "=", Decimal(2)), f.Compare("c", "=", "it's")))


@pytest.mark.parametrize(("text", "fragment"), [
    ("a = ", "expected a quoted text or a number at position 5"),
    ("a in 'x'", "expected '('"),
    ("(a = 1", "expected ')'"),
    ("a = 1 b = 2", "'and', 'or' or the end"),
    ("a ~ 1", "unexpected"),
    ("a; DROP TABLE costs", "unexpected"),
])
def test_syntax_errors_point_at_position(text: str, fragment: str) -> None:
    with pytest.raises(f.FilterSyntaxError, match="cannot read filter") as exc:
        f.parse_filter(text)
    assert fragment in str(exc.value)


def test_fields_of() -> None:
    node = f.parse_filter("team = 'a' or (tag:env is null and not ServiceName = 'x')")
    assert f.fields_of(node) == {"team", "tag:env", "ServiceName"}


def test_formula() -> None:
    expr = parse_formula("(a - b) / c * 100")
    assert evaluate(expr, {"a": Decimal(3), "b": Decimal(1), "c": Decimal(4)}) == Decimal(50)
    assert evaluate(expr, {"a": Decimal(3), "b": Decimal(1), "c": Decimal(0)}) is None
    assert evaluate(parse_formula("-a + 1"), {"a": Decimal(2)}) == Decimal(-1)


# -- hostile filters are located errors, never tracebacks (issue #11) -----------------------
def test_a_40_digit_literal_is_an_error_with_its_position() -> None:
    with pytest.raises(f.FilterSyntaxError, match=r"position 14 has 40 integer"):
        f.parse_filter("BilledCost > " + "1234567890" * 4)
    with pytest.raises(f.FilterSyntaxError, match="19 decimal digits"):
        f.parse_filter("BilledCost > 0." + "1" * 19)
    with pytest.raises(f.FilterSyntaxError, match="integer"):
        f.parse_filter({"BilledCost": 1e40})
    # the widest money literals still parse
    widest = "9" * 20 + "." + "9" * 18
    assert f.parse_filter(f"BilledCost < {widest}") == f.Compare("BilledCost", "<", Decimal(widest))


@pytest.mark.parametrize("opener", ["(", "not "])
def test_deep_nesting_is_an_error_not_a_recursion_error(opener: str) -> None:
    closer = ")" if opener == "(" else ""
    deep = opener * 2000 + "ServiceCategory = 'Compute'" + closer * 2000
    with pytest.raises(f.FilterSyntaxError, match="nested more than 100 levels"):
        f.parse_filter(deep)
    ok = opener * 100 + "ServiceCategory = 'Compute'" + closer * 100
    assert f.fields_of(f.parse_filter(ok)) == {"ServiceCategory"}
