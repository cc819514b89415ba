"""Deliver payloads to webhooks (with retries) and e-mail (SMTP).

The HTTP transport and the SMTP client are injectable so tests run without a network:
``httpx.MockTransport`` for webhooks, a fake ``smtplib.SMTP`` factory for e-mail.
"""

from __future__ import annotations

import os
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

from costmark.errors import ConfigError
from costmark.spec.schedules import EmailTarget, WebhookTarget

Sleep = Callable[[float], None]
SmtpFactory = Callable[[str, int], Any]


@dataclass
class Delivery:
    ok: bool
    attempts: int
    message: str


def webhook_url(target: WebhookTarget) -> str:
    if target.url is not None:
        return target.url
    assert target.url_env is not None
    url = os.environ.get(target.url_env)
    if not url:
        raise ConfigError(f"webhook URL variable ${target.url_env} is not set")
    return url


def post_webhook(
    target: WebhookTarget,
    payload: dict[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Sleep = time.sleep,
) -> Delivery:
    """POST JSON; retry on network errors, 429 and 5xx with exponential backoff (1, 2, 4 s)."""
    try:
        url = webhook_url(target)
    except ConfigError as exc:
        return Delivery(False, 0, str(exc))
    attempts = 0
    last = ""
    with httpx.Client(transport=transport, timeout=target.timeout) as client:
        for attempt in range(target.retries + 1):
            attempts += 1
            try:
                resp = client.post(url, json=payload)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if resp.status_code < 300:
                    return Delivery(True, attempts, f"HTTP {resp.status_code}")
                last = f"HTTP {resp.status_code}: {resp.text[:200]}"
                if resp.status_code < 500 and resp.status_code != 429:
                    break  # the request itself is wrong; retrying will not help
            if attempt < target.retries:
                sleep(float(2**attempt))
    return Delivery(False, attempts, last)


def send_email(
    target: EmailTarget,
    subject: str,
    body: str,
    *,
    attachment: tuple[str, bytes, str] | None = None,
    smtp_factory: SmtpFactory = smtplib.SMTP,
) -> Delivery:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = target.sender
    msg["To"] = ", ".join(target.to)
    msg.set_content(body)
    if attachment is not None:
        name, data, mime = attachment
        maintype, _, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    try:
        with smtp_factory(target.smtp_host, target.smtp_port) as smtp:
            if target.starttls:
                smtp.starttls()
            if target.username:
                password = os.environ.get(target.password_env or "", "")
                smtp.login(target.username, password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        return Delivery(False, 1, f"{type(exc).__name__}: {exc}")
    return Delivery(True, 1, f"sent to {msg['To']}")
