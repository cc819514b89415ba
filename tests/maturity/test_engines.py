"""Maturity evidence on both engines, whole and within a scope."""

from __future__ import annotations

from typing import Any

from tests.engine_support import same


def test_evidence_is_the_same_on_every_engine(engine: str, on: Any) -> None:
    got = on(engine).maturity_evidence(as_of=None)
    assert any(item.get("available") for item in got)
    assert same(got, on("duckdb").maturity_evidence(as_of=None), rel=1e-6)


def test_scoped_evidence_is_computed_in_the_scope(engine: str, on: Any) -> None:
    scoped = on(engine).scoped({"team": "payments"})
    got = scoped.maturity_evidence()
    assert any(item.get("available") for item in got)
    assert same(got, on("duckdb").scoped({"team": "payments"}).maturity_evidence(), rel=1e-6)
