"""Arithmetic formulas over named values (KPI ids): ``+ - * /``, parentheses and numbers.

Used by user KPIs of the ``formula`` form (``formula: "cost_per_transactions * 1000"``). Parsed
into a tiny AST and evaluated with Decimal arithmetic; never handed to a database or to eval().
Division by zero yields None (the engine turns that into a null value with a note).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Union

from costmark.errors import ConfigError


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Neg:
    item: Expr


Expr = Union[Num, Ref, BinOp, Neg]  # noqa: UP007

_TOK = re.compile(r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][\w:.\-]*)|(?P<op>[-+*/()]))")


def parse_formula(text: str) -> Expr:
    """Parse ``text``; raise ConfigError naming the position of the first problem."""
    toks: list[tuple[str, str, int]] = []
    pos = 0
    while pos < len(text) and text[pos:].strip():
        m = _TOK.match(text, pos)
        if not m or m.end() == pos:
            raise ConfigError(f"cannot read formula {text!r} at position {pos + 1}")
        kind = m.lastgroup or "op"
        toks.append((kind, m.group(kind), m.start(kind)))
        pos = m.end()
    toks.append(("end", "", len(text)))
    i = 0

    def fail(expected: str) -> ConfigError:
        kind, tok, at = toks[i]
        got = repr(tok) if kind != "end" else "end of formula"
        return ConfigError(
            f"cannot read formula {text!r}: expected {expected} at position {at + 1}, got {got}"
        )

    def expr() -> Expr:
        nonlocal i
        node = term()
        while toks[i][1] in ("+", "-") and toks[i][0] == "op":
            op = toks[i][1]
            i += 1
            node = BinOp(op, node, term())
        return node

    def term() -> Expr:
        nonlocal i
        node = factor()
        while toks[i][1] in ("*", "/") and toks[i][0] == "op":
            op = toks[i][1]
            i += 1
            node = BinOp(op, node, factor())
        return node

    def factor() -> Expr:
        nonlocal i
        kind, tok, _ = toks[i]
        if kind == "op" and tok == "-":
            i += 1
            return Neg(factor())
        if kind == "op" and tok == "(":
            i += 1
            node = expr()
            if toks[i][1] != ")":
                raise fail("')'")
            i += 1
            return node
        if kind == "num":
            i += 1
            return Num(Decimal(tok))
        if kind == "name":
            i += 1
            return Ref(tok)
        raise fail("a number, a KPI id or '('")

    result = expr()
    if toks[i][0] != "end":
        raise fail("an operator or the end")
    return result


def refs(node: Expr) -> set[str]:
    """Every name the formula reads."""
    if isinstance(node, Ref):
        return {node.name}
    if isinstance(node, BinOp):
        return refs(node.left) | refs(node.right)
    if isinstance(node, Neg):
        return refs(node.item)
    return set()


def evaluate(node: Expr, values: Mapping[str, Decimal | None]) -> Decimal | None:
    """Evaluate with exact decimals; any missing value or division by zero gives None."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        return values.get(node.name)
    if isinstance(node, Neg):
        inner = evaluate(node.item, values)
        return None if inner is None else -inner
    left = evaluate(node.left, values)
    right = evaluate(node.right, values)
    if left is None or right is None:
        return None
    ops: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
        "/": lambda a, b: a / b,
    }
    try:
        return ops[node.op](left, right)
    except (DivisionByZero, InvalidOperation, ZeroDivisionError):
        return None
