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
    path("staff/persons/<int:pk>/education/", views.education_add, name="education_add"),
    path(
        "staff/persons/<int:pk>/education/<int:item_pk>/delete/",
        views.education_delete,
        name="education_delete",
    ),
    path("staff/persons/<int:pk>/work/", views.work_add, name="work_add"),
    path(
        "staff/persons/<int:pk>/work/<int:item_pk>/delete/", views.work_delete, name="work_delete"
    ),
    path("staff/persons/<int:pk>/family/", views.family_add, name="family_add"),
    path(
        "staff/persons/<int:pk>/family/<int:item_pk>/delete/",
        views.family_remove,
        name="family_remove",
    ),
    path("cabinet/", views.cabinet, name="cabinet"),
]
