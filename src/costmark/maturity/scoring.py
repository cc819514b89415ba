"""Lens scores (0-4), their crawl/walk/run meaning, and how evidence moves a score.

The mapping (documented in the README):

    score  stage   meaning
    0      none    not started
    1      crawl   basics, little tooling, followed by a few
    2      walk    understood and followed within the organisation; automation covers most
    3      run     followed by all teams; very high KPIs; automation preferred
    4      run     leading: fully adopted and automated, continuously improved

A capability's stage is the stage of the mean of its five lens scores, rounded down, so one strong
lens never hides a weak one.

Evidence rule: each evidence item implies a stage (none=0, crawl=1, walk=2, run=3). For a lens
with evidence, the combined evidence score ``e`` is the lowest implied score among its items.
The answered score is then clamped to ``[e - 1, e + 1]``: answers and data may disagree by one
step either way (the data cannot see everything people know, and a good number can be luck), but
not more. Every move carries a sentence saying why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

STAGES: tuple[str, ...] = ("none", "crawl", "walk", "run")
STAGE_SCORE = {"none": 0, "crawl": 1, "walk": 2, "run": 3}
MAX_SCORE = 4


def stage_of(score: float) -> str:
    """Stage for a lens score or a mean of lens scores (rounded down)."""
    level = min(3, max(0, math.floor(score + 1e-9)))
    return STAGES[level]


#: One question per lens; answer i is score i and states the stage it implies.
QUESTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "knowledge": (
        "How well do the people involved know {cap}?",
        (
            "Not at all yet: nobody has looked into it",
            "A few people know its purpose and basics",
            "Understood across the organisation; hard edge cases identified",
            "Understood by all teams; hard edge cases being addressed",
            "Deep expertise; we teach it to others and shape the practice",
        ),
    ),
    "process": (
        "Is there a repeatable process for {cap}?",
        (
            "No process: handled ad hoc, if at all",
            "A basic process for the low-hanging fruit, not documented",
            "Documented, repeatable process with roles; followed within the organisation",
            "Verified process followed by all teams, with success metrics",
            "Established policy for every new team; continuously improved",
        ),
    ),
    "metrics": (
        "Are success metrics for {cap} identified, baselined and automated?",
        (
            "No metrics",
            "Basic KPIs identified, computed by hand",
            "Success metrics baselined; medium-to-high KPI values",
            "Metrics automated; very high KPI values",
            "Real-time metrics driving decisions every day",
        ),
    ),
    "adoption": (
        "How many teams have adopted the process and metrics for {cap}?",
        (
            "No team",
            "One team or a pilot",
            "Most major teams",
            "All teams",
            "All teams, the feedback loop has gone quiet, policy for new teams",
        ),
    ),
    "automation": (
        "How automated is {cap}?",
        (
            "Entirely manual",
            "Some scripts; mostly manual",
            "Automation or process covers most requirements",
            "Automation preferred; manual work is the exception",
            "Fully automated, success metrics included",
        ),
    ),
}


@dataclass(frozen=True)
class Adjusted:
    answered: int
    current: int
    evidence_score: int | None
    explanation: str | None


def adjust(answered: int, evidence_stages: list[tuple[str, str]], lens: str) -> Adjusted:
    """Clamp an answered lens score to what the evidence allows.

    ``evidence_stages`` holds (evidence title, stage) for every item that produced a stage."""
    if not evidence_stages:
        return Adjusted(answered, answered, None, None)
    title, worst = min(evidence_stages, key=lambda ts: STAGE_SCORE[ts[1]])
    e = STAGE_SCORE[worst]
    ceiling = min(MAX_SCORE, e + 1)
    if answered > ceiling:
        return Adjusted(
            answered,
            ceiling,
            e,
            f"{lens} lowered from {answered} to {ceiling}: {title} shows {worst}, "
            f"so at most one step above it ({ceiling}) is credible",
        )
    if answered < e - 1:
        return Adjusted(
            answered,
            e - 1,
            e,
            f"{lens} raised from {answered} to {e - 1}: {title} already shows {worst}, "
            "so at most one step below it is credible",
        )
    return Adjusted(answered, answered, e, None)


def check_score(value: object, where: str) -> int:
    """A lens score must be an integer 0-4; say where it is not."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SCORE:
        raise ValueError(f"{where}: score must be an integer 0-4, got {value!r}")
    return value
