from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from labormarket.accounts.apis import MeApi, TokenApi
from labormarket.core.views import home

api_v1: list[URLPattern | URLResolver] = [
    path("me/", MeApi.as_view(), name="me"),
    path("auth/token/", TokenApi.as_view(), name="auth-token"),
    path("", include("labormarket.reference.urls")),
    path("", include("labormarket.registry.api_urls")),
    path("", include("labormarket.exchange.api_urls")),
    path("", include("labormarket.services.api_urls")),
    path("", include("labormarket.outsourcing.api_urls")),
    path("", include("labormarket.outsourcing.monitoring_api_urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("labormarket.accounts.urls")),
    path("", include("labormarket.registry.urls")),
    path("", include("labormarket.exchange.urls")),
    path("", include("labormarket.services.urls")),
    path("", include("labormarket.outsourcing.monitoring_urls")),
    path("", include("labormarket.outsourcing.urls_public")),
    path("", include("labormarket.outsourcing.urls_agency")),
    path("", include("labormarket.outsourcing.urls_clm")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
