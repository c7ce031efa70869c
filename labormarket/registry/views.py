"""Staff pages of the person registry and the citizen's own cabinet."""

from __future__ import annotations

from collections.abc import Callable
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

from labormarket.core.errors import NotFound, ValidationFailed
from labormarket.core.http import AuthenticatedHttpRequest

from . import selectors, services
from .choices import AccessChannel, AccessPurpose, ConsentPurpose
from .forms import (
    AccessPurposeForm,
    ConsentForm,
    EducationForm,
    FamilyLinkForm,
    PersonForm,
    PersonSearchForm,
    WorkHistoryForm,
)
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


def _card_context(
    request: AuthenticatedHttpRequest, person: Person, purpose: str, **forms: Any
) -> dict[str, Any]:
    person = selectors.person_card_sections(person)
    return {
        "person": person,
        "purpose": purpose,
        "purpose_label": AccessPurpose(purpose).label,
        "can_change": request.user.has_perm("registry.change_person", person),
        "consent_form": forms.get("consent_form") or ConsentForm(),
        "education_form": forms.get("education_form") or EducationForm(),
        "work_form": forms.get("work_form") or WorkHistoryForm(),
        "family_form": forms.get("family_form") or FamilyLinkForm(),
        "open_form": next((name for name, form in forms.items() if form is not None), ""),
        "access_log": selectors.person_access_log_for(person),
    }


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
    person = _open_card(request, pk, purpose)
    return render(request, "registry/person_card.html", _card_context(request, person, purpose))


def _card_url(pk: int) -> str:
    return reverse("registry:person_card", args=[pk]) + f"?purpose={AccessPurpose.DATA_CORRECTION}"


def _card_action(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_name: str,
    form_class: type[Any],
    action: Callable[[Any], object],
    success: str,
) -> HttpResponse:
    """Handle a form posted from the card: on success back to the card with a message; on bad
    input the card again (400) with the form open and the errors next to its fields."""
    person = _person_for_change(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationFailed as error:
            form.add_service_errors(error)
        except NotFound as error:
            raise Http404 from error
        else:
            messages.success(request, success)
            return redirect(_card_url(pk))
    context = _card_context(request, person, AccessPurpose.DATA_CORRECTION, **{form_name: form})
    return render(request, "registry/person_card.html", context, status=400)


@login_required
@require_POST
def consent_give(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _card_action(
        request,
        pk,
        "consent_form",
        ConsentForm,
        lambda data: services.consent_give(actor=request.user, person_id=pk, **data),
        _("The consent has been recorded."),
    )


@login_required
@require_POST
def education_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _card_action(
        request,
        pk,
        "education_form",
        EducationForm,
        lambda data: services.education_record_add(
            actor=request.user,
            person_id=pk,
            level_code=data["level"],
            institution=data["institution"],
            speciality=data["speciality"],
            graduation_year=data["graduation_year"],
        ),
        _("The education record has been added."),
    )


@login_required
@require_POST
def work_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _card_action(
        request,
        pk,
        "work_form",
        WorkHistoryForm,
        lambda data: services.work_history_add(actor=request.user, person_id=pk, **data),
        _("The job has been added to the work history."),
    )


@login_required
@require_POST
def family_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def link(data: dict[str, Any]) -> object:
        relative = selectors.person_search(request.user, data["relative_iin"]).first()
        if relative is None:
            raise ValidationFailed.single(
                "relative_iin",
                "relative_unknown",
                _("There is no person with this IIN in your region's registry."),
            )
        return services.family_link_add(
            actor=request.user, person_id=pk, relative_id=relative.pk, relation=data["relation"]
        )

    return _card_action(
        request, pk, "family_form", FamilyLinkForm, link, _("The family link has been added.")
    )


def _card_delete(
    request: AuthenticatedHttpRequest, pk: int, action: Callable[[], object], success: str
) -> HttpResponse:
    _person_for_change(request, pk)
    try:
        action()
    except NotFound as error:
        raise Http404 from error
    messages.success(request, success)
    return redirect(_card_url(pk))


@login_required
@require_POST
def education_delete(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return _card_delete(
        request,
        pk,
        lambda: services.education_record_delete(
            actor=request.user, person_id=pk, record_id=item_pk
        ),
        _("The education record has been removed."),
    )


@login_required
@require_POST
def work_delete(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return _card_delete(
        request,
        pk,
        lambda: services.work_history_delete(actor=request.user, person_id=pk, entry_id=item_pk),
        _("The job has been removed from the work history."),
    )


@login_required
@require_POST
def family_remove(request: AuthenticatedHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    return _card_delete(
        request,
        pk,
        lambda: services.family_link_remove(actor=request.user, person_id=pk, relative_id=item_pk),
        _("The family link has been removed."),
    )


@login_required
@require_POST
def consent_withdraw(request: AuthenticatedHttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    return _card_delete(
        request,
        pk,
        lambda: services.consent_withdraw(actor=request.user, person_id=pk, consent_id=consent_pk),
        _("The consent has been withdrawn."),
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
def cabinet(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The citizen's own data: status, record card, consents (no access-log entry: own data)."""
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    from labormarket.notifications.services import cabinet_notifications

    person = selectors.person_card_sections(person)
    return render(
        request,
        "registry/cabinet.html",
        {
            "person": person,
            "consent_purposes": ConsentPurpose,
            "notifications": cabinet_notifications(person),
        },
    )
