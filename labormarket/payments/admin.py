"""Read-only admin: the ledger changes only through ``services`` (conditional updates)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Account, LedgerEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    fields = readonly_fields = (
        "kind",
        "direction",
        "amount",
        "due_on",
        "rule",
        "status",
        "paid_at",
    )
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["reference", "kind", "ceiling", "ceiling_rule", "paid_out", "refunded"]
    list_filter = ["kind"]
    search_fields = ["reference"]
    inlines = [LedgerEntryInline]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "account", "kind", "direction", "amount", "due_on", "rule", "status"]
    list_filter = ["status", "kind", "direction", "due_on"]
    search_fields = ["idempotency_key", "account__reference", "rule"]
    list_select_related = ["account"]
    raw_id_fields = ["account", "paid_by", "cancelled_by", "created_by"]
    date_hierarchy = "due_on"
