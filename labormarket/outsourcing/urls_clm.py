"""Pages of the CLM staff's outsourcing workspace, included by ``config/urls.py`` as
``path("", include("labormarket.outsourcing.urls_clm"))``. The monitoring (OUT-25) lives beside
them at ``staff/outsourcing/monitoring/`` (:mod:`.monitoring_urls`)."""

from django.urls import path

from . import views_clm as views

app_name = "outsourcing_clm"

P = "staff/outsourcing/"

urlpatterns = [
    path(P, views.dashboard, name="dashboard"),
    path(f"{P}candidates/", views.candidates, name="candidates"),
    path(f"{P}candidates/<int:pk>/", views.candidate, name="candidate"),
    path(f"{P}candidates/<int:pk>/category/", views.candidate_category, name="category"),
    path(f"{P}candidates/<int:pk>/consent/", views.candidate_consent, name="consent"),
    path(f"{P}lots/", views.lots, name="lots"),
    path(f"{P}lots/new/", views.lot_new, name="lot_new"),
    path(f"{P}lots/proposals/", views.lot_proposals, name="lot_proposals"),
    path(f"{P}lots/<int:pk>/", views.lot_detail, name="lot"),
    path(f"{P}lots/<int:pk>/withdraw/", views.lot_withdraw, name="lot_withdraw"),
    path(f"{P}announcements/", views.announcements, name="announcements"),
    path(f"{P}announcements/refresh/", views.announcement_refresh, name="announcement_refresh"),
    path(f"{P}announcements/<int:pk>/", views.announcement_detail, name="announcement"),
    path(
        f"{P}announcements/<int:pk>/publish/",
        views.announcement_publish,
        name="announcement_publish",
    ),
    path(f"{P}reviews/", views.reviews, name="reviews"),
    path(f"{P}reviews/<int:pk>/", views.review, name="review"),
    path(
        f"{P}qualification-documents/<int:pk>/",
        views.qualification_document,
        name="qualification_document",
    ),
    path(f"{P}contracts/", views.contracts, name="contracts"),
    path(f"{P}contracts/<int:pk>/", views.contract_detail, name="contract"),
    path(f"{P}contracts/<int:pk>/pay/", views.contract_pay, name="contract_pay"),
    path(f"{P}acts/", views.acts_list, name="acts"),
    path(f"{P}acts/<int:pk>/", views.act_detail, name="act"),
    path(f"{P}acts/<int:pk>/act.pdf", views.act_pdf, name="act_pdf"),
    path(f"{P}acts/<int:pk>/signing-bytes/", views.act_signing_bytes, name="act_signing_bytes"),
    path(f"{P}acts/<int:pk>/sign/", views.act_sign, name="act_sign"),
    path(f"{P}acts/<int:pk>/refuse/", views.act_refuse, name="act_refuse"),
    path(f"{P}acts/<int:pk>/extend/", views.act_extend, name="act_extend"),
]
