from django.urls import path

from . import apis

urlpatterns = [
    path("persons/", apis.PersonListCreateApi.as_view(), name="person-list"),
    path("persons/lookup/", apis.PersonLookupApi.as_view(), name="person-lookup"),
    path("persons/<int:pk>/", apis.PersonDetailApi.as_view(), name="person-detail"),
    path("persons/<int:pk>/consents/", apis.PersonConsentsApi.as_view(), name="person-consents"),
    path(
        "persons/<int:pk>/consents/<int:item_pk>/withdraw/",
        apis.PersonConsentWithdrawApi.as_view(),
        name="person-consent-withdraw",
    ),
    path("persons/<int:pk>/education/", apis.PersonEducationApi.as_view(), name="person-education"),
    path(
        "persons/<int:pk>/education/<int:item_pk>/",
        apis.PersonEducationItemApi.as_view(),
        name="person-education-item",
    ),
    path(
        "persons/<int:pk>/work-history/",
        apis.PersonWorkHistoryApi.as_view(),
        name="person-work-history",
    ),
    path(
        "persons/<int:pk>/work-history/<int:item_pk>/",
        apis.PersonWorkHistoryItemApi.as_view(),
        name="person-work-history-item",
    ),
    path("persons/<int:pk>/family/", apis.PersonFamilyApi.as_view(), name="person-family"),
    path(
        "persons/<int:pk>/family/<int:item_pk>/",
        apis.PersonFamilyItemApi.as_view(),
        name="person-family-item",
    ),
]
