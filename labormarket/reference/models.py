"""Classifiers and effective-dated parameters every other app refers to."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from labormarket.core.models import TranslatedNameMixin


class Region(TranslatedNameMixin):
    """Область или город республиканского значения — a top-level unit of KATO (since 2022: 17
    oblasts and 3 cities of republican significance)."""

    class Kind(models.TextChoices):
        OBLAST = "oblast", _("Region (oblast)")
        CITY = "city", _("City of republican significance")

    kato_code = models.CharField(_("KATO code"), max_length=9, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Almaty")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "kato_code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class KatoUnit(TranslatedNameMixin):
    """Единица КАТО — a district, city, rural district or locality below a region."""

    class Level(models.IntegerChoices):
        DISTRICT = 2, _("District or city of regional significance")
        RURAL_DISTRICT = 3, _("Rural district or town")
        LOCALITY = 4, _("Locality")

    code = models.CharField(_("KATO code"), max_length=9, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="kato_units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("KATO unit")
        verbose_name_plural = _("KATO units")


class Occupation(TranslatedNameMixin):
    """Занятие по НКЗ — an entry of the occupation classifier (ISCO-08 based).

    Levels 1–4 are the ISCO-08 major, sub-major, minor and unit groups; NKZ adds a fifth level
    (occupations proper) whose codes extend the unit group's four digits.
    """

    class Level(models.IntegerChoices):
        MAJOR = 1, _("Major group")
        SUB_MAJOR = 2, _("Sub-major group")
        MINOR = 3, _("Minor group")
        UNIT = 4, _("Unit group")
        OCCUPATION = 5, _("Occupation")

    code = models.CharField(_("code"), max_length=12, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")


class SimpleClassifier(TranslatedNameMixin):
    """A short flat classifier: a stable code and names."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]


class EducationLevel(SimpleClassifier):
    """Уровень образования (ISCED-aligned levels used in Kazakhstan)."""

    class Meta(SimpleClassifier.Meta):
        verbose_name = _("education level")
        verbose_name_plural = _("education levels")


class EmploymentType(SimpleClassifier):
    """Вид занятости: permanent, temporary, seasonal, part-time, remote…"""

    class Meta(SimpleClassifier.Meta):
        verbose_name = _("employment type")
        verbose_name_plural = _("employment types")


class WorkSchedule(SimpleClassifier):
    """График работы: full day, shifts, rotation (вахта), flexible…"""

    class Meta(SimpleClassifier.Meta):
        verbose_name = _("work schedule")
        verbose_name_plural = _("work schedules")


class DisabilityGroup(SimpleClassifier):
    """Группа инвалидности: groups 1–3 and the child category."""

    class Meta(SimpleClassifier.Meta):
        verbose_name = _("disability group")
        verbose_name_plural = _("disability groups")


class Parameter(models.Model):
    """A named quantity that the law fixes per period: MRP, minimum wage, rates."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=255)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    unit = models.CharField(_("unit"), max_length=16, default="KZT")

    class Meta:
        ordering = ["code"]
        verbose_name = _("parameter")
        verbose_name_plural = _("parameters")

    def __str__(self) -> str:
        return self.code


class ParameterValue(models.Model):
    """A parameter's value from ``valid_from`` until the next value starts, with its legal act."""

    parameter = models.ForeignKey(
        Parameter, verbose_name=_("parameter"), on_delete=models.CASCADE, related_name="values"
    )
    valid_from = models.DateField(_("valid from"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    legal_act = models.CharField(_("legal act"), max_length=500)

    class Meta:
        ordering = ["parameter", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["parameter", "valid_from"], name="reference_parametervalue_unique_start"
            )
        ]
        verbose_name = _("parameter value")
        verbose_name_plural = _("parameter values")

    def __str__(self) -> str:
        return f"{self.parameter.code} {self.valid_from}: {self.value}"
