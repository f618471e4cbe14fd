"""The SMTP e-mail backend: the standard library's smtplib, one connection reused for a batch.

FAIRHEAT_SMTP_SECURITY: `starttls` (default, port 587) upgrades the connection before logging in,
`ssl` speaks TLS from the start (port 465), `none` is plain text (a relay on the same host or
network, port 25). Certificates are verified with the system's trust store. The login is
optional (FAIRHEAT_SMTP_USERNAME, FAIRHEAT_SMTP_PASSWORD). FAIRHEAT_SMTP_TIMEOUT bounds the wait
for the connection and for each answer of the server.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import Message

from config.mail_settings import MailSettings
from service.mail.gateway import MailSendError, RawEmail

# Answers after which smtplib has reset the transaction (RSET): the connection stays usable.
_TRANSACTION_REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def _by_code(code: int, reply: bytes | str) -> MailSendError:
    # RFC 5321 4.2.1: 5yz is a permanent negative completion, 4yz a transient one.
    return MailSendError(f"{code} {_text(reply)}".strip(), permanent=500 <= code <= 599)


def classify_smtp_error(error: BaseException) -> MailSendError:
    """Turn what smtplib raised while sending one message into a MailSendError.

    A refused recipient, sender or message is permanent on a 5xx answer (550 no such mailbox,
    552 too big, 554 rejected) and temporary on a 4xx one (421, 450, 451 greylisting, 452).
    SMTPUTF8 needed but not offered (a non-ASCII mailbox) is permanent. A dropped connection, a
    timeout and anything else is temporary: the message itself is not known to be at fault.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()), (451, b"recipient refused"))
        return _by_code(code, reply)
    if isinstance(error, smtplib.SMTPResponseException):
        return _by_code(error.smtp_code, error.smtp_error)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return MailSendError(f"not supported by the server: {error}", permanent=True)
    if isinstance(error, TimeoutError):
        return MailSendError(f"timeout: {error}")
    return MailSendError(f"{type(error).__name__}: {error}")


class SmtpGateway:
    name = "smtp"

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        conf = self.settings
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if conf.smtp_security == "ssl":
            smtp = smtplib.SMTP_SSL(
                conf.smtp_host, conf.smtp_port, timeout=conf.smtp_timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(conf.smtp_host, conf.smtp_port, timeout=conf.smtp_timeout)
        try:
            if conf.smtp_security == "starttls":
                smtp.starttls(context=context)
            if conf.smtp_username:
                smtp.login(conf.smtp_username, conf.smtp_password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None and self._smtp.sock is None:
            self._smtp = None  # smtplib closed it (after a 421 answer)
        if self._smtp is None:
            conf = self.settings
            try:
                self._smtp = self._connect()
            except (smtplib.SMTPException, OSError) as error:
                reason = classify_smtp_error(error).message
                raise MailSendError(
                    f"cannot reach {conf.smtp_host}:{conf.smtp_port}: {reason}", unreachable=True
                ) from error
        return self._smtp

    def send(self, message: Message | RawEmail) -> None:
        smtp = self._connection()
        try:
            if isinstance(message, RawEmail):
                smtp.sendmail(message.sender, [message.to], message.data)
            else:
                smtp.send_message(message)
        except _TRANSACTION_REFUSED as error:
            raise classify_smtp_error(error) from error
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise classify_smtp_error(error) from error

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        """QUIT politely; a server that is already gone is simply forgotten."""
        if self._smtp is None:
            return
        try:
            if self._smtp.sock is not None:
                self._smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            self._drop()
