"""Report schedules in costmark.yaml: when (cron), what (cadence, format, scope), where to.

    schedules:
      - name: monthly-exec
        cron: "0 7 1 * *"          # 07:00 on the 1st, server local time is not used: UTC
        cadence: monthly
        format: html
        destination: {folder: reports/}
      - name: weekly-slack
        cron: "0 8 * * MON"
        cadence: weekly
        format: md
        scope: {team: payments}    # the report sees only this team's rows
        destination: {webhook: {url_env: SLACK_WEBHOOK_URL}}

Why a separate module: the schedule runner validates cron expressions up front so a typo fails
``costmark.yaml`` loading with a line number instead of silently never running.
"""

from __future__ import annotations

from typing import Literal

from croniter import croniter
from pydantic import Field, field_validator, model_validator

from costmark.spec.base import Frozen

Cadence = Literal["daily", "weekly", "monthly"]
ReportFormat = Literal["html", "md", "pdf", "json"]


class WebhookTarget(Frozen):
    """An HTTP endpoint receiving a Slack-compatible JSON payload (``{"text": ...}``).

    ``url_env`` names an environment variable holding the URL, so secrets stay out of git."""

    url: str | None = None
    url_env: str | None = None
    retries: int = Field(default=3, ge=0, le=10)
    timeout: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _one_url(self) -> WebhookTarget:
        if (self.url is None) == (self.url_env is None):
            raise ValueError("a webhook needs exactly one of 'url' or 'url_env'")
        return self


class EmailTarget(Frozen):
    """SMTP delivery; the password is read from ``password_env`` at send time."""

    to: tuple[str, ...]
    sender: str = Field(default="costmark@localhost", alias="from")
    smtp_host: str = "localhost"
    smtp_port: int = 25
    username: str | None = None
    password_env: str | None = None
    starttls: bool = False

    @field_validator("to", mode="before")
    @classmethod
    def _listify(cls, v: object) -> object:
        return (v,) if isinstance(v, str) else v


class Destination(Frozen):
    """Exactly one of a folder (relative to the workspace), a webhook, or an e-mail."""

    folder: str | None = None
    webhook: WebhookTarget | None = None
    email: EmailTarget | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Destination:
        given = [x for x in (self.folder, self.webhook, self.email) if x is not None]
        if len(given) != 1:
            raise ValueError("a destination needs exactly one of 'folder', 'webhook' or 'email'")
        return self

    @property
    def kind(self) -> str:
        return "folder" if self.folder is not None else "webhook" if self.webhook else "email"

    def describe(self) -> str:
        if self.folder is not None:
            return f"folder:{self.folder}"
        if self.webhook is not None:
            return f"webhook:{self.webhook.url_env or 'url'}"
        assert self.email is not None
        return "email:" + ",".join(self.email.to)


class Schedule(Frozen):
    name: str
    cron: str
    cadence: Cadence = "monthly"
    format: ReportFormat = "html"
    destination: Destination
    #: Restrict the report to rows whose dimension equals the value, e.g. ``{team: payments}``.
    scope: dict[str, str] = Field(default_factory=dict)
    enabled: bool = True

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, v: str) -> str:
        if not croniter.is_valid(v):
            raise ValueError(f"{v!r} is not a valid cron expression (e.g. '0 7 1 * *')")
        return v
