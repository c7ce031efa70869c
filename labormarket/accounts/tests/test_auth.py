"""Sign-in by username or IIN, lockout after repeated failures, sign-out, password change."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils import timezone

from labormarket.accounts.models import User
from labormarket.accounts.tests.factories import PASSWORD, UserFactory
from labormarket.core.testing import next_iin

pytestmark = pytest.mark.django_db


def test_sign_in_with_username_is_case_insensitive(client):
    UserFactory(username="kar.specialist")
    response = client.post(
        reverse("accounts:login"), {"username": "KAR.Specialist", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"]


def test_sign_in_with_iin(client):
    iin = next_iin()
    user = UserFactory(iin=iin)
    response = client.post(reverse("accounts:login"), {"username": iin, "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_password_is_refused_and_counted(client):
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": "wrong-password"}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", code="invalid_login")
    user.refresh_from_db()
    assert user.failed_login_count == 1
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_account_even_for_the_right_password(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_LOCKOUT_MINUTES = 15
    user = UserFactory()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "nope"})
    user.refresh_from_db()
    assert user.is_locked
    assert user.locked_until is not None
    assert timedelta(minutes=14) < user.locked_until - timezone.now() <= timedelta(minutes=15)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", code="account_locked")
    assert "_auth_user_id" not in client.session
    assert authenticate(username=user.username, password=PASSWORD) is None


def test_lock_expires_and_a_success_resets_the_counter(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_MINUTES = 10
    user = UserFactory()
    for _ in range(3):
        authenticate(username=user.username, password="nope")
    user.refresh_from_db()
    assert user.is_locked
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert authenticate(username=user.username, password=PASSWORD) == user
    user.refresh_from_db()
    assert user.failed_login_count == 0
    assert user.locked_until is None


def test_unknown_user_is_refused_with_the_same_message(client):
    response = client.post(reverse("accounts:login"), {"username": "nobody", "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].has_error("__all__", code="invalid_login")
    assert User.objects.count() == 0


def test_sign_out_needs_post_and_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change_checks_the_old_password_and_strength(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    weak = client.post(
        url, {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"}
    )
    assert weak.status_code == 200
    assert weak.context["form"].has_error("new_password2")
    wrong_old = client.post(
        url,
        {
            "old_password": "not-it",
            "new_password1": "Brand-new-pass-77",
            "new_password2": "Brand-new-pass-77",
        },
    )
    assert wrong_old.context["form"].has_error("old_password", code="password_incorrect")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    ok = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Brand-new-pass-77",
            "new_password2": "Brand-new-pass-77",
        },
    )
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Brand-new-pass-77")


def test_api_token_is_issued_for_iin_and_password(client):
    iin = next_iin()
    UserFactory(iin=iin)
    response = client.post(
        reverse("api:auth-token"),
        {"username": iin, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40
    bad = client.post(
        reverse("api:auth-token"),
        {"username": iin, "password": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "validation_error"
