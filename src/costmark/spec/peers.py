"""Peer groups (the ``peer_groups:`` section of costmark.yaml).

A peer group is a named cohort of values of one dimension that are fair to compare with each
other (e.g. the customer-facing product teams). Without peer groups, benchmarking forms cohorts
automatically from spend bands so a small team is never ranked against a giant.

    peer_groups:
      product-teams:
        dimension: team
        members: [checkout, search, catalog, payments]
"""

from __future__ import annotations

from pydantic import Field, model_validator

from costmark.spec.base import Frozen


class PeerGroup(Frozen):
    dimension: str
    members: tuple[str, ...] = Field(min_length=1)
    description: str | None = None

    @model_validator(mode="after")
    def _unique(self) -> PeerGroup:
        if len(set(self.members)) != len(self.members):
            raise ValueError("a peer group lists a member twice")
        return self
