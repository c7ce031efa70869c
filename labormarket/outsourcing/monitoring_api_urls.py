"""API of the monitoring of outsourcing (OUT-25). Included in ``config/urls.py``'s ``api_v1``
list as ``path("", include("labormarket.outsourcing.monitoring_api_urls"))``, so its name is
``api:outsourcing-monitoring``."""

from django.urls import path

from . import apis_monitoring

urlpatterns = [
    path(
        "outsourcing/monitoring/",
        apis_monitoring.MonitoringApi.as_view(),
        name="outsourcing-monitoring",
    ),
]
