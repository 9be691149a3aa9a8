"""The one mail sender (portal.mail.delivery): SMTP to a real loopback server, or .eml files in the outbox."""

import email
import email.policy

import pytest

from portal.mail.delivery import PermanentRefusal, TemporaryFailure, new_message, send
from tests.conftest import free_port


def _message(to="someone@example.org", language="cy"):
    return new_message(to, "Pwnc: £5,000 ŵ", "Testun plaen", "<p>HTML</p>", language)


def test_without_a_mail_server_each_message_is_an_eml_file_in_the_outbox(app, tmp_path):
    with app.app_context():
        send(_message())
        send(_message("other@example.org"))
    files = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 2
    assert not list((tmp_path / "outbox").glob("*.tmp"))
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "Pwnc: £5,000 ŵ"
    assert parsed["Content-Language"] == "cy"
    assert parsed.get_body(("plain",)).get_content().strip() == "Testun plaen"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>HTML</p>"


def test_a_message_reaches_a_real_smtp_server(app, smtp_server):
    with app.app_context():
        sent = _message()
        send(sent)
    [received] = smtp_server.to("someone@example.org")
    assert received["Message-ID"] == sent["Message-ID"]
    assert received["Content-Language"] == "cy"
    assert received["Auto-Submitted"] == "auto-generated"


def test_a_5xx_refusal_is_permanent(app, smtp_server):
    smtp_server.refuse["gone@example.org"] = "550 5.1.1 No such user"
    with app.app_context(), pytest.raises(PermanentRefusal) as refused:
        send(_message("gone@example.org"))
    assert refused.value.code == 550
    assert smtp_server.messages == []


def test_a_4xx_deferral_is_temporary(app, smtp_server):
    smtp_server.defer_all = True
    with app.app_context(), pytest.raises(TemporaryFailure):
        send(_message())


def test_a_server_that_is_down_is_a_temporary_failure(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    with app.app_context(), pytest.raises(TemporaryFailure):
        send(_message())
