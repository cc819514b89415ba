"""Run the benchmarks: ``python -m bench.run [NAME ...] [--scale S]``.

Each ``bench/bench_<name>.py`` exposes ``run(ctx) -> list[dict]``; every dict is one measurement
with ``name, value, unit, baseline, ratio, target, ok`` (``ratio`` = value / baseline, compared
with ``target`` as written there, e.g. "<= 1.5"). Results go to ``bench/results/latest.json``
and a table is printed. Baselines run in the same process and the same run, so ratios are fair
on any machine; absolute seconds are only for context.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent


@dataclass
class Context:
    """What a benchmark gets: where to cache generated data, a size scale, a console."""

    root: Path
    data_dir: Path
    scale: float
    console: Console

    def rows(self, full: int) -> int:
        return max(1000, int(full * self.scale))

    def log(self, text: str) -> None:
        self.console.print(f"[dim]{dt.datetime.now():%H:%M:%S}[/dim] {text}", highlight=False)


def discover(names: list[str]) -> list[str]:
    found = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    if names:
        unknown = set(names) - set(found)
        if unknown:
            raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have {found}")
        return [n for n in found if n in names]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("COSTMARK_BENCH_SCALE", "1")),
        help="multiply data sizes (e.g. 0.1 for a quick run; targets are set for 1)",
    )
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    ctx = Context(HERE.parent, HERE / ".data", args.scale, console)
    ctx.data_dir.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    for name in discover(args.names):
        module = importlib.import_module(f"bench.bench_{name}")
        ctx.log(f"[bold]{name}[/bold]")
        started = time.perf_counter()
        try:
            for item in module.run(ctx):
                results.append({"bench": name, **item})
        except Exception as exc:  # a broken bench is reported, not fatal to the others
            traceback.print_exc()
            results.append({"bench": name, "name": name, "ok": False, "error": repr(exc)})
        ctx.log(f"{name} done in {time.perf_counter() - started:.1f}s")
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    doc = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "scale": args.scale,
        "results": results,
    }
    out.write_text(json.dumps(doc, indent=2, default=str) + "\n", "utf-8")
    table = Table(title=f"costmark benchmarks (scale {args.scale})")
    for col in ("bench", "name", "value", "unit", "baseline", "ratio", "target", "ok"):
        table.add_column(col)
    for r in results:
        table.add_row(
            *[
                _fmt(r.get(c))
                for c in ("bench", "name", "value", "unit", "baseline", "ratio", "target", "ok")
            ]
        )
    Console().print(table)
    for r in results:
        if r.get("note") or r.get("error"):
            Console().print(f"{r['bench']}/{r.get('name')}: {r.get('note') or r.get('error')}")
    Console().print(f"results written to {out}")
    return 0 if all(r.get("ok") is not False for r in results) else 1


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, bool):
        return "yes" if v else "NO"
    return str(v)


if __name__ == "__main__":
    sys.exit(main())
