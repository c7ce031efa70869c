from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "labormarket.registry"
    label = "registry"
    verbose_name = _("Person registry")

    def ready(self) -> None:
        from . import audit  # noqa: F401  (registers models with django-auditlog)
