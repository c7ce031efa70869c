"""Routes of the public reference-data API (included under ``/api/v1/``)."""

from django.urls import path

from . import apis

urlpatterns = [
    path("regions/", apis.RegionListApi.as_view(), name="reference-region-list"),
    path("kato/", apis.KatoUnitListApi.as_view(), name="reference-kato-list"),
    path("occupations/", apis.OccupationListApi.as_view(), name="reference-occupation-list"),
    path(
        "education-levels/",
        apis.EducationLevelListApi.as_view(),
        name="reference-education-level-list",
    ),
    path(
        "employment-types/",
        apis.EmploymentTypeListApi.as_view(),
        name="reference-employment-type-list",
    ),
    path(
        "work-schedules/",
        apis.WorkScheduleListApi.as_view(),
        name="reference-work-schedule-list",
    ),
    path(
        "disability-groups/",
        apis.DisabilityGroupListApi.as_view(),
        name="reference-disability-group-list",
    ),
    path("parameters/", apis.ParameterListApi.as_view(), name="reference-parameter-list"),
    path(
        "parameters/<slug:code>/value/",
        apis.ParameterValueApi.as_view(),
        name="reference-parameter-value",
    ),
]
