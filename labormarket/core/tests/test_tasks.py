from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from labormarket.core.tasks import delete_expired_sessions, delete_expired_sessions_nightly


@pytest.mark.django_db
def test_expired_sessions_are_deleted_and_live_ones_kept():
    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert delete_expired_sessions() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


@pytest.mark.django_db
def test_the_nightly_task_runs_the_same_cleanup():
    # huey runs tasks immediately under the test settings.
    assert delete_expired_sessions_nightly.call_local() == 0
