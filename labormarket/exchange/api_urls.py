from django.urls import path

from . import apis

urlpatterns = [
    path("search/vacancies/", apis.VacancySearchApi.as_view(), name="search-vacancies"),
    path("search/cvs/", apis.CvSearchApi.as_view(), name="search-cvs"),
    path("matches/", apis.MatchesApi.as_view(), name="matches"),
    path("vacancies/", apis.VacancyListCreateApi.as_view(), name="vacancy-list"),
    path("vacancies/<int:pk>/", apis.VacancyDetailApi.as_view(), name="vacancy-detail"),
    path("vacancies/<int:pk>/publish/", apis.VacancyPublishApi.as_view(), name="vacancy-publish"),
    path("vacancies/<int:pk>/close/", apis.VacancyCloseApi.as_view(), name="vacancy-close"),
    path("cvs/", apis.CvListCreateApi.as_view(), name="cv-list"),
    path("cvs/<int:pk>/", apis.CvDetailApi.as_view(), name="cv-detail"),
    path("cvs/<int:pk>/publish/", apis.CvPublishApi.as_view(), name="cv-publish"),
    path("referrals/", apis.ReferralListCreateApi.as_view(), name="referral-list"),
    path("referrals/<int:pk>/hire/", apis.ReferralHireApi.as_view(), name="referral-hire"),
    path("referrals/<int:pk>/refuse/", apis.ReferralRefuseApi.as_view(), name="referral-refuse"),
    path("layoff-notices/", apis.LayoffNoticeListCreateApi.as_view(), name="layoff-notice-list"),
    path(
        "layoff-notices/affected/<int:pk>/register/",
        apis.LayoffRegisterApi.as_view(),
        name="layoff-register",
    ),
    path("forecast-jobs/", apis.ForecastJobListCreateApi.as_view(), name="forecast-job-list"),
    path("agency-reports/", apis.AgencyReportListCreateApi.as_view(), name="agency-report-list"),
]
