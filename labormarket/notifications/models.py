"""The notifications outbox: every message to a person is a row first, then delivered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    CABINET = "cabinet", _("Personal cabinet")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class Notification(models.Model):
    """Уведомление — one message to one person through one channel: to a registry person (a
    citizen) or to a user of the system (staff: e.g. the head of a centre told of an overdue
    step), never both.

    Written in the same transaction as the event it reports (so it is never lost and never sent
    for something that did not happen), delivered afterwards by a task with retries. The
    cabinet channel is delivered at once: the row itself is what the cabinet shows.
    """

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=64)
    address = models.CharField(_("address"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["status", "channel"], name="notifications_outbox"),
            models.Index(fields=["person", "channel", "-created_at"], name="notifications_cabinet"),
            models.Index(
                fields=["user", "channel", "-created_at"], name="notifications_user_cabinet"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True) ^ Q(user__isnull=True),
                name="notifications_person_or_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.subject}"
