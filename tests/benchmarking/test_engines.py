"""Benchmarks on both engines: targets and peer ranks from the same numbers."""

from __future__ import annotations

from typing import Any

from tests.engine_support import same


def test_targets_and_peers_are_the_same_on_every_engine(engine: str, on: Any) -> None:
    kwargs: dict[str, Any] = {"by": "team", "against": ("targets", "peers")}
    got = on(engine).benchmark("total_cost", **kwargs)
    base = on("duckdb").benchmark("total_cost", **kwargs)
    assert len(got.sections["targets"]) > 0
    assert got.sections.keys() == base.sections.keys()
    for name, frame in base.sections.items():
        assert same(frame, got.sections[name]), name
