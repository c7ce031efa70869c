"""The agency's outsourcing cabinet, included by ``config/urls.py`` as
``path("", include("labormarket.outsourcing.urls_agency"))``. No URL carries an IIN."""

from django.urls import path

from . import views_agency as views

app_name = "outsourcing_agency"

P = "agency/outsourcing/"

urlpatterns = [
    path(P, views.home, name="home"),
    path(f"{P}cabinet/", views.cabinet, name="cabinet"),
    path(f"{P}cabinet/statement/", views.cabinet_statement, name="cabinet_statement"),
    path(f"{P}documents/", views.documents, name="documents"),
    path(f"{P}lots/", views.lots, name="lots"),
    path(f"{P}lots/<int:pk>/payload/", views.lot_payload, name="lot_payload"),
    path(f"{P}lots/<int:pk>/confirm/", views.lot_confirm, name="lot_confirm"),
    path(f"{P}readiness/payload/", views.readiness_payload, name="readiness_payload"),
    path(f"{P}readiness/", views.readiness_check, name="readiness_check"),
    path(f"{P}confirmations/", views.confirmations, name="confirmations"),
    path(f"{P}notices/", views.notices, name="notices"),
    path(f"{P}offers/", views.offers, name="offers"),
    path(f"{P}offers/<int:pk>/", views.offer, name="offer"),
    path(f"{P}offers/<int:pk>/draft.pdf", views.offer_pdf, name="offer_pdf"),
    path(f"{P}offers/<int:pk>/bytes/", views.offer_bytes, name="offer_bytes"),
    path(f"{P}offers/<int:pk>/sign/", views.offer_sign, name="offer_sign"),
    path(f"{P}contracts/", views.contract_list, name="contracts"),
    path(f"{P}contracts/<int:pk>/", views.contract_detail, name="contract"),
    path(f"{P}contracts/<int:pk>/people/", views.people, name="people"),
    path(f"{P}contracts/<int:pk>/placements/", views.placement_report, name="placement_report"),
    path(f"{P}contracts/<int:pk>/acts/", views.act_prepare, name="act_prepare"),
    path(f"{P}acts/<int:pk>/act.pdf", views.act_pdf, name="act_pdf"),
    path(f"{P}acts/<int:pk>/bytes/", views.act_bytes, name="act_bytes"),
    path(f"{P}acts/<int:pk>/submit/", views.act_submit, name="act_submit"),
]
