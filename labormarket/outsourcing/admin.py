"""Read-only admin views of outsourcing: every change goes through the services (and their
rules), so the admin is for looking, not for editing."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from .models import (
    AgencyCabinet,
    AgencyNotice,
    Announcement,
    ContractOffer,
    Lot,
    LotConfirmation,
    LotEvent,
    OutsourcingContract,
    Placement,
    ServiceAct,
    StagePayment,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Lot)
class LotAdmin(ReadOnly):
    list_display = ("number", "clm", "occupation", "status", "selection_day", "times_offered")
    list_filter = ("status", "clm")
    search_fields = ("number",)


@admin.register(LotConfirmation)
class LotConfirmationAdmin(ReadOnly):
    list_display = ("lot", "selection_day", "position", "agency", "daily_number", "status")
    list_filter = ("status", "selection_day")
    exclude = ("signature",)


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnly):
    list_display = ("clm", "selection_day", "status", "published_at")
    list_filter = ("status",)


@admin.register(ContractOffer)
class ContractOfferAdmin(ReadOnly):
    list_display = ("lot", "confirmation", "status", "sent_at", "sign_due_at")
    exclude = ("document",)


@admin.register(OutsourcingContract)
class OutsourcingContractAdmin(ReadOnly):
    list_display = ("number", "clm", "agency", "total_sum", "concluded_at", "employment_due_on")
    exclude = ("signature",)


@admin.register(ServiceAct)
class ServiceActAdmin(ReadOnly):
    list_display = ("number", "contract", "stage", "status", "amount", "decision_due_at")
    exclude = ("document", "agency_signature", "clm_signature")


admin.site.register(AgencyCabinet, ReadOnly)
admin.site.register(AgencyNotice, ReadOnly)
admin.site.register(Placement, ReadOnly)
admin.site.register(StagePayment, ReadOnly)
admin.site.register(LotEvent, ReadOnly)
