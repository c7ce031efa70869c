from django.urls import path

from . import apis

urlpatterns = [
    path("persons/", apis.PersonListCreateApi.as_view(), name="person-list"),
    path("persons/lookup/", apis.PersonLookupApi.as_view(), name="person-lookup"),
    path("persons/<int:pk>/", apis.PersonDetailApi.as_view(), name="person-detail"),
]
