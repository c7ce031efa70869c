from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "labormarket.exchange"
    label = "exchange"
    verbose_name = _("Electronic labour exchange")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (registers models with django-auditlog)
