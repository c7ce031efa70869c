from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Consent,
    EducationRecord,
    EmploymentImport,
    EmploymentRecord,
    FamilyLink,
    LabourStatusChange,
    Person,
    PersonAccessLog,
    PersonalRecordCard,
    PersonPhone,
    WorkHistoryEntry,
)


class PhoneInline(admin.TabularInline):
    model = PersonPhone
    extra = 0


class EducationInline(admin.TabularInline):
    model = EducationRecord
    extra = 0


class WorkInline(admin.TabularInline):
    model = WorkHistoryEntry
    extra = 0
    raw_id_fields = ["occupation"]


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["given_at", "withdrawn_at", "recorded_by"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Administrators' view of the registry. Search by name only: IINs stay out of URLs."""

    list_display = ["__str__", "birth_date", "region", "labour_status"]
    list_filter = ["region", "labour_status", "citizenship_status"]
    search_fields = ["search_name"]
    readonly_fields = ["iin", "birth_date", "sex", "labour_status", "labour_status_since"]
    raw_id_fields = ["address_kato", "user", "registering_organisation"]
    inlines = [PhoneInline, EducationInline, WorkInline, ConsentInline]
    list_select_related = ["region"]


@admin.register(PersonAccessLog)
class PersonAccessLogAdmin(admin.ModelAdmin):
    list_display = ["accessed_at", "user", "person", "purpose", "channel"]
    list_filter = ["purpose", "channel", "accessed_at"]
    search_fields = ["user__username", "user__last_name", "person__search_name"]
    date_hierarchy = "accessed_at"
    list_select_related = ["user", "person"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LabourStatusChange)
class LabourStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "person", "from_status", "to_status", "reason", "organisation"]
    list_filter = ["to_status", "reason"]
    list_select_related = ["person", "organisation"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(PersonalRecordCard)
class PersonalRecordCardAdmin(admin.ModelAdmin):
    list_display = ["number", "person", "organisation", "opened_at", "closed_at"]
    search_fields = ["number"]
    list_select_related = ["person", "organisation"]


@admin.register(FamilyLink)
class FamilyLinkAdmin(admin.ModelAdmin):
    list_display = ["person", "relation", "relative"]
    raw_id_fields = ["person", "relative"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only an import writes."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(EmploymentImport)
class EmploymentImportAdmin(ReadOnlyAdmin):
    list_display = [
        "imported_at",
        "file_name",
        "rows",
        "created",
        "updated",
        "unchanged",
        "unknown_persons",
    ]
    date_hierarchy = "imported_at"


@admin.register(EmploymentRecord)
class EmploymentRecordAdmin(ReadOnlyAdmin):
    """Search by name or employer's BIN only: IINs stay out of URLs."""

    list_display = ["person", "employer_bin", "started_on", "ended_on", "source_import"]
    search_fields = ["person__search_name", "employer_bin"]
    list_select_related = ["person", "source_import"]
    raw_id_fields = ["person", "source_import"]
