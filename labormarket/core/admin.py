from django.contrib import admin
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from labormarket.core.calendar import package_is_working_day
from labormarket.core.models import CalendarOverride


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_working_day", "package_says_working", "reason"]
    list_filter = ["is_working_day"]
    search_fields = ["reason"]
    date_hierarchy = "date"
    ordering = ["-date"]
    readonly_fields = ["created_at"]

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarOverride) -> str:
        return str(WEEKDAYS_ABBR[obj.date.weekday()])

    @admin.display(description=_("working day without the override"), boolean=True)
    def package_says_working(self, obj: CalendarOverride) -> bool:
        """What the ``holidays`` package says, to spot an override that changes nothing."""
        return package_is_working_day(obj.date)
