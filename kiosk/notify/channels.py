"""The two ways out: email over SMTP and a Microsoft Teams Workflows URL.

Both are the Python standard library (smtplib and email.message; urllib.request): the queue
needs to set each message's Message-ID itself and to know exactly why a try failed, whether
to try again, and an SMTP or HTTP status code to show. Each sender only moves one message;
the worker decides about retries.
"""

from __future__ import annotations

import json
import smtplib
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any
from urllib.parse import unquote, urlsplit

from kiosk.errors import KioskError
from kiosk.notify.addresses import is_teams_url

DEFAULT_TIMEOUT_SECONDS = 10.0


class DeliveryError(KioskError):
    """A message was not accepted. ``transient``: trying again later may work."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


class NotConfigured(DeliveryError):
    """The channel has no settings (``KIOSK_SMTP_URL`` or ``KIOSK_MAIL_FROM`` unset)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, transient=True)


@dataclass(frozen=True)
class SmtpSettings:
    """Where email goes, parsed from ``KIOSK_SMTP_URL``."""

    host: str
    port: int
    security: str  # "none", "starttls" or "ssl"
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Parse ``smtp://HOST:PORT``, ``smtp+starttls://USER:PASS@HOST:587`` or ``smtps://…``."""
        parts = urlsplit(url.strip())
        schemes = {"smtp": ("none", 25), "smtp+starttls": ("starttls", 587), "smtps": ("ssl", 465)}
        if parts.scheme not in schemes or not parts.hostname:
            raise ValueError(
                "KIOSK_SMTP_URL must look like smtp://HOST:PORT, "
                "smtp+starttls://USER:PASSWORD@HOST:587 or smtps://USER:PASSWORD@HOST:465"
            )
        security, default_port = schemes[parts.scheme]
        try:
            port = parts.port or default_port
        except ValueError as exc:
            raise ValueError(f"KIOSK_SMTP_URL has a bad port: {exc}") from None
        return cls(
            host=parts.hostname,
            port=port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def describe(self) -> str:
        """The server without the password, for screens and logs."""
        who = f"{self.username}@" if self.username else ""
        return f"{self.security} {who}{self.host}:{self.port}"


def build_email(row: Mapping[str, Any], sender: str, when: Any) -> EmailMessage:
    """The email for a queued row: its own Message-ID, UTF-8 text, the dashboard link."""
    message = EmailMessage()
    message["Message-ID"] = row["message_id"]
    message["From"] = formataddr(("Tankkaamo", sender))
    message["To"] = row["destination"]
    message["Subject"] = row["subject"]
    message["Date"] = format_datetime(when)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to the kiosk
    message["X-Tankkaamo-Kind"] = row["kind"]
    body = row["body"]
    if row.get("link"):
        body = f"{body}\n\n{row['link']}\n"
    # Quoted-printable keeps ä and ö intact through relays that take 7-bit mail only.
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message


class EmailSender:
    """Sends emails through one SMTP connection, opened on first use and reused."""

    def __init__(
        self, settings: SmtpSettings, sender: str, timeout: float = DEFAULT_TIMEOUT_SECONDS
    ) -> None:
        self.settings = settings
        self.sender = sender
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
                if s.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                f"the mail server refused the login: {exc.smtp_code} {_text(exc.smtp_error)}",
                transient=True,  # a password being fixed; the messages wait
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(
                f"cannot reach the mail server {s.host}:{s.port}: {_reason(exc)}", transient=True
            ) from exc
        return smtp

    def send(self, row: Mapping[str, Any], when: Any) -> None:
        """Hand one queued row to the server; raise DeliveryError when it is not accepted."""
        message = build_email(row, self.sender, when)
        if self._smtp is None:
            self._smtp = self._open()
        try:
            self._smtp.send_message(message, from_addr=self.sender, to_addrs=[row["destination"]])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise DeliveryError(
                f"the mail server refused {row['destination']}: {code} {_text(text)}",
                transient=code < 500,
            ) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise DeliveryError(
                f"the mail server answered {exc.smtp_code} {_text(exc.smtp_error)}",
                transient=exc.smtp_code < 500,
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise DeliveryError(
                f"the mail server connection failed: {_reason(exc)}", transient=True
            ) from exc

    def close(self) -> None:
        """Close the connection (politely when it still works)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def adaptive_card(row: Mapping[str, Any], open_label: str) -> dict[str, Any]:
    """The Workflows message: one Adaptive Card with the text and a button to the dashboard."""
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": row["subject"], "weight": "Bolder", "wrap": True},
            {"type": "TextBlock", "text": row["body"], "wrap": True},
        ],
    }
    if row.get("link"):
        content["actions"] = [{"type": "Action.OpenUrl", "title": open_label, "url": row["link"]}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": content,
            }
        ],
    }


class TeamsSender:
    """POSTs an Adaptive Card to a Power Automate Workflows URL (the row's destination)."""

    def __init__(self, open_label: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        self.open_label = open_label
        self.timeout = timeout

    def send(self, row: Mapping[str, Any], when: Any) -> None:
        """POST the card; raise DeliveryError unless the endpoint answers 2xx."""
        url = row["destination"]
        if not is_teams_url(url):
            raise DeliveryError("not an http(s) Workflows URL", transient=False)
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=json.dumps(adaptive_card(row, self.open_label), ensure_ascii=False).encode(),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Message-Id": row["message_id"],
            },
            method="POST",
        )
        host = urlsplit(url).hostname
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read(4096)
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace").strip()
            # 429 means "slow down": worth another try. Any other 4xx will not change by
            # itself (a removed flow, a wrong signature), so it fails after a few tries.
            transient = exc.code >= 500 or exc.code in {408, 429}
            raise DeliveryError(
                f"Teams ({host}) answered {exc.code} {exc.reason}: {detail}"[:500],
                transient=transient,
            ) from exc
        except (OSError, urllib.error.URLError) as exc:
            raise DeliveryError(
                f"cannot reach Teams ({host}): {_reason(exc)}", transient=True
            ) from exc

    def close(self) -> None:
        """Nothing is kept open between messages."""


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__
