"""Admin of the classifiers and parameters: searchable by code and by name in any language."""

from django.contrib import admin

from .models import (
    DisabilityGroup,
    EducationLevel,
    EmploymentType,
    KatoUnit,
    Occupation,
    Parameter,
    ParameterValue,
    Region,
    WorkSchedule,
)

NAME_SEARCH = ["name_ru", "name_kk", "name_en"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["kato_code", "name_ru", "name_kk", "name_en", "kind", "timezone", "sort_order"]
    list_filter = ["kind", "timezone"]
    search_fields = ["kato_code", *NAME_SEARCH]
    ordering = ["sort_order", "kato_code"]


@admin.register(KatoUnit)
class KatoUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "level", "region", "parent", "is_active"]
    list_filter = ["level", "region", "is_active"]
    search_fields = ["code", *NAME_SEARCH]
    autocomplete_fields = ["region", "parent"]
    list_select_related = ["region", "parent"]
    ordering = ["code"]


@admin.register(Occupation)
class OccupationAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", *NAME_SEARCH]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    ordering = ["code"]


class SimpleClassifierAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "name_kk", "name_en", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", *NAME_SEARCH]
    ordering = ["sort_order", "code"]


admin.site.register(EducationLevel, SimpleClassifierAdmin)
admin.site.register(EmploymentType, SimpleClassifierAdmin)
admin.site.register(WorkSchedule, SimpleClassifierAdmin)
admin.site.register(DisabilityGroup, SimpleClassifierAdmin)


class ParameterValueInline(admin.TabularInline):
    model = ParameterValue
    extra = 0
    ordering = ["valid_from"]


@admin.register(Parameter)
class ParameterAdmin(admin.ModelAdmin):
    list_display = ["code", "name_ru", "unit"]
    search_fields = ["code", *NAME_SEARCH]
    inlines = [ParameterValueInline]


@admin.register(ParameterValue)
class ParameterValueAdmin(admin.ModelAdmin):
    list_display = ["parameter", "valid_from", "value", "legal_act"]
    list_filter = ["parameter"]
    search_fields = ["parameter__code", "legal_act"]
    list_select_related = ["parameter"]
    date_hierarchy = "valid_from"
    ordering = ["parameter__code", "valid_from"]
