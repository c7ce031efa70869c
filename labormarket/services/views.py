"""HTML pages of the public services: the staff queue and application pages, the head's overdue
view, the office registration form, the citizen's portal request and cabinet, the demo signer
and the public document verification page."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from labormarket.accounts.choices import Role
from labormarket.accounts.models import Membership, Organisation
from labormarket.core import pages
from labormarket.core.errors import NotFound
from labormarket.core.http import AuthenticatedHttpRequest
from labormarket.notifications.services import user_notifications
from labormarket.registry.models import Person

from . import policies, selectors, services
from .choices import (
    ApplicationStatus,
    DocumentStatus,
    ServiceCode,
    StepAction,
    StepRole,
    StepStatus,
)
from .documents import masked_person
from .forms import (
    AssignForm,
    DraftForm,
    OfficeApplicationForm,
    PortalRequestForm,
    RefuseForm,
    RevokeForm,
    SignForm,
)
from .models import Application, ApplicationStep, ResultDocument

#: The largest file the verification page compares (a result PDF is far smaller).
MAX_COMPARED_BYTES = 5 * 1024 * 1024
PAGE_SIZE = 25

EVENT_LABELS = {
    "registered": gettext_lazy("Registered in the journal"),
    "step_done": gettext_lazy("Step done"),
    "step_refused": gettext_lazy("Step ended in a refusal"),
    "step_taken": gettext_lazy("Step taken"),
    "result_signed": gettext_lazy("Result signed with EDS"),
    "result_issued": gettext_lazy("Result handed over"),
    "result_delivered": gettext_lazy("Result sent to the personal cabinet"),
    "completed": gettext_lazy("Completed"),
    "refused": gettext_lazy("Refused"),
    "document_revoked": gettext_lazy("Document revoked"),
    "refusal_signed": gettext_lazy("Refusal signed with EDS"),
    "refusal_delivered": gettext_lazy("Refusal sent to the personal cabinet"),
    "overdue_notified": gettext_lazy("The head was notified of the overdue step"),
}


def _is_centre_staff(user: Any) -> bool:
    return not policies.application_view_scope(user).is_empty


# --- Staff -------------------------------------------------------------------------------------------


@login_required
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's queue: open steps of their roles in their centres, soonest deadline first;
    overdue steps are marked (SVC-03)."""
    if not _is_centre_staff(request.user):
        raise Http404
    steps = pages.page_of(request, selectors.open_steps_for(request.user), PAGE_SIZE)
    heads = bool(
        policies.centres_where(request.user, Role.CENTRE_HEAD)
        or policies.centres_where(request.user, Role.SECTOR_HEAD)
    )
    registering = _registering_centres(request.user)
    return render(
        request,
        "services/queue.html",
        {
            "steps": steps,
            "refusals_to_sign": list(selectors.refusals_to_sign_for(request.user)[:PAGE_SIZE]),
            "notifications": user_notifications(request.user, limit=5),
            "now": timezone.now(),
            "is_head": heads,
            "can_register": bool(registering),
        },
    )


def _registering_centres(user: Any) -> list[tuple[int, str]]:
    """Centres where the user performs the first step of some office regulation (clerk, or the
    specialist where the specialist receives the documents)."""
    ids = set(policies.centres_where(user, Role.CLERK)) | set(
        policies.centres_where(user, Role.SPECIALIST)
    )
    return list(
        Organisation.objects.filter(pk__in=ids, kind__in=services.PROVIDER_KINDS)
        .order_by("name")
        .values_list("pk", "name")
    )


@login_required
def overdue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What the head of a centre is shown as late: steps past their standard duration and
    applications past their term (SVC-03)."""
    if not (
        policies.centres_where(request.user, Role.CENTRE_HEAD)
        or policies.centres_where(request.user, Role.SECTOR_HEAD)
    ):
        raise Http404
    steps, applications = selectors.overdue_for_head(request.user)
    return render(
        request,
        "services/overdue.html",
        {"steps": steps[:200], "applications": applications[:200], "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Register a paper application brought to the office (identity by IIN)."""
    centres = _registering_centres(request.user)
    if not centres:
        raise Http404
    form = OfficeApplicationForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = Person.objects.filter(iin=data["iin"]).only("pk", "region_id").first()
        if person is None or not policies.application_view_scope(request.user).allows(
            person.region_id
        ):
            form.add_error("iin", _("No person with this IIN in your region's registry."))
        else:
            created: list[Application] = []
            if pages.run(
                request,
                lambda: created.append(
                    services.application_register_office(
                        actor=request.user,
                        centre_id=data["centre"],
                        person_id=person.pk,
                        service=data["service"],
                        requested_result=data["requested_result"] or "",
                    )
                ),
                success=_("The application is registered in the journal."),
            ):
                return redirect("services:application", pk=created[0].pk)
    return render(request, "services/application_new.html", {"form": form})


def _application_for(request: AuthenticatedHttpRequest, pk: int) -> Application:
    try:
        return services.application_get_for(request.user, pk)
    except NotFound as error:
        raise Http404 from error


@login_required
def application_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An application: its steps with who, when and the deadline of each, and the form of the
    current step for whoever performs it."""
    application = _application_for(request, pk)
    if not _is_centre_staff(request.user):
        return redirect("services:cabinet")
    steps = list(
        application.steps.select_related("regulation_step", "assignee", "ended_by").order_by(
            "position"
        )
    )
    current = next((s for s in steps if s.status == StepStatus.OPEN), None)
    document = selectors.result_document_of(application)
    refusal = selectors.refusal_document_of(application)
    signs = policies.can_perform(
        request.user, selectors.signing_role(application), application.centre_id
    )
    may_act = current is not None and policies.can_perform(
        request.user, current.regulation_step.role, application.centre_id
    )
    context: dict[str, Any] = {
        "application": application,
        "steps": steps,
        "current": current,
        "document": document,
        "refusal": refusal,
        "may_act": may_act
        and (current.assignee_id in (None, request.user.pk) if current else False),
        "now": timezone.now(),
        "events": [
            (event, EVENT_LABELS.get(event.kind, event.kind))
            for event in application.events.select_related("actor").order_by("occurred_at", "pk")
        ],
        "has_card": services.has_open_record_card(application.person),
        "is_head": policies.can_perform(request.user, StepRole.CENTRE_HEAD, application.centre_id),
        "demo_signer": settings.SIGNATURES_DEMO_SIGNER,
    }
    if current is not None and context["may_act"]:
        action = current.regulation_step.action
        if action == StepAction.ASSIGN:
            following = next((s for s in steps if s.position > current.position), None)
            role = _next_role(application, current)
            context["assign_form"] = AssignForm(executors=_executors(application, role))
            context["following"] = following
        elif action == StepAction.DRAFT:
            context["draft_form"] = DraftForm(
                initial={"requested_result": application.requested_result}
            )
        elif action == StepAction.SIGN:
            context["sign_form"] = SignForm()
        if current.regulation_step.can_refuse:
            context["refuse_form"] = RefuseForm(grounds=_grounds(application))
    if refusal is not None and refusal.status == DocumentStatus.DRAFT and signs:
        context["refusal_sign_form"] = SignForm()
    issued = _issued_document(application)
    if issued is not None and issued.status == DocumentStatus.SIGNED and context["is_head"]:
        context["revoke_form"] = RevokeForm()
        context["revocable"] = issued
    return render(request, "services/application.html", context)


def _issued_document(application: Application) -> ResultDocument | None:
    """The document the application ended with: its refusal once refused, else its result."""
    if application.status == ApplicationStatus.REFUSED:
        return selectors.refusal_document_of(application)
    return selectors.result_document_of(application)


def _next_role(application: Application, current: ApplicationStep) -> str:
    later = application.channel.steps.filter(position__gt=current.position).order_by("position")
    step = later.first()
    return step.role if step else StepRole.SPECIALIST


def _executors(application: Application, role: str) -> list[tuple[int, str]]:
    members = (
        Membership.objects.filter(
            organisation_id=application.centre_id, role=role, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    return [(m.user_id, m.user.get_full_name() or m.user.username) for m in members]


def _grounds(application: Application) -> list[tuple[str, str]]:
    return [
        (g.code, f"{g.name} ({g.rule})" if g.rule else g.name)
        for g in application.regulation.refusal_grounds.all()
    ]


@login_required
@require_POST
def step_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Perform the current step (the service checks the role, the step and the rules)."""
    application = _application_for(request, pk)
    user = request.user
    if action == "take":
        pages.run(
            request,
            lambda: services.step_take(actor=user, application_id=pk),
            success=_("The step is assigned to you."),
        )
    elif action == "assign":
        form = AssignForm(
            request.POST, executors=_executors(application, _next_role_of(application))
        )
        if form.is_valid():
            pages.run(
                request,
                lambda: services.step_assign_executor(
                    actor=user, application_id=pk, executor_id=form.cleaned_data["executor"]
                ),
                success=_("The executor is appointed."),
            )
        else:
            messages.error(request, _("Choose the responsible executor."))
    elif action == "draft":
        draft = DraftForm(request.POST)
        if draft.is_valid():
            pages.run(
                request,
                lambda: services.step_draft_result(
                    actor=user,
                    application_id=pk,
                    requested_result=draft.cleaned_data["requested_result"] or "",
                    destination=draft.cleaned_data["destination"],
                    details=draft.cleaned_data["details"],
                ),
                success=_("The result is drafted and sent for signature."),
            )
        else:
            messages.error(request, _("Check the fields of the draft."))
    elif action == "approve":
        pages.run(
            request,
            lambda: services.step_approve(actor=user, application_id=pk),
            success=_("Approved."),
        )
    elif action == "sign":
        sign = SignForm(request.POST)
        if sign.is_valid():
            pages.run(
                request,
                lambda: services.step_sign_result(
                    actor=user, application_id=pk, cms=sign.cleaned_data["cms"]
                ),
                success=_("The document is signed."),
            )
        else:
            messages.error(request, " ".join(str(e) for e in sign.errors.get("cms", [])))
    elif action == "issue":
        pages.run(
            request,
            lambda: services.step_issue_result(actor=user, application_id=pk),
            success=_("The result is handed over; the application is completed."),
        )
    elif action == "deliver":
        pages.run(
            request,
            lambda: services.step_deliver_result(actor=user, application_id=pk),
            success=_("The result is sent to the recipient's personal cabinet."),
        )
    elif action == "refuse":
        refuse = RefuseForm(request.POST, grounds=_grounds(application))
        if refuse.is_valid():
            pages.run(
                request,
                lambda: services.step_refuse(
                    actor=user,
                    application_id=pk,
                    ground_codes=refuse.cleaned_data["grounds"],
                    reasons=refuse.cleaned_data["reasons"],
                ),
                success=_("The application is refused; the reasons are recorded."),
            )
        else:
            messages.error(
                request, _("Choose the grounds of the refusal and explain the reasons (SVC-04).")
            )
    elif action == "sign-refusal":
        sign = SignForm(request.POST)
        if sign.is_valid():
            pages.run(
                request,
                lambda: services.refusal_sign(
                    actor=user, application_id=pk, cms=sign.cleaned_data["cms"]
                ),
                success=_("The refusal is signed."),
            )
        else:
            messages.error(request, " ".join(str(e) for e in sign.errors.get("cms", [])))
    elif action == "revoke":
        revoke = RevokeForm(request.POST)
        document = _issued_document(application)
        if revoke.is_valid() and document is not None:
            pages.run(
                request,
                lambda: services.document_revoke(
                    actor=user, document_id=document.pk, reason=revoke.cleaned_data["reason"]
                ),
                success=_("The document is revoked."),
            )
        else:
            messages.error(request, _("Say why the document is revoked."))
    else:
        raise Http404
    return redirect("services:application", pk=pk)


def _next_role_of(application: Application) -> str:
    current = (
        application.steps.filter(status=StepStatus.OPEN).select_related("regulation_step").first()
    )
    return _next_role(application, current) if current else StepRole.SPECIALIST


@login_required
def document_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The result PDF, to the centre staff who may see the application and to the recipient
    (a recipient sees it once it is signed)."""
    application = _application_for(request, pk)
    return _pdf(request, application, selectors.result_document_of(application))


@login_required
def refusal_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The motivated refusal PDF (SVC-04), to the same people as the result PDF."""
    application = _application_for(request, pk)
    return _pdf(request, application, selectors.refusal_document_of(application))


def _pdf(
    request: AuthenticatedHttpRequest, application: Application, document: ResultDocument | None
) -> HttpResponse:
    if document is None or not document.pdf:
        raise Http404
    staff = _is_centre_staff(request.user)
    if not staff and not selectors.reaches_recipient(application, document):
        raise Http404
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def signing_bytes(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """The exact bytes the head signs (the drafted PDF), base64, for the signing widget."""
    application = _application_for(request, pk)
    # At most one document is a draft: the result while in progress, the refusal once refused.
    document = ResultDocument.objects.filter(
        application=application, status=DocumentStatus.DRAFT
    ).first()
    if document is None or not policies.can_perform(
        request.user, selectors.signing_role(application), application.centre_id
    ):
        raise Http404
    pdf = bytes(document.pdf)
    return JsonResponse(
        {"data": base64.b64encode(pdf).decode(), "sha256": hashlib.sha256(pdf).hexdigest()}
    )


# --- The citizen's cabinet (portal channel) -----------------------------------------------------------


def _own_person(request: AuthenticatedHttpRequest) -> Person:
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    return person


@login_required
def cabinet(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The citizen's applications, their progress and their results."""
    person = _own_person(request)
    applications = pages.page_of(request, selectors.citizen_applications(person.pk), PAGE_SIZE)
    # The document each application ended with: the refusal once refused, else the result.
    documents = {
        (d.application_id, d.is_refusal): d
        for d in ResultDocument.objects.filter(
            application__in=list(applications.object_list)
        ).defer("pdf", "data")
    }
    rows = [(a, documents.get((a.pk, a.status == ApplicationStatus.REFUSED))) for a in applications]
    return render(
        request,
        "services/cabinet.html",
        {"applications": applications, "rows": rows, "person": person},
    )


def _portal_centres(person: Person) -> list[tuple[int, str]]:
    return list(
        Organisation.objects.filter(
            kind__in=services.PROVIDER_KINDS, is_active=True, region_id=person.region_id
        )
        .order_by("name")
        .values_list("pk", "name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def portal_request(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A request through the portal: the form, scans, and the EDS signature over the exact
    bytes of the request (SVC-05)."""
    person = _own_person(request)
    centres = _portal_centres(person)
    form = PortalRequestForm(request.POST or None, centres=centres)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        uploads = [
            services.Upload("identity_document", f.name or "scan", f.read())
            for f in request.FILES.getlist("files")[: services.MAX_ATTACHMENTS + 1]
            if (f.size or 0) <= services.MAX_ATTACHMENT_BYTES
        ]
        created: list[Application] = []
        if pages.run(
            request,
            lambda: created.append(
                services.application_submit_portal(
                    actor=request.user,
                    centre_id=data["centre"],
                    service=data["service"],
                    requested_result=data["requested_result"] or "",
                    form_data=_portal_form_data(data),
                    uploads=uploads,
                    cms=data["cms"],
                )
            ),
            success=_("Your request is registered. The result will appear in this cabinet."),
        ):
            return redirect("services:cabinet")
    return render(
        request,
        "services/portal_request.html",
        {"form": form, "demo_signer": settings.SIGNATURES_DEMO_SIGNER, "person": person},
    )


def _portal_form_data(data: dict[str, Any]) -> dict[str, Any]:
    return {"phone": data.get("phone") or ""}


@login_required
@require_POST
def portal_request_bytes(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The bytes the citizen signs for the request being filled in (the widget sends the form's
    fields and the SHA-256 of each file; the server builds the canonical request)."""
    person = _own_person(request)
    try:
        body = json.loads(request.body or b"{}")
        centre = int(body.get("centre"))
        digests = [str(d) for d in body.get("attachment_sha256", [])][: services.MAX_ATTACHMENTS]
    except (ValueError, TypeError):
        return JsonResponse(
            {"error": {"code": "validation_error", "message": _("Fill in the form.")}}, status=400
        )
    content = services.request_bytes(
        service=str(body.get("service") or ""),
        centre_id=centre,
        iin=person.iin,
        requested_result=str(body.get("requested_result") or "")
        if body.get("service") == ServiceCode.ACTIVE_MEASURE_REFERRAL
        else "",
        form_data=_portal_form_data({"phone": str(body.get("phone") or "")}),
        attachment_digests=digests,
    )
    return JsonResponse({"data": base64.b64encode(content).decode()})


@login_required
@require_POST
def demo_sign(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The clearly marked demo signer: signs the given bytes with the signed-in user's key of
    the test PKI. Only where ``SIGNATURES_DEMO_SIGNER`` is on (local and demo installations)."""
    if not settings.SIGNATURES_DEMO_SIGNER:
        raise Http404
    from labormarket.core.signatures import demo_sign as sign

    try:
        content = base64.b64decode(json.loads(request.body or b"{}").get("data", ""), validate=True)
    except (ValueError, TypeError, binascii.Error):
        return JsonResponse(
            {"error": {"code": "invalid", "message": _("Nothing to sign.")}}, status=400
        )
    iin = request.user.iin or ""
    try:
        cms = sign(content, iin=iin)
    except LookupError:
        return JsonResponse(
            {
                "error": {
                    "code": "no_demo_key",
                    "message": _("The test PKI has no key for you: run “manage.py pki_init”."),
                }
            },
            status=409,
        )
    return JsonResponse({"cms": base64.b64encode(cms).decode(), "demo": True})


# --- Public -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def verify_document(request: HttpRequest, token: str) -> HttpResponse:
    """The public page a document's QR code leads to: is the document genuine and in force?
    Shows only what a third party needs (no IIN, the recipient's surname and initials); a
    PDF can be uploaded to compare it byte for byte with the one the centre issued."""
    document = selectors.document_by_verification_token(token)
    comparison = None
    if document is not None and request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > MAX_COMPARED_BYTES:
            comparison = "invalid"
        else:
            digest = hashlib.sha256(upload.read()).hexdigest()
            comparison = "same" if digest == document.pdf_sha256 else "different"
    status = 404 if document is None else 200
    return render(
        request,
        "services/verify.html",
        {
            "document": document,
            "recipient": masked_person(document.data) if document else "",
            "comparison": comparison,
        },
        status=status,
    )
