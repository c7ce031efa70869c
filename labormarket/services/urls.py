from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("staff/services/", views.queue, name="queue"),
    path("staff/services/overdue/", views.overdue, name="overdue"),
    path("staff/services/new/", views.application_new, name="application_new"),
    path("staff/services/applications/<int:pk>/", views.application_detail, name="application"),
    path(
        "staff/services/applications/<int:pk>/signing-bytes/",
        views.signing_bytes,
        name="signing_bytes",
    ),
    path(
        "staff/services/applications/<int:pk>/<slug:action>/",
        views.step_action,
        name="step_action",
    ),
    path("services/applications/<int:pk>/result.pdf", views.document_pdf, name="document_pdf"),
    path("services/applications/<int:pk>/refusal.pdf", views.refusal_pdf, name="refusal_pdf"),
    path("cabinet/services/", views.cabinet, name="cabinet"),
    path("cabinet/services/new/", views.portal_request, name="portal_request"),
    path("cabinet/services/request-bytes/", views.portal_request_bytes, name="request_bytes"),
    path("services/demo-sign/", views.demo_sign, name="demo_sign"),
    path("verify/<str:token>/", views.verify_document, name="verify"),
]
