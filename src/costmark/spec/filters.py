"""Filters: structured mappings or a small expression language, parsed into a tiny AST.

Why our own parser: a filter written in costmark.yaml or passed with ``--where`` must never be
pasted into SQL. It is parsed here into a few frozen node types, checked against the columns,
tags and dimensions that exist, and only then compiled to Ibis expressions by the engine.

Grammar (keywords are case-insensitive)::

    expr    := and_expr ("or" and_expr)*
    and_expr:= not_expr ("and" not_expr)*
    not_expr:= "not" not_expr | "(" expr ")" | test
    test    := field ("=" | "!=" | "<>" | "<" | "<=" | ">" | ">=") literal
             | field ["not"] "in" "(" literal ("," literal)* ")"
             | field "is" ["not"] "null"
    field   := NAME | "tag:" KEY          (NAME: a FOCUS column, x_ column or dimension)
    literal := 'text' | "text" | number

Structured form: ``{ServiceCategory: Compute, "tag:env": [prod, staging]}`` means
``ServiceCategory = 'Compute' and tag:env in ('prod', 'staging')``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Union

from costmark.errors import ConfigError, Located
from costmark.errors import FilterSyntaxError as FilterSyntaxError

Literal_ = str | Decimal


@dataclass(frozen=True)
class Compare:
    field: str
    op: str  # = != < <= > >=
    value: Literal_


@dataclass(frozen=True)
class In:
    field: str
    values: tuple[Literal_, ...]
    negated: bool = False


@dataclass(frozen=True)
class IsNull:
    field: str
    negated: bool = False


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Union[Compare, In, IsNull, And, Or, Not]  # noqa: UP007 (recursive alias)

#: What users may write in costmark.yaml for a filter.
FilterSpec = str | dict[str, str | int | float | bool | list[str | int | float] | None]


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>'(?:[^']|'')*'|"(?:[^"]|"")*")
      | (?P<num>-?\d+(?:\.\d+)?)
      | (?P<op><=|>=|!=|<>|=|<|>|\(|\)|,)
      | (?P<name>(?:tag:)?[A-Za-z_][\w.\-/]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "is", "null"}


@dataclass(frozen=True)
class _Tok:
    kind: str  # str num op name kw end
    text: str
    pos: int


def _tokens(text: str) -> Iterator[_Tok]:
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FilterSyntaxError(
                f"cannot read filter {text!r} at position {pos + 1}: unexpected {text[pos:][:10]!r}"
            )
        kind = m.lastgroup or "op"
        value = m.group(kind)
        start = m.start(kind)
        if kind == "name" and value.lower() in _KEYWORDS:
            yield _Tok("kw", value.lower(), start)
        else:
            yield _Tok(kind, value, start)
        pos = m.end()
    yield _Tok("end", "", len(text))


#: Deepest nesting of parentheses / ``not`` a filter may use. Why a limit: the parser and
#: everything that walks the tree recurse, and 2,000 nested parentheses hit Python's recursion
#: limit (a traceback); no real filter needs more than a handful.
MAX_DEPTH = 100
#: Largest number of integer / fractional digits of a numeric literal: money is DECIMAL(38,18),
#: so a 40-digit literal cannot be compared with it (it failed deep in the engine).
INT_DIGITS, FRACTION_DIGITS = 20, 18


def check_number(value: Decimal, where: str) -> Decimal:
    """``value`` when it fits DECIMAL(38,18), else a :class:`FilterSyntaxError` saying where."""
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    fraction = max(0, -exponent)
    integer = max(0, len(digits) + exponent) if any(digits) else 0
    if integer > INT_DIGITS or fraction > FRACTION_DIGITS:
        raise FilterSyntaxError(
            f"number {where} has {integer} integer and {fraction} decimal digits; filters "
            f"compare with DECIMAL(38,18) values (at most {INT_DIGITS} and {FRACTION_DIGITS})"
        )
    return value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.toks = list(_tokens(text))
        self.i = 0
        self.depth = 0

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterSyntaxError(
                f"cannot read filter: nested more than {MAX_DEPTH} levels deep (parentheses "
                f"or 'not') at position {self.peek().pos + 1}"
            )

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, expected: str) -> FilterSyntaxError:
        tok = self.peek()
        got = repr(tok.text) if tok.kind != "end" else "end of filter"
        return FilterSyntaxError(
            f"cannot read filter {self.text!r}: expected {expected} at position "
            f"{tok.pos + 1}, got {got}"
        )

    def expect(self, kind: str, text: str | None = None) -> _Tok:
        tok = self.peek()
        if tok.kind != kind or (text is not None and tok.text != text):
            raise self.fail(repr(text) if text else kind)
        return self.take()

    def parse(self) -> Node:
        node = self.expr()
        if self.peek().kind != "end":
            raise self.fail("'and', 'or' or the end")
        return node

    def expr(self) -> Node:
        items = [self.and_expr()]
        while self.peek().kind == "kw" and self.peek().text == "or":
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.peek().kind == "kw" and self.peek().text == "and":
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self) -> Node:
        tok = self.peek()
        if tok.kind == "kw" and tok.text == "not":
            self.take()
            self.deeper()
            node: Node = Not(self.not_expr())
            self.depth -= 1
            return node
        if tok.kind == "op" and tok.text == "(":
            self.take()
            self.deeper()
            node = self.expr()
            self.expect("op", ")")
            self.depth -= 1
            return node
        return self.test()

    def literal(self) -> Literal_:
        tok = self.peek()
        if tok.kind == "str":
            self.take()
            quote = tok.text[0]
            return tok.text[1:-1].replace(quote * 2, quote)
        if tok.kind == "num":
            self.take()
            return check_number(Decimal(tok.text), f"{tok.text!r} at position {tok.pos + 1}")
        raise self.fail("a quoted text or a number")

    def test(self) -> Node:
        tok = self.peek()
        if tok.kind != "name":
            raise self.fail("a column, dimension or tag:<key>")
        field = self.take().text
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("=", "!=", "<>", "<", "<=", ">", ">="):
            self.take()
            op = "!=" if tok.text == "<>" else tok.text
            return Compare(field, op, self.literal())
        negated = False
        if tok.kind == "kw" and tok.text == "not":
            self.take()
            negated = True
            tok = self.peek()
            if not (tok.kind == "kw" and tok.text == "in"):
                raise self.fail("'in' after 'not'")
        if tok.kind == "kw" and tok.text == "in":
            self.take()
            self.expect("op", "(")
            values = [self.literal()]
            while self.peek().kind == "op" and self.peek().text == ",":
                self.take()
                values.append(self.literal())
            self.expect("op", ")")
            return In(field, tuple(values), negated)
        if tok.kind == "kw" and tok.text == "is":
            self.take()
            neg = False
            if self.peek().kind == "kw" and self.peek().text == "not":
                self.take()
                neg = True
            self.expect("kw", "null")
            return IsNull(field, neg)
        raise self.fail("a comparison (=, !=, <, in, is null ...)")


def parse_expression(text: str) -> Node:
    """Parse the expression language into a filter AST (raises FilterSyntaxError)."""
    return _Parser(text).parse()


def _scalar(value: Any) -> Literal_:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        number = Decimal(str(value))
        if not number.is_finite():
            raise FilterSyntaxError(f"number {value!r} in a filter is not a finite number")
        return check_number(number, repr(value))
    return str(value)


def from_mapping(spec: Mapping[str, Any]) -> Node:
    """Structured filter: every key must match (a list means any of its values; null: missing)."""
    items: list[Node] = []
    for field, value in spec.items():
        if value is None:
            items.append(IsNull(str(field)))
        elif isinstance(value, list | tuple):
            items.append(In(str(field), tuple(_scalar(v) for v in value)))
        else:
            items.append(Compare(str(field), "=", _scalar(value)))
    if not items:
        raise FilterSyntaxError("an empty filter mapping matches everything; leave it out instead")
    return items[0] if len(items) == 1 else And(tuple(items))


def parse_filter(spec: FilterSpec | Mapping[str, Any] | Node | None) -> Node | None:
    """Any accepted filter form -> AST (None stays None)."""
    if spec is None or isinstance(spec, Compare | In | IsNull | And | Or | Not):
        return spec
    if isinstance(spec, str):
        return parse_expression(spec) if spec.strip() else None
    if isinstance(spec, Mapping):
        return from_mapping(spec)
    raise FilterSyntaxError(
        f"a filter is a text expression or a mapping, not {type(spec).__name__}"
    )


def combine(*nodes: Node | None) -> Node | None:
    """AND together the given filters, skipping missing ones."""
    present = [n for n in nodes if n is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else And(tuple(present))


def fields_of(node: Node | None) -> set[str]:
    """Every field name a filter reads (to validate names and pick rollups)."""
    if node is None:
        return set()
    if isinstance(node, And | Or):
        out: set[str] = set()
        for item in node.items:
            out |= fields_of(item)
        return out
    if isinstance(node, Not):
        return fields_of(node.item)
    return {node.field}


def render(node: Node | None) -> str:
    """Canonical text of a filter (stable: used as a cache / dedup key and in explain)."""
    if node is None:
        return ""

    def lit(v: Literal_) -> str:
        return str(v) if isinstance(v, Decimal) else "'" + v.replace("'", "''") + "'"

    if isinstance(node, Compare):
        return f"{node.field} {node.op} {lit(node.value)}"
    if isinstance(node, In):
        inner = ", ".join(lit(v) for v in node.values)
        return f"{node.field} {'not in' if node.negated else 'in'} ({inner})"
    if isinstance(node, IsNull):
        return f"{node.field} is {'not ' if node.negated else ''}null"
    if isinstance(node, Not):
        return f"not ({render(node.item)})"
    joiner = " and " if isinstance(node, And) else " or "
    return "(" + joiner.join(render(i) for i in node.items) + ")"


def located(exc: ConfigError, file: str | None, line: int | None) -> Located:
    return Located(str(exc), file, line)
