from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("staff/persons/", views.registry_home, name="home"),
    path("staff/persons/new/", views.person_create, name="person_create"),
    path("staff/persons/<int:pk>/", views.person_card, name="person_card"),
    path("staff/persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("staff/persons/<int:pk>/consents/", views.consent_give, name="consent_give"),
    path(
        "staff/persons/<int:pk>/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("cabinet/", views.cabinet, name="cabinet"),
]
