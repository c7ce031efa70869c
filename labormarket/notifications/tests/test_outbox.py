"""The outbox: rows first, delivered after commit, retried, cabinet at once."""

from __future__ import annotations

import pytest
from django.core import mail

from labormarket.notifications import services
from labormarket.notifications.backends import DeliveryError
from labormarket.notifications.models import Notification
from labormarket.registry.models import PersonPhone
from labormarket.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    person = PersonFactory(email="erlan@example.kz")
    PersonPhone.objects.create(person=person, number="+77011234567", is_primary=True)
    return person


def test_a_message_goes_to_every_channel_the_person_has(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = services.notify_person(person=person, kind="test", subject="Тема", body="Текст")
    assert sorted(r.channel for r in rows) == ["cabinet", "email", "sms"]
    statuses = dict(Notification.objects.values_list("channel", "status"))
    assert statuses == {"cabinet": "sent", "sms": "sent", "email": "sent"}
    assert [m.to for m in mail.outbox] == [["erlan@example.kz"]]


def test_channels_without_an_address_are_skipped():
    person = PersonFactory(email="")
    rows = services.notify_person(person=person, kind="test", subject="Тема", body="Текст")
    assert [r.channel for r in rows] == ["cabinet"]


def test_failed_delivery_is_retried_then_marked_failed(person, monkeypatch):
    def broken(self, number, text):
        raise DeliveryError("gateway down")

    monkeypatch.setattr("labormarket.notifications.backends.LogSmsBackend.send", broken)
    [sms] = services.notify_person(
        person=person, kind="test", subject="Тема", body="Текст", channels=["sms"]
    )
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        assert services.deliver(sms.pk) is False
        sms.refresh_from_db()
        assert sms.attempts == attempt
    assert (sms.status, sms.last_error) == ("failed", "gateway down")
    assert services.deliver(sms.pk) is False  # no longer pending


def test_nothing_is_sent_when_the_transaction_rolls_back(
    person, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.notify_person(person=person, kind="test", subject="Тема", body="Текст")
                raise RuntimeError("the event failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []
