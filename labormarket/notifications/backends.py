"""Delivery backends. SMS goes through a gateway configured per deployment; the default one
writes to the log (with the number masked), which is what local, demo and test runs use."""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("labormarket.notifications")


class DeliveryError(Exception):
    """The message could not be handed over; the task retries later."""


class SmsBackend(Protocol):
    def send(self, number: str, text: str) -> None: ...


class LogSmsBackend:
    """Writes SMS to the log instead of sending them (no gateway in local and demo runs)."""

    def send(self, number: str, text: str) -> None:
        logger.info("SMS to %s: %s", number[:-4] + "****", text)


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def send_email(address: str, subject: str, body: str) -> None:
    try:
        send_mail(subject, body, None, [address], fail_silently=False)
    except OSError as error:  # SMTP and socket failures
        raise DeliveryError(str(error)) from error
