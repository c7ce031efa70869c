from django.urls import path

from . import views

app_name = "services"

urlpatterns = [
    path("verify/<str:token>/", views.verify_document, name="verify"),
]
