"""Routes of the public-services API (included under ``/api/v1/``)."""

from django.urls import path

from . import apis

urlpatterns = [
    path(
        "services/regulations/", apis.RegulationListApi.as_view(), name="services-regulation-list"
    ),
    path(
        "services/applications/",
        apis.ApplicationListCreateApi.as_view(),
        name="services-application-list",
    ),
    path(
        "services/applications/<int:pk>/",
        apis.ApplicationDetailApi.as_view(),
        name="services-application-detail",
    ),
    path(
        "services/applications/<int:pk>/result.pdf",
        apis.ResultPdfApi.as_view(),
        name="services-application-result-pdf",
    ),
    path(
        "services/applications/<int:pk>/take/",
        apis.StepTakeApi.as_view(),
        name="services-step-take",
    ),
    path(
        "services/applications/<int:pk>/assign/",
        apis.StepAssignApi.as_view(),
        name="services-step-assign",
    ),
    path(
        "services/applications/<int:pk>/draft/",
        apis.StepDraftApi.as_view(),
        name="services-step-draft",
    ),
    path(
        "services/applications/<int:pk>/approve/",
        apis.StepApproveApi.as_view(),
        name="services-step-approve",
    ),
    path(
        "services/applications/<int:pk>/sign/",
        apis.StepSignApi.as_view(),
        name="services-step-sign",
    ),
    path(
        "services/applications/<int:pk>/issue/",
        apis.StepIssueApi.as_view(),
        name="services-step-issue",
    ),
    path(
        "services/applications/<int:pk>/deliver/",
        apis.StepDeliverApi.as_view(),
        name="services-step-deliver",
    ),
    path(
        "services/applications/<int:pk>/refuse/",
        apis.StepRefuseApi.as_view(),
        name="services-step-refuse",
    ),
    path(
        "services/portal/requests/",
        apis.PortalRequestApi.as_view(),
        name="services-portal-request",
    ),
    path(
        "services/portal/request-bytes/",
        apis.PortalRequestBytesApi.as_view(),
        name="services-portal-request-bytes",
    ),
    path(
        "services/documents/<str:token>/verification/",
        apis.DocumentVerificationApi.as_view(),
        name="services-document-verification",
    ),
]
