"""Public pages of outsourcing (OUT-01, OUT-15), included by ``config/urls.py`` as
``path("", include("labormarket.outsourcing.urls_public"))``."""

from django.urls import path

from . import views_public

app_name = "outsourcing_public"

urlpatterns = [
    path("outsourcing/", views_public.announcement_list, name="announcements"),
    path(
        "outsourcing/announcements/<int:pk>/",
        views_public.announcement_detail,
        name="announcement",
    ),
    path("outsourcing/contracts/", views_public.contract_list, name="contracts"),
]
