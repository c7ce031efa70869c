from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutsourcingConfig(AppConfig):
    name = "labormarket.outsourcing"
    verbose_name = _("Outsourcing of employment services")
    default_auto_field = "django.db.models.BigAutoField"
