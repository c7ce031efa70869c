from io import StringIO

import pytest
from django.core.management import call_command

from labormarket.exchange.models import CandidateReferral, Cv, Vacancy


@pytest.mark.django_db
def test_demo_exchange_data_is_idempotent(settings, tmp_path):
    settings.DEMO_PASSWORD = "Demo-password-2026"
    settings.SIGNATURES = {"VERIFIER": "local", "PKI_DIR": tmp_path / "pki"}
    call_command("seed_demo", "--persons", "60", stdout=StringIO())
    counts = (Vacancy.objects.count(), Cv.objects.count(), CandidateReferral.objects.count())
    assert counts[0] == 33
    assert counts[1] > 0
    assert Vacancy.objects.filter(status="published").count() == 33
    call_command("seed_demo", "--persons", "60", stdout=StringIO())
    assert (
        Vacancy.objects.count(),
        Cv.objects.count(),
        CandidateReferral.objects.count(),
    ) == counts
    assert Cv.objects.filter(person__user__username="citizen", source="self").count() == 1
