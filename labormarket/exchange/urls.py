from django.urls import path

from . import views

app_name = "exchange"

urlpatterns = [
    path("vacancies/", views.vacancy_list, name="vacancy_list"),
    path("vacancies/<int:pk>/", views.vacancy_detail, name="vacancy_detail"),
    path("vacancies/<int:pk>/publish/", views.vacancy_publish, name="vacancy_publish"),
    path("vacancies/<int:pk>/close/", views.vacancy_close, name="vacancy_close"),
    path("employer/", views.employer_cabinet, name="employer_cabinet"),
    path("employer/vacancies/new/", views.vacancy_edit, name="vacancy_new"),
    path("employer/vacancies/<int:pk>/edit/", views.vacancy_edit, name="vacancy_edit"),
    path("employer/referrals/<int:pk>/hire/", views.referral_hire, name="referral_hire"),
    path("employer/referrals/<int:pk>/refuse/", views.referral_refuse, name="referral_refuse"),
    path("employer/plans/", views.employer_plans, name="employer_plans"),
    path("agency/reports/", views.agency_reports, name="agency_reports"),
    path("staff/exchange/agency-figures/", views.agency_figures, name="agency_figures"),
    path("cabinet/cvs/", views.my_cvs, name="my_cvs"),
    path("cabinet/cvs/new/", views.cv_edit, name="cv_new"),
    path("cabinet/cvs/<int:pk>/edit/", views.cv_edit, name="cv_edit"),
    path("cabinet/cvs/<int:pk>/publish/", views.cv_publish, name="cv_publish"),
    path("cvs/", views.cv_search, name="cv_search"),
    path("cvs/<int:pk>/vacancies/", views.cv_vacancies, name="cv_vacancies"),
    path("staff/exchange/", views.staff_vacancies, name="staff_vacancies"),
    path("staff/exchange/vacancies/<int:pk>/candidates/", views.candidates, name="candidates"),
    path("staff/exchange/vacancies/<int:pk>/refer/", views.referral_create, name="referral_create"),
]
