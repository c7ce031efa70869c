from django.contrib import admin

from .models import CandidateReferral, ContributionImport, Cv, ReferralEvent, Vacancy


@admin.register(Vacancy)
class VacancyAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "employer",
        "occupation",
        "region",
        "status",
        "places_open",
        "published_at",
    ]
    list_filter = ["status", "region", "is_social_job", "is_youth_practice"]
    search_fields = ["title", "employer__name", "occupation__code"]
    raw_id_fields = ["employer", "occupation", "locality", "created_by"]
    list_select_related = ["employer", "occupation", "region"]


@admin.register(Cv)
class CvAdmin(admin.ModelAdmin):
    list_display = ["title", "person", "source", "status", "visibility", "expires_on"]
    list_filter = ["status", "source", "visibility"]
    search_fields = ["title", "person__search_name"]
    raw_id_fields = ["person", "created_by"]
    filter_horizontal = ["regions"]
    list_select_related = ["person"]


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    readonly_fields = ["kind", "occurred_at", "actor", "payload"]


@admin.register(CandidateReferral)
class CandidateReferralAdmin(admin.ModelAdmin):
    list_display = ["person", "vacancy", "status", "sent_at", "answer_due_at", "answered_at"]
    list_filter = ["status"]
    raw_id_fields = ["vacancy", "cv", "person", "consent", "organisation", "sent_by", "answered_by"]
    inlines = [ReferralEventInline]
    list_select_related = ["person", "vacancy"]


@admin.register(ContributionImport)
class ContributionImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "imported_at", "rows", "deregistered", "unknown_persons"]
    readonly_fields = [f.name for f in ContributionImport._meta.fields]
