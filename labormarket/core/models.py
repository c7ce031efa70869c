"""Shared model building blocks: translated names, timestamps, domain events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TranslatedNameMixin(models.Model):
    """A classifier entry named in Russian, Kazakh and English; ``name`` follows the UI language."""

    name_ru = models.CharField(_("name (Russian)"), max_length=500)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=500, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=500, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = (get_language() or "ru")[:2]
        value = getattr(self, f"name_{language}", "") if language in {"ru", "kk", "en"} else ""
        return value or self.name_ru


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class DomainEvent(models.Model):
    """Base of the explicit event tables that record a workflow's history.

    Each workflow keeps its own table (``LabourStatusChange``, later ``LotEvent`` …) with a real
    foreign key to the object it happened to; this base gives them the same columns: what
    happened, when, who did it, and the facts that explain it.
    """

    kind = models.CharField(_("event"), max_length=64)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class CalendarOverride(models.Model):
    """A day whose working status a government decree sets (перенос выходных дней).

    Each year the Government moves some days off by decree (e.g. Friday 3 January 2025 off,
    Sunday 5 January 2025 worked), and it may declare extra days off. The ``holidays`` package
    learns of a decree only in a later release; a row here makes the calendar right at once and
    wins over the package. Cite the decree in ``reason``.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        help_text=_("Ticked: people work on this day. Not ticked: the day is a day off."),
    )
    reason = models.TextField(
        _("reason"),
        help_text=_("The decree that sets this day, e.g. its number, date and article."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("working calendar override")
        verbose_name_plural = _("working calendar overrides")

    def __str__(self) -> str:
        kind = _("working day") if self.is_working_day else _("day off")
        return f"{self.date:%Y-%m-%d}: {kind}"


class StoredSignature(models.Model):
    """A verified electronic digital signature (ЭЦП) over exact bytes, kept as evidence.

    Every step the law says is signed stores one: the CMS as received, the signer's
    certificate, who the certificate names, the SHA-256 of the exact bytes that were signed and
    the verifier's result at the time. ``core.signatures`` can verify it again later against
    the same bytes (documents are re-verifiable).
    """

    purpose = models.CharField(_("purpose"), max_length=64)
    content_sha256 = models.CharField(_("SHA-256 of the signed bytes"), max_length=64)
    cms = models.BinaryField(_("signature (CMS)"))
    certificate = models.BinaryField(_("signer certificate (DER)"), blank=True)
    certificate_serial = models.CharField(_("certificate serial"), max_length=80, blank=True)
    signer_iin = models.CharField(_("signer IIN"), max_length=12, blank=True)
    signer_bin = models.CharField(_("signer BIN"), max_length=12, blank=True)
    signer_name = models.CharField(_("signer"), max_length=300, blank=True)
    certificate_valid_from = models.DateTimeField(_("certificate valid from"), null=True)
    certificate_valid_to = models.DateTimeField(_("certificate valid to"), null=True)
    verifier = models.CharField(_("verifier"), max_length=32)
    valid = models.BooleanField(_("valid"))
    verification = models.JSONField(_("verification result"), default=dict)
    verified_at = models.DateTimeField(_("verified at"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-verified_at", "-pk"]
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")

    def __str__(self) -> str:
        return f"{self.purpose}: {self.signer_name or self.certificate_serial}"
