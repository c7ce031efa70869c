"""Staff pages of the person registry and the citizen's own cabinet."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from labormarket.core.errors import ApplicationError, NotFound, ValidationFailed
from labormarket.core.http import AuthenticatedHttpRequest

from . import selectors, services
from .choices import AccessChannel, AccessPurpose, ConsentPurpose
from .forms import AccessPurposeForm, ConsentForm, PersonForm, PersonSearchForm
from .models import Person
from .policies import can_create_persons, can_use_registry, person_write_scope

SEARCH_PAGE_SIZE = 25
SESSION_PURPOSE_KEY = "registry_access_purpose"


def _require_registry(request: AuthenticatedHttpRequest) -> None:
    if not can_use_registry(request.user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def registry_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The staff home: search the registry by IIN or name (POST, so no IIN in URLs)."""
    _require_registry(request)
    purpose = request.session.get(SESSION_PURPOSE_KEY, AccessPurpose.SERVICE_DELIVERY)
    form = PersonSearchForm(request.POST or None, initial={"purpose": purpose})
    page = None
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_PURPOSE_KEY] = form.cleaned_data["purpose"]
        results = selectors.person_search(request.user, form.cleaned_data["q"])
        paginator = Paginator(results, SEARCH_PAGE_SIZE)
        page = paginator.get_page(form.cleaned_data.get("page") or 1)
    context = {
        "form": form,
        "page": page,
        "purpose": form.cleaned_data.get("purpose", purpose) if form.is_bound else purpose,
        "can_create": can_create_persons(request.user),
    }
    template = "registry/_results.html" if request.htmx and form.is_bound else "registry/home.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_create_persons(request.user):
        raise Http404
    scope = person_write_scope(request.user)
    initial: dict[str, Any] = {}
    if len(scope.region_ids) == 1:
        initial["region"] = next(iter(scope.region_ids))
    form = PersonForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                actor=request.user, iin=form.cleaned_data["iin"], data=form.to_data()
            )
        except ValidationFailed as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The person has been added to the registry."))
            url = reverse("registry:person_card", args=[person.pk])
            return redirect(f"{url}?purpose={AccessPurpose.DATA_CORRECTION}")
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "registry/person_form.html", {"form": form}, status=status)


def _person_for_change(request: AuthenticatedHttpRequest, pk: int) -> Person:
    """The person if the user may change them: 404 when not visible, 403 when read-only."""
    _require_registry(request)
    person = selectors.person_queryset_for(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404
    if not request.user.has_perm("registry.change_person", person):
        raise PermissionDenied(_("Your role may view this person but not change them."))
    return person


def _open_card(request: AuthenticatedHttpRequest, pk: int, purpose: str) -> Person:
    try:
        return services.person_open_card(
            actor=request.user, person_id=pk, purpose=purpose, channel=AccessChannel.WEB
        )
    except NotFound as error:
        raise Http404 from error


@login_required
def person_card(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The person's card. Staff first say why they open it; the opening is logged."""
    _require_registry(request)
    purpose_form = AccessPurposeForm(request.GET or None)
    if not purpose_form.is_valid():
        if not selectors.person_queryset_for(request.user).filter(pk=pk).exists():
            raise Http404
        return render(request, "registry/purpose.html", {"form": purpose_form, "pk": pk})
    purpose = purpose_form.cleaned_data["purpose"]
    request.session[SESSION_PURPOSE_KEY] = purpose
    person = selectors.person_card_sections(_open_card(request, pk, purpose))
    return render(
        request,
        "registry/person_card.html",
        {
            "person": person,
            "purpose": purpose,
            "purpose_label": AccessPurpose(purpose).label,
            "can_change": request.user.has_perm("registry.change_person", person),
            "consent_form": ConsentForm(),
            "access_log": selectors.person_access_log_for(person),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person_for_change(request, pk)
    if request.method == "GET":
        _open_card(request, pk, AccessPurpose.DATA_CORRECTION)
    primary = person.phones.filter(is_primary=True).first()
    initial = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "middle_name": person.middle_name,
        "citizenship_status": person.citizenship_status,
        "region": person.region_id,
        "address_kato_code": person.address_kato.code if person.address_kato else "",
        "street": person.street,
        "house": person.house,
        "flat": person.flat,
        "phone": primary.number if primary else "",
        "email": person.email,
        "disability_group": person.disability_group_id,
    }
    form = PersonForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person_id=pk, data=form.to_data())
        except ValidationFailed as error:
            form.add_service_errors(error)
        except NotFound as error:
            raise Http404 from error
        else:
            messages.success(request, _("The changes have been saved."))
            url = reverse("registry:person_card", args=[pk])
            return redirect(f"{url}?purpose={AccessPurpose.DATA_CORRECTION}")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "registry/person_form.html", {"form": form, "person": person}, status=status
    )


@login_required
@require_POST
def consent_give(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _person_for_change(request, pk)
    form = ConsentForm(request.POST)
    url = reverse("registry:person_card", args=[pk]) + f"?purpose={AccessPurpose.DATA_CORRECTION}"
    if form.is_valid():
        try:
            services.consent_give(actor=request.user, person_id=pk, **form.cleaned_data)
        except ValidationFailed as error:
            form.add_service_errors(error)
        except NotFound as error:
            raise Http404 from error
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect(url)
        else:
            messages.success(request, _("The consent has been recorded."))
            return redirect(url)
    errors = "; ".join(
        f"{form.fields[name].label if name in form.fields else ''}: {' '.join(map(str, msgs))}"
        for name, msgs in form.errors.items()
    )
    messages.error(request, _("The consent was not recorded: %(errors)s") % {"errors": errors})
    return redirect(url)


@login_required
@require_POST
def consent_withdraw(request: AuthenticatedHttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    _person_for_change(request, pk)
    try:
        services.consent_withdraw(actor=request.user, person_id=pk, consent_id=consent_pk)
    except NotFound as error:
        raise Http404 from error
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The consent has been withdrawn."))
    url = reverse("registry:person_card", args=[pk])
    return redirect(f"{url}?purpose={AccessPurpose.DATA_CORRECTION}")


@login_required
def cabinet(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The citizen's own data: status, record card, consents (no access-log entry: own data)."""
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    person = selectors.person_card_sections(person)
    return render(
        request,
        "registry/cabinet.html",
        {"person": person, "consent_purposes": ConsentPurpose},
    )
