"""Writing to the outbox and delivering from it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from labormarket.accounts.models import User
from labormarket.registry.models import Person

from .backends import DeliveryError, send_email, sms_backend
from .models import Channel, DeliveryStatus, Notification

MAX_ATTEMPTS = 5


def notify_person(
    *,
    person: Person,
    kind: str,
    subject: str,
    body: str,
    channels: Iterable[str] = (Channel.CABINET, Channel.SMS, Channel.EMAIL),
) -> list[Notification]:
    """Queue a message to a person on each channel they can be reached on. Call inside the
    transaction of the event being reported; delivery starts after it commits."""
    rows: list[Notification] = []
    phone = next((p.number for p in person.phones.all() if p.is_primary), "")
    now = timezone.now()
    for channel in channels:
        address = {Channel.CABINET: "", Channel.SMS: phone, Channel.EMAIL: person.email}[
            Channel(channel)
        ]
        if channel != Channel.CABINET and not address:
            continue
        cabinet = channel == Channel.CABINET
        rows.append(
            Notification(
                person=person,
                channel=channel,
                kind=kind,
                address=address,
                subject=subject[:200],
                body=body,
                status=DeliveryStatus.SENT if cabinet else DeliveryStatus.PENDING,
                sent_at=now if cabinet else None,
            )
        )
    created = Notification.objects.bulk_create(rows)
    if any(row.status == DeliveryStatus.PENDING for row in created):
        from .tasks import deliver_pending

        transaction.on_commit(deliver_pending)
    return created


def notify_user(
    *,
    user: User,
    kind: str,
    subject: str,
    body: str,
    channels: Iterable[str] = (Channel.CABINET, Channel.EMAIL),
) -> list[Notification]:
    """Queue a message to a user of the system (staff): in their cabinet and by e-mail when
    they have an address (and by SMS only if asked for, to the phone of their account). Call
    inside the transaction of the event being reported, as :func:`notify_person`."""
    rows: list[Notification] = []
    now = timezone.now()
    for channel in channels:
        address = {Channel.CABINET: "", Channel.SMS: user.phone, Channel.EMAIL: user.email}[
            Channel(channel)
        ]
        if channel != Channel.CABINET and not address:
            continue
        cabinet = channel == Channel.CABINET
        rows.append(
            Notification(
                user=user,
                channel=channel,
                kind=kind,
                address=address,
                subject=subject[:200],
                body=body,
                status=DeliveryStatus.SENT if cabinet else DeliveryStatus.PENDING,
                sent_at=now if cabinet else None,
            )
        )
    created = Notification.objects.bulk_create(rows)
    if any(row.status == DeliveryStatus.PENDING for row in created):
        from .tasks import deliver_pending

        transaction.on_commit(deliver_pending)
    return created


def user_notifications(user: User, limit: int = 20) -> list[Notification]:
    """A staff user's cabinet messages, newest first."""
    return list(user.notifications.filter(channel=Channel.CABINET)[:limit])


def deliver(notification_id: int) -> bool:
    """Send one pending SMS or e-mail; True when sent. Failures are counted and retried until
    MAX_ATTEMPTS, then the row is marked failed."""
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update()
            .filter(pk=notification_id, status=DeliveryStatus.PENDING)
            .first()
        )
        if row is None:
            return False
        row.attempts += 1
        try:
            if row.channel == Channel.SMS:
                sms_backend().send(row.address, f"{row.subject}. {row.body}")
            elif row.channel == Channel.EMAIL:
                send_email(row.address, row.subject, row.body)
        except DeliveryError as error:
            row.last_error = str(error)[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = DeliveryStatus.FAILED
            row.save(update_fields=["attempts", "last_error", "status"])
            return False
        row.status = DeliveryStatus.SENT
        row.sent_at = timezone.now()
        row.save(update_fields=["attempts", "status", "sent_at"])
        return True


def deliver_all_pending(limit: int = 500) -> int:
    ids = list(
        Notification.objects.filter(status=DeliveryStatus.PENDING)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if deliver(pk))


def cabinet_notifications(person: Person, limit: int = 20) -> list[Notification]:
    return list(person.notifications.filter(channel=Channel.CABINET)[:limit])


def mark_read(*, person: Person, notification_id: int) -> None:
    Notification.objects.filter(
        pk=notification_id, person=person, channel=Channel.CABINET, read_at__isnull=True
    ).update(read_at=timezone.now())
