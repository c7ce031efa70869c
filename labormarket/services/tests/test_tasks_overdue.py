"""The head of the centre is told of every overdue step, once (SVC-03): the periodic task, on
real KZ dates — a weekend and the Nauryz days off of 2025 — in working minutes."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client

from labormarket.accounts.choices import Role
from labormarket.accounts.models import Membership
from labormarket.notifications.models import Notification
from labormarket.registry.tests.factories import PersonFactory
from labormarket.services import services, tasks
from labormarket.services.choices import ResultKind, ServiceCode, StepStatus
from labormarket.services.models import ApplicationEvent, ApplicationStep

from .conftest import make_centre, staff

ALMATY = ZoneInfo("Asia/Almaty")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ALMATY)  # type: ignore[misc]


def referral_registered(centre, moment: datetime) -> ApplicationStep:
    """A standard-190 office referral (Akmola): its first step is the specialist's, 30 working
    minutes (SVC-32), opened when the application is registered."""
    person = PersonFactory(region=centre.organisation.region)
    with time_machine.travel(moment, tick=False):
        application = services.application_register_office(
            actor=centre.specialist,
            centre_id=centre.organisation.pk,
            person_id=person.pk,
            service=ServiceCode.ACTIVE_MEASURE_REFERRAL,
            requested_result=ResultKind.REFERRAL_EMPLOYMENT,
        )
    return application.steps.get(status=StepStatus.OPEN)


def run_at(moment: datetime) -> int:
    with time_machine.travel(moment, tick=False):
        return services.steps_notify_overdue()


def told(user) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(user=user, kind="service_step_overdue")
        .order_by("pk")
        .values_list("channel", "subject")
    )


@pytest.mark.django_db
def test_svc_03_svc_32_overdue_over_a_weekend_is_reported_on_the_right_working_minute():
    """Friday 14 March 2025, 18:20: 10 working minutes that day, 20 on Monday — due 09:20."""
    centre = make_centre("110000000")
    centre.head.email = "head@czn-akmola.gov.example"
    centre.head.save(update_fields=["email"])
    step = referral_registered(centre, at(2025, 3, 14, 18, 20))
    assert step.due_at == at(2025, 3, 17, 9, 20)

    assert run_at(at(2025, 3, 15, 12, 0)) == 0  # Saturday
    assert run_at(at(2025, 3, 17, 9, 20)) == 0  # due now: not late yet
    assert told(centre.head) == []

    assert run_at(at(2025, 3, 17, 9, 21)) == 1
    number = step.application.number
    subject = f"Заявление {number}: шаг просрочен"
    assert told(centre.head) == [("cabinet", subject), ("email", subject)]
    step.refresh_from_db()
    assert step.overdue_notified_at == at(2025, 3, 17, 9, 21)
    event = ApplicationEvent.objects.get(application=step.application, kind="overdue_notified")
    assert (event.payload["position"], event.payload["heads"]) == (1, [centre.head.pk])
    assert event.payload["late_working_minutes"] == 1
    # Only the head of this centre: not the sector head, not the specialist.
    assert told(centre.sector_head) == told(centre.specialist) == []

    # Once: later runs and the periodic task itself tell nobody again.
    assert run_at(at(2025, 3, 17, 9, 22)) == 0
    with time_machine.travel(at(2025, 3, 18, 10, 0), tick=False):
        tasks.notify_overdue_steps.call_local()
    assert len(told(centre.head)) == 2


@pytest.mark.django_db
def test_svc_03_nauryz_days_off_are_not_working_minutes():
    """Thursday 20 March 2025, 18:15: 15 working minutes left that day; 21–25 March are the
    Nauryz days off (and the weekend), so the step is due on Wednesday 26 March at 09:15."""
    centre = make_centre("110000000")
    second_head = staff(centre.organisation, Role.CENTRE_HEAD, last_name="Заместитель")
    step = referral_registered(centre, at(2025, 3, 20, 18, 15))
    assert step.due_at == at(2025, 3, 26, 9, 15)

    for day in (21, 22, 23, 24, 25):
        assert run_at(at(2025, 3, day, 11, 0)) == 0, day
    assert run_at(at(2025, 3, 26, 9, 15)) == 0
    assert told(centre.head) == []

    assert run_at(at(2025, 3, 26, 9, 16)) == 1
    # Every head of the centre is told (no e-mail address: the cabinet only).
    assert [c for c, _s in told(centre.head)] == ["cabinet"]
    assert [c for c, _s in told(second_head)] == ["cabinet"]
    body = Notification.objects.get(user=centre.head).body
    assert step.application.number in body
    assert "SVC-03" in body
    assert step.application.person.iin not in body
    assert run_at(at(2025, 3, 27, 9, 0)) == 0


@pytest.mark.django_db
def test_svc_03_a_step_done_in_time_or_a_head_no_longer_in_office_is_not_told():
    centre = make_centre("110000000")
    Membership.objects.filter(user=centre.head).update(is_active=False)
    in_time = referral_registered(centre, at(2025, 3, 17, 10, 0))
    services.step_refuse(
        actor=centre.specialist,
        application_id=in_time.application_id,
        ground_codes=["unreliable-documents"],
        reasons="Документы не подтверждены в ГБД ФЛ.",
    )
    late = referral_registered(centre, at(2025, 3, 17, 11, 0))

    assert run_at(at(2025, 3, 18, 9, 0)) == 1
    late.refresh_from_db()
    in_time.refresh_from_db()
    assert late.overdue_notified_at is not None
    assert in_time.overdue_notified_at is None
    assert Notification.objects.filter(kind="service_step_overdue").count() == 0


@pytest.mark.django_db
def test_svc_03_the_head_reads_the_notice_on_the_queue_page_and_sees_it_on_the_overdue_page():
    centre = make_centre("110000000")
    step = referral_registered(centre, at(2025, 3, 17, 10, 0))
    run_at(at(2025, 3, 18, 9, 0))
    client = Client()
    client.force_login(centre.head)
    queue = client.get("/staff/services/").content.decode()
    assert f"Заявление {step.application.number}: шаг просрочен" in queue
    overdue = client.get("/staff/services/overdue/").content.decode()
    assert "18.03.2025 09:00" in overdue


@pytest.mark.django_db(transaction=True)
def test_svc_03_two_concurrent_runs_tell_the_head_once():
    """Real concurrent connections: the conditional update lets exactly one run claim the step."""
    centre = make_centre("110000000")
    referral_registered(centre, at(2025, 3, 17, 10, 0))
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            counts.append(services.steps_notify_overdue(now=at(2025, 3, 18, 9, 0)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(counts) == [0, 1]
    assert Notification.objects.filter(user=centre.head, kind="service_step_overdue").count() == 1
