from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.urls import reverse_lazy
from django.views.generic import TemplateView

from .choices import Role
from .forms import SignInForm
from .models import Organisation
from .policies import organisation_ids_with


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class OrganisationView(LoginRequiredMixin, TemplateView):
    """The cabinet of an agency's or employer's manager: their organisation and its people."""

    template_name = "accounts/organisation.html"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        ids = organisation_ids_with(self.request.user, {Role.PEA_MANAGER, Role.EMPLOYER_MANAGER})
        if not ids:
            raise Http404
        organisations = (
            Organisation.objects.filter(pk__in=ids)
            .select_related("region", "parent")
            .prefetch_related("memberships__user")
        )
        return {**super().get_context_data(**kwargs), "organisations": organisations}
