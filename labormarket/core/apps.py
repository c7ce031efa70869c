from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "labormarket.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from labormarket.core.calendar import on_calendar_override_changed
        from labormarket.core.models import CalendarOverride

        # The working calendar caches the overrides per process; a change must reach it at once.
        post_save.connect(
            on_calendar_override_changed,
            sender=CalendarOverride,
            dispatch_uid="core.calendar_override_saved",
        )
        post_delete.connect(
            on_calendar_override_changed,
            sender=CalendarOverride,
            dispatch_uid="core.calendar_override_deleted",
        )
