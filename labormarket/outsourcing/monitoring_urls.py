"""Pages of the monitoring of outsourcing (OUT-25), included by ``config/urls.py`` as
``path("", include("labormarket.outsourcing.monitoring_urls"))``."""

from django.urls import path

from . import views_monitoring

app_name = "outsourcing_monitoring"

urlpatterns = [
    path("staff/outsourcing/monitoring/", views_monitoring.monitoring_page, name="page"),
    path("staff/outsourcing/monitoring/xlsx/", views_monitoring.monitoring_xlsx, name="xlsx"),
]
