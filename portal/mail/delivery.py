"""Deliver one `email.message.EmailMessage`: over SMTP when `MAIL_SERVER` is set, else as an `.eml` file in
`MAIL_OUTBOX` (instance/outbox/, the `make run` default), so a developer reads what would have been sent.

The only module that talks to a mail server. Callers learn the outcome from the exception raised:
`TemporaryFailure` (the server is down, busy or answered 4xx: keep the message and try again later) or
`PermanentRefusal` (5xx for the recipient: stop sending to that address). See docs/design.md, "Email".
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from flask import current_app


class DeliveryError(Exception):
    """A message was not delivered."""


class TemporaryFailure(DeliveryError):
    """Not delivered now; the same message may be tried again later (network error, 4xx)."""


class PermanentRefusal(DeliveryError):
    """The server refused the recipient for good (5xx): do not send to the address again."""

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class MailSettings:
    """The MAIL_* settings, read once from the app's configuration."""

    server: str
    port: int
    use_tls: bool
    username: str
    password: str
    sender: str
    sender_name: str
    outbox: Path
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config) -> MailSettings:
        return cls(
            server=config.get("MAIL_SERVER", ""),
            port=int(config.get("MAIL_PORT", 25)),
            use_tls=bool(config.get("MAIL_USE_TLS", False)),
            username=config.get("MAIL_USERNAME", ""),
            password=config.get("MAIL_PASSWORD", ""),
            sender=config.get("MAIL_FROM", "piblinell@localhost"),
            sender_name=config.get("MAIL_FROM_NAME", "Piblinell"),
            outbox=Path(config.get("MAIL_OUTBOX", "instance/outbox")),
            timeout=float(config.get("MAIL_TIMEOUT", 30.0)),
        )


def settings() -> MailSettings:
    """Return the current app's mail settings."""
    return MailSettings.from_config(current_app.config)


def new_message(to: str, subject: str, text: str, html: str | None, language: str) -> EmailMessage:
    """Build a message from us to one address: plain text, with an HTML alternative when given.

    `Content-Language` says which language it is in ("cy" or "en"); Message-ID and Date are set here, so a
    message kept in the database and sent again later keeps its identity (receivers can drop a repeat)."""
    mail = settings()
    message = EmailMessage()
    message["From"] = formataddr((mail.sender_name, mail.sender))
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2] or "localhost")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies stay quiet
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    # After the content: set_content and add_alternative drop the Content-* headers already set.
    message["Content-Language"] = language
    return message


def send(message: EmailMessage, mail: MailSettings | None = None) -> None:
    """Deliver the message, or raise TemporaryFailure / PermanentRefusal."""
    mail = mail or settings()
    if not mail.server:
        _write_outbox(message, mail.outbox)
        return
    try:
        with _connect(mail) as smtp:
            refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise PermanentRefusal(f"refused: {error.recipients}", codes[0]) from error
        raise TemporaryFailure(f"recipient deferred: {error.recipients}") from error
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
        if 500 <= error.smtp_code < 600 and isinstance(error, smtplib.SMTPDataError):
            raise PermanentRefusal(f"refused: {error.smtp_code} {error.smtp_error!r}", error.smtp_code) from error
        raise TemporaryFailure(f"{error.smtp_code} {error.smtp_error!r}") from error
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        raise TemporaryFailure(f"{type(error).__name__}: {error}") from error
    if refused:  # several recipients, some refused: we only ever send to one
        raise PermanentRefusal(f"refused: {refused}")


def _connect(mail: MailSettings) -> smtplib.SMTP:
    if mail.use_tls and mail.port == 465:
        smtp = smtplib.SMTP_SSL(mail.server, mail.port, timeout=mail.timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(mail.server, mail.port, timeout=mail.timeout)
        if mail.use_tls:
            smtp.starttls(context=ssl.create_default_context())
    if mail.username:
        smtp.login(mail.username, mail.password)
    return smtp


def _write_outbox(message: EmailMessage, outbox: Path) -> Path:
    """Write the message as an .eml file, atomically (a reader never sees half a message)."""
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    ident = (message.get("Message-ID") or make_msgid()).strip("<>").split("@")[0]
    path = outbox / f"{stamp}-{ident}.eml"
    temporary = path.with_suffix(".eml.tmp")
    temporary.write_bytes(bytes(message))
    os.replace(temporary, path)
    return path
