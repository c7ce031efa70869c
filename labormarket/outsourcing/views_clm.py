"""The outsourcing workspace of the staff of a centre of labour mobility (CLM): the dashboard of
what needs doing, candidates (categories OUT-02, consents OUT-05), lots (OUT-05, OUT-06, OUT-13),
the weekly announcement (OUT-01), the qualification review (OUT-08…OUT-10), contracts with their
deadlines, placements, stages, ledger and payment orders (OUT-15…OUT-24), and acts of services
(OUT-20, OUT-21).

Pages are for CLM specialists and heads, for their own centre only: anyone else signed in gets
403, the anonymous the sign-in page, and another centre's object 404 (the selectors answer
"not found" alike for "missing" and "not yours"). Views only call services and selectors; a
refusal of a service becomes a message naming the field and the rule, with its status (400,
403, 409) — never a 500, and the service has written nothing.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from labormarket.core import pages
from labormarket.core.errors import ApplicationError
from labormarket.core.http import AuthenticatedHttpRequest
from labormarket.core.iin import mask_iin
from labormarket.registry.choices import ConsentPurpose
from labormarket.registry.models import Consent, Person

from . import acts, policies, selection, selectors, selectors_clm, services
from .choices import ActStage, ActStatus, LotStatus, QualificationDocumentKind, RefusalGround
from .forms_clm import (
    ActRefuseForm,
    CandidateSearchForm,
    CategoryForm,
    ConsentForm,
    LotCreateForm,
    LotFilterForm,
    PaymentOrderForm,
    ReviewForm,
    SignForm,
    WithdrawForm,
)
from .models import CategoryAssignment, Lot, LotConfirmation, OutsourcingContract, ServiceAct

PAGE_SIZE = 25
#: The most candidates the lot form lists at once (a lot has at most 30; filter by profession).
LOT_FORM_CANDIDATES = 200

EVENT_LABELS = {
    "created": gettext_lazy("Lot formed"),
    "announced": gettext_lazy("Announced for a selection day"),
    "confirmed": gettext_lazy("Confirmed by an agency with EDS"),
    "reviewed": gettext_lazy("Agency reviewed"),
    "offered": gettext_lazy("Draft contract sent"),
    "offer_withdrawn": gettext_lazy("Draft contract withdrawn: not signed in time"),
    "contract_signed": gettext_lazy("Contract signed"),
    "republished": gettext_lazy("Offered again on the next selection day"),
    "withdrawn": gettext_lazy("Withdrawn by the CLM"),
    "act_submitted": gettext_lazy("Act of services submitted"),
}

FIELD_LABELS = {
    "category": gettext_lazy("Category"),
    "occupation": gettext_lazy("Profession"),
    "person": gettext_lazy("Person"),
    "evidence": gettext_lazy("Evidence"),
    "evidence_reference": gettext_lazy("Registration number of the signed form"),
    "people": gettext_lazy("People"),
    "price_per_person": gettext_lazy("Service price per person"),
    "reason": gettext_lazy("Reason"),
    "reasons": gettext_lazy("Reasons"),
    "ground": gettext_lazy("Ground of the refusal"),
    "services": gettext_lazy("Services offered"),
    "lots": gettext_lazy("Lots"),
    "selection_day": gettext_lazy("Selection day"),
    "clm.legal_address": gettext_lazy("Legal address of the CLM"),
    "clm.phone": gettext_lazy("Contact phone of the CLM"),
    "stage": gettext_lazy("Stage"),
    "clm": gettext_lazy("Centre of labour mobility"),
}

View = TypeVar("View", bound=Callable[..., HttpResponseBase])
T = TypeVar("T")


def clm_staff(view: View) -> View:
    """Sign-in required; then CLM specialists and heads only (403 for everyone else)."""

    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not policies.clm_ids_of(request.user):
            raise PermissionDenied(
                _("The outsourcing workspace is for the staff of a centre of labour mobility.")
            )
        return view(request, *args, **kwargs)

    return login_required(wrapper)  # type: ignore[return-value]


def _attempt(
    request: AuthenticatedHttpRequest, action: Callable[[], T], form: Any = None
) -> tuple[T | None, int]:
    """:func:`core.pages.attempt` with this workspace's field labels."""
    return pages.attempt(request, action, form=form, labels=FIELD_LABELS)


def _found(value: Any) -> Any:
    if value is None:
        raise Http404
    return value


def _sign_context() -> dict[str, Any]:
    return {"demo_signer": settings.SIGNATURES_DEMO_SIGNER}


# --- dashboard --------------------------------------------------------------------------------


@require_GET
@clm_staff
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What needs doing, with counts and the stored deadlines of each item."""
    user = request.user
    now = timezone.now()
    today = timezone.localdate()
    reviews = selectors.review_queue(user)
    waiting_acts = selectors_clm.acts_of_clm(user)
    offers = selectors_clm.offers_open_of_clm(user)
    to_announce = selectors_clm.lots_to_announce(user)
    advances = selectors_clm.contracts_due(user)
    selection_day = services.next_selection_day(today)
    context = {
        "now": now,
        "today": today,
        "reviews": list(reviews[:5]),
        "reviews_count": reviews.count(),
        "reviews_overdue": reviews.filter(review_due_at__lt=now).count(),
        "acts": list(waiting_acts[:5]),
        "acts_count": waiting_acts.count(),
        "offers": list(offers[:5]),
        "offers_count": offers.count(),
        "to_announce": list(to_announce[:5]),
        "to_announce_count": to_announce.count(),
        "republished_count": selectors_clm.lots_republished(user).count(),
        "advances": list(advances[:5]),
        "advances_count": advances.count(),
        "without_category": selectors_clm.unemployed_of_clm(user, only="no_category").count(),
        "selection_day": selection_day,
        "announcement": selectors_clm.announcement_of_week(user, selection_day),
    }
    return render(request, "outsourcing/clm/dashboard.html", context)


# --- candidates (OUT-02, OUT-05) -----------------------------------------------------------------


@require_GET
@clm_staff
def candidates(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The region's registered unemployed: name, masked IIN, category, consent, lot."""
    form = CandidateSearchForm(request.GET or None)
    query, only, status = "", "", 200
    if form.is_bound:
        if form.is_valid():
            query, only = form.cleaned_data["q"], form.cleaned_data["only"]
        else:
            status = 400
    people = pages.page_of(
        request, selectors_clm.unemployed_of_clm(request.user, query=query, only=only), PAGE_SIZE
    )
    rows = [(person, mask_iin(person.iin)) for person in people]
    return render(
        request,
        "outsourcing/clm/candidates.html",
        {"form": form, "people": people, "rows": rows, "query": query, "only": only},
        status=status,
    )


def _candidate_page(
    request: AuthenticatedHttpRequest,
    person: Person,
    *,
    category_form: CategoryForm | None = None,
    consent_form: ConsentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    history = CategoryAssignment.objects.filter(person=person).select_related(
        "occupation", "assigned_by", "clm"
    )
    consents = Consent.objects.filter(person=person, purpose=ConsentPurpose.OUTSOURCING).order_by(
        "-given_at", "-pk"
    )
    current = next((a for a in history if a.is_current), None)
    return render(
        request,
        "outsourcing/clm/candidate.html",
        {
            "person": person,
            "masked_iin": mask_iin(person.iin),
            "history": history,
            "consents": consents,
            "memberships": person.lot_memberships.select_related("lot").order_by("-added_at"),
            "category_form": category_form
            or CategoryForm(
                initial={
                    "category": current.category if current else None,
                    "occupation": current.occupation.code if current else "",
                }
            ),
            "consent_form": consent_form or ConsentForm(),
            "consent_scope": services.CONSENT_SCOPE,
        },
        status=status,
    )


@require_GET
@clm_staff
def candidate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _found(selectors_clm.unemployed_get_for_clm(request.user, pk))
    return _candidate_page(request, person)


@require_POST
@clm_staff
def candidate_category(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """OUT-02: give the person a category 1–3 and the profession sought."""
    person = _found(selectors_clm.unemployed_get_for_clm(request.user, pk))
    form = CategoryForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a category 1, 2 or 3 and the profession (OUT-02)."))
        return _candidate_page(request, person, category_form=form, status=400)
    data = form.cleaned_data
    _outcome, status = _attempt(
        request,
        lambda: services.category_assign(
            actor=request.user,
            person_id=person.pk,
            category=data["category"],
            occupation_code=data["occupation"].strip(),
            note=data["note"] or "",
        ),
        form=form,
    )
    if status != 200:
        return _candidate_page(request, person, category_form=form, status=status)
    messages.success(request, _("The category is recorded (OUT-02)."))
    return redirect("outsourcing_clm:candidate", pk=person.pk)


@require_POST
@clm_staff
def candidate_consent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """OUT-05, Appendix 1: record the person's signed consent with its evidence."""
    person = _found(selectors_clm.unemployed_get_for_clm(request.user, pk))
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the evidence of the consent (OUT-05)."))
        return _candidate_page(request, person, consent_form=form, status=400)
    data = form.cleaned_data
    _outcome, status = _attempt(
        request,
        lambda: services.outsourcing_consent_record(
            actor=request.user,
            person_id=person.pk,
            evidence=data["evidence"],
            evidence_reference=data["evidence_reference"] or "",
        ),
        form=form,
    )
    if status != 200:
        return _candidate_page(request, person, consent_form=form, status=status)
    messages.success(request, _("The consent (Appendix 1) is recorded (OUT-05)."))
    return redirect("outsourcing_clm:candidate", pk=person.pk)


# --- lots (OUT-05, OUT-06, OUT-13) -----------------------------------------------------------------


@require_GET
@clm_staff
def lots(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LotFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = pages.page_of(
        request, selectors.lots_of_clm(request.user, status=status or None), PAGE_SIZE
    )
    return render(
        request,
        "outsourcing/clm/lots.html",
        {"form": form, "lots": page, "status": status, "statuses": LotStatus.choices},
    )


def _lot_form_page(
    request: AuthenticatedHttpRequest,
    form: LotCreateForm,
    *,
    person_errors: dict[int, list[str]] | None = None,
    other_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    occupation = (request.GET.get("occupation") or "").strip()
    candidates = list(
        selectors_clm.lot_candidates(request.user, occupation_code=occupation)[:LOT_FORM_CANDIDATES]
    )
    posted = request.POST if form.is_bound else request.GET
    chosen = {int(v) for v in posted.getlist("people") if str(v).isdigit()}
    occupations = sorted({(c.occupation.code, c.occupation.name_ru) for c in candidates})
    return render(
        request,
        "outsourcing/clm/lot_new.html",
        {
            "form": form,
            "candidates": [
                (
                    c,
                    mask_iin(c.person.iin),
                    c.person_id in chosen,
                    (person_errors or {}).get(c.person_id, []),
                )
                for c in candidates
            ],
            "occupation": occupation,
            "occupations": occupations,
            "other_errors": other_errors or [],
            "max_size": 30,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@clm_staff
def lot_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Form a lot from chosen candidates (OUT-05, OUT-06); each person who may not be in it is
    named with the rule, and nothing is written."""
    if request.method != "POST":
        return _lot_form_page(
            request, LotCreateForm(initial={"price_per_person": request.GET.get("price", "")})
        )
    form = LotCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the people chosen and the service price per person."))
        return _lot_form_page(request, form, status=400)
    ids: list[int] = form.cleaned_data["people"]
    try:
        lot = services.lot_create(
            actor=request.user,
            person_ids=ids,
            price_per_person=form.cleaned_data["price_per_person"],
        )
    except ApplicationError as error:
        # The whole refusal in the message; each person's errors also beside the person.
        status = pages.report_refusal(request, error, labels=FIELD_LABELS)
        refusal = error
    else:
        messages.success(request, _("Lot %(number)s is formed (OUT-06).") % {"number": lot.number})
        return redirect("outsourcing_clm:lot", pk=lot.pk)
    person_errors: dict[int, list[str]] = {}
    other_errors: list[str] = []
    unique = list(dict.fromkeys(ids))
    for name, errors in refusal.fields.items():
        for field_error in errors:
            text = str(field_error.message) + (f" ({field_error.rule})" if field_error.rule else "")
            if name == "price_per_person":
                form.add_error("price_per_person", text)
            elif name.startswith("people[") and name.endswith("]"):
                index = int(name[7:-1])
                if index < len(unique):
                    person_errors.setdefault(unique[index], []).append(text)
                other_errors.append(text)
            else:
                other_errors.append(text)
    return _lot_form_page(
        request, form, person_errors=person_errors, other_errors=other_errors, status=status
    )


@require_GET
@clm_staff
def lot_proposals(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Lots the system proposes from the free candidates (OUT-06); nothing is written until the
    CLM turns a proposal into a lot."""
    proposals, status = _attempt(request, lambda: services.lots_propose(actor=request.user))
    if proposals is None:
        proposals = []
    ids = {pk for p in proposals for pk in p.person_ids}
    names = dict(
        Person.objects.filter(pk__in=ids).values_list("pk", "last_name")
    )  # surnames are enough to recognise the group
    rows = [(p, [names.get(pk, "") for pk in p.person_ids]) for p in proposals]
    return render(request, "outsourcing/clm/lot_proposals.html", {"rows": rows}, status=status)


def _lot_page(
    request: AuthenticatedHttpRequest, lot: Lot, *, status: int = 200, **extra: Any
) -> HttpResponse:
    members = list(selectors_clm.lot_members_with_people(lot))
    context = {
        "lot": lot,
        "members": [(m, mask_iin(m.person.iin)) for m in members],
        "counts": {c: sum(1 for m in members if m.category == c) for c in (1, 2, 3)},
        "confirmations": list(lot.confirmations.all()),
        "events": [(e, EVENT_LABELS.get(e.kind, e.kind)) for e in selectors_clm.lot_events(lot)],
        "offers": list(selectors_clm.lot_offers(lot)),
        "contract": selectors_clm.lot_contract(lot),
        "withdrawable": lot.status in (LotStatus.DRAFT, LotStatus.OPEN),
        "withdraw_form": extra.pop("withdraw_form", None) or WithdrawForm(),
        "now": timezone.now(),
        **extra,
    }
    return render(request, "outsourcing/clm/lot.html", context, status=status)


@require_GET
@clm_staff
def lot_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lot = _found(selectors.lot_get_for_clm(request.user, pk))
    return _lot_page(request, lot)


@require_POST
@clm_staff
def lot_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    lot = _found(selectors.lot_get_for_clm(request.user, pk))
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the lot is withdrawn."))
        return _lot_page(request, lot, status=400, withdraw_form=form)
    _outcome, status = _attempt(
        request,
        lambda: services.lot_withdraw(
            actor=request.user, lot_id=lot.pk, reason=form.cleaned_data["reason"]
        ),
        form=form,
    )
    if status != 200:
        return _lot_page(request, lot, status=status, withdraw_form=form)
    messages.success(request, _("The lot is withdrawn; its people are free again."))
    return redirect("outsourcing_clm:lot", pk=lot.pk)


# --- announcements (OUT-01) ----------------------------------------------------------------------


@require_GET
@clm_staff
def announcements(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _announcements_page(request)


def _announcements_page(request: AuthenticatedHttpRequest, *, status: int = 200) -> HttpResponse:
    page = pages.page_of(request, selectors.announcements_of_clm(request.user), PAGE_SIZE)
    selection_day = services.next_selection_day(timezone.localdate())
    return render(
        request,
        "outsourcing/clm/announcements.html",
        {
            "announcements": page,
            "selection_day": selection_day,
            "current": selectors_clm.announcement_of_week(request.user, selection_day),
        },
        status=status,
    )


@require_POST
@clm_staff
def announcement_refresh(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Draft (or refresh) the announcement of the next selection day (OUT-01)."""
    result, status = _attempt(request, lambda: services.announcement_refresh(actor=request.user))
    if result is None:
        return _announcements_page(request, status=status)
    messages.success(request, _("The draft announcement is up to date with the lots."))
    return redirect("outsourcing_clm:announcement", pk=result.pk)


def _announcement_page(
    request: AuthenticatedHttpRequest, announcement: Any, *, status: int = 200
) -> HttpResponse:
    published = announcement.status == "published"
    contents = announcement.contents if published else services.announcement_contents(announcement)
    return render(
        request,
        "outsourcing/clm/announcement.html",
        {
            "announcement": announcement,
            "contents": contents,
            "published": published,
            "now": timezone.now(),
        },
        status=status,
    )


@require_GET
@clm_staff
def announcement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    announcement = _found(selectors.announcement_get_for_clm(request.user, pk))
    return _announcement_page(request, announcement)


@require_POST
@clm_staff
def announcement_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    announcement = _found(selectors.announcement_get_for_clm(request.user, pk))
    _outcome, status = _attempt(
        request,
        lambda: services.announcement_publish(actor=request.user, announcement_id=announcement.pk),
    )
    if status != 200:
        announcement.refresh_from_db()
        return _announcement_page(request, announcement, status=status)
    messages.success(request, _("The announcement is published on the exchange (OUT-01)."))
    return redirect("outsourcing_clm:announcement", pk=announcement.pk)


# --- qualification review (OUT-08, OUT-09, OUT-10) -------------------------------------------------


@require_GET
@clm_staff
def reviews(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = pages.page_of(request, selectors.review_queue(request.user), PAGE_SIZE)
    return render(
        request, "outsourcing/clm/reviews.html", {"confirmations": page, "now": timezone.now()}
    )


def _review_page(
    request: AuthenticatedHttpRequest,
    confirmation: LotConfirmation,
    *,
    form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    agency = confirmation.agency
    missing = [
        QualificationDocumentKind(kind).label for kind in services.qualification_missing(agency)
    ]
    return render(
        request,
        "outsourcing/clm/review.html",
        {
            "confirmation": confirmation,
            "agency": agency,
            "cabinet": selectors.cabinet_of(agency.pk),
            "documents": list(selectors_clm.qualification_documents_of(agency.pk)),
            "missing": missing,
            "queue": list(selectors_clm.confirmation_queue(confirmation)),
            "past_contracts": list(selectors_clm.agency_past_contracts(agency.pk)[:20]),
            "form": form or ReviewForm(),
            "grounds": RefusalGround.choices,
            "pending": confirmation.status == "pending_review",
            "now": timezone.now(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@clm_staff
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A confirmation: the agency's documents, its place in the queue, and the decision."""
    confirmation = _found(selectors.confirmation_get_for_clm(request.user, pk))
    if request.method != "POST":
        return _review_page(request, confirmation)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _(
                "Choose the decision; a refusal cites one of the four grounds of the Rules (OUT-10)."
            ),
        )
        return _review_page(request, confirmation, form=form, status=400)
    data = form.cleaned_data
    admit = data["decision"] == "admit"
    _outcome, status = _attempt(
        request,
        lambda: selection.confirmation_review(
            actor=request.user,
            confirmation_id=confirmation.pk,
            admit=admit,
            ground=None if admit else data["ground"],
            reasons=data["reasons"] or "",
        ),
        form=form,
    )
    if status != 200:
        return _review_page(request, confirmation, form=form, status=status)
    messages.success(
        request,
        _("The agency is admitted; it is notified (OUT-09).")
        if admit
        else _("The agency is refused; it is notified with the reasons (OUT-09, OUT-10)."),
    )
    return redirect("outsourcing_clm:review", pk=confirmation.pk)


@require_GET
@clm_staff
def qualification_document(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A qualification document of an agency that confirmed one of the CLM's lots (OUT-08)."""
    document = _found(selectors_clm.qualification_document_for_clm(request.user, pk))
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=False, filename=document.file.name.rsplit("/", 1)[-1]
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- contracts, stages, payments (OUT-15…OUT-24) -----------------------------------------------------


@require_GET
@clm_staff
def contracts(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = pages.page_of(request, selectors.contracts_of_clm(request.user), PAGE_SIZE)
    return render(
        request,
        "outsourcing/clm/contracts.html",
        {"contracts": page, "today": timezone.localdate(), "now": timezone.now()},
    )


def _contract_page(
    request: AuthenticatedHttpRequest, contract: OutsourcingContract, *, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    contract_acts = list(selectors_clm.contract_acts(contract))
    payments = list(selectors_clm.contract_stage_payments(contract))
    paid_stages = {p.stage for p in payments if not p.is_refund}
    stages = []
    for stage in ActStage:
        figures = acts.stage_status(contract, stage, today)
        signed = any(a.stage == stage and a.status == ActStatus.SIGNED for a in contract_acts)
        payable = stage not in paid_stages and (stage == ActStage.EMPLOYMENT or signed)
        stages.append(
            {
                "stage": stage,
                "rule": acts.STAGE_RULE[stage],
                "figures": figures,
                "signed": signed,
                "paid": stage in paid_stages,
                "pay_form": PaymentOrderForm.fresh(stage) if payable else None,
            }
        )
    placements = list(selectors_clm.contract_placements(contract))
    advance = next(
        (p for p in payments if p.stage == ActStage.EMPLOYMENT and not p.is_refund), None
    )
    return render(
        request,
        "outsourcing/clm/contract.html",
        {
            "contract": contract,
            # OUT-22: once the advance is ordered its deadline is met, not "overdue".
            "advance_ordered_at": advance.entry.created_at if advance else None,
            "placements": placements,
            "acts": contract_acts,
            "stages": stages,
            "ledger": selectors_clm.contract_ledger(contract),
            "payments": payments,
            "today": today,
            "now": timezone.now(),
        },
        status=status,
    )


@require_GET
@clm_staff
def contract_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = _found(selectors.contract_get_for_clm(request.user, pk))
    return _contract_page(request, contract)


@require_POST
@clm_staff
def contract_pay(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Order a stage's payment (OUT-22…OUT-24); the amount is computed by the service, never
    typed; the form's idempotency key makes a double submit pay once; the ledger's ceiling is
    the contract sum (OUT-19)."""
    contract = _found(selectors.contract_get_for_clm(request.user, pk))
    form = PaymentOrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and order the payment again."))
        return _contract_page(request, contract, status=400)
    data = form.cleaned_data
    result, status = _attempt(
        request,
        lambda: acts.payment_order_record(
            actor=request.user,
            contract_id=contract.pk,
            stage=data["stage"],
            idempotency_key=data["idempotency_key"],
        ),
    )
    if result is None:
        return _contract_page(request, contract, status=status)
    entry, created = result
    if created:
        messages.success(
            request,
            _("The payment of %(amount)s KZT is ordered, due by %(due)s (%(rule)s).")
            % {
                "amount": number_format(entry.amount, 2, force_grouping=True),
                "due": f"{entry.due_on:%d.%m.%Y}",
                "rule": entry.rule,
            },
        )
    else:
        messages.info(request, _("This payment order was already recorded: it is paid once."))
    return redirect("outsourcing_clm:contract", pk=contract.pk)


# --- acts of services (OUT-20, OUT-21) -----------------------------------------------------------------


@require_GET
@clm_staff
def acts_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    page = pages.page_of(
        request, selectors_clm.acts_of_clm(request.user, waiting=not show_all), PAGE_SIZE
    )
    return render(
        request,
        "outsourcing/clm/acts.html",
        {"acts": page, "show_all": show_all, "now": timezone.now()},
    )


def _act_page(
    request: AuthenticatedHttpRequest,
    act: ServiceAct,
    *,
    refuse_form: ActRefuseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    waiting = act.status in (ActStatus.SUBMITTED, ActStatus.EXTENDED)
    is_head = act.contract.clm_id in policies.clm_head_ids_of(request.user)
    return render(
        request,
        "outsourcing/clm/act.html",
        {
            "act": act,
            "contract": act.contract,
            "waiting": waiting,
            "is_head": is_head,
            "can_extend": act.status == ActStatus.SUBMITTED
            and act.extension_notice_due_at is not None
            and now <= act.extension_notice_due_at,
            "sign_form": SignForm() if waiting and is_head else None,
            "refuse_form": refuse_form or ActRefuseForm(),
            "inputs": sorted(act.inputs.items()),
            "now": now,
            **_sign_context(),
        },
        status=status,
    )


def _act_for(request: AuthenticatedHttpRequest, pk: int) -> ServiceAct:
    act: ServiceAct = _found(selectors.act_get_for_clm(request.user, pk))
    return act


@require_GET
@clm_staff
def act_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act_page(request, _act_for(request, pk))


@require_GET
@clm_staff
def act_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    act = _found(selectors.act_document_for_clm(request.user, pk))
    response = HttpResponse(bytes(act.document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{act.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@clm_staff
def act_signing_bytes(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """The exact bytes the head signs (the act's PDF), base64, for the signing widget."""
    act = _found(selectors.act_document_for_clm(request.user, pk))
    pdf = bytes(act.document)
    return JsonResponse(
        {"data": base64.b64encode(pdf).decode(), "sha256": hashlib.sha256(pdf).hexdigest()}
    )


@require_POST
@clm_staff
def act_sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """OUT-21: the head of the CLM signs the act with EDS."""
    act = _act_for(request, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Sign the act with EDS first (OUT-21)."))
        return _act_page(request, act, status=400)
    _outcome, status = _attempt(
        request,
        lambda: acts.act_sign(actor=request.user, act_id=act.pk, cms=form.cleaned_data["cms"]),
    )
    if status != 200:
        return _act_page(request, _act_for(request, pk), status=status)
    messages.success(request, _("The act is signed; the agency is notified (OUT-21)."))
    return redirect("outsourcing_clm:act", pk=act.pk)


@require_POST
@clm_staff
def act_refuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """OUT-21: refuse the act with motivated reasons."""
    act = _act_for(request, pk)
    form = ActRefuseForm(request.POST)
    form.is_valid()
    _outcome, status = _attempt(
        request,
        lambda: acts.act_refuse(
            actor=request.user, act_id=act.pk, reasons=form.cleaned_data.get("reasons") or ""
        ),
        form=form,
    )
    if status != 200:
        return _act_page(request, _act_for(request, pk), refuse_form=form, status=status)
    messages.success(request, _("The act is refused; the agency is notified with the reasons."))
    return redirect("outsourcing_clm:act", pk=act.pk)


@require_POST
@clm_staff
def act_extend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """OUT-21: further study — the decision within 10 working days, the agency told now."""
    act = _act_for(request, pk)
    result, status = _attempt(request, lambda: acts.act_extend(actor=request.user, act_id=act.pk))
    if result is None:
        return _act_page(request, _act_for(request, pk), status=status)
    messages.success(
        request,
        _("Further study is announced to the agency; the decision is due by %(date)s (OUT-21).")
        % {"date": f"{timezone.localtime(result.decision_due_at):%d.%m.%Y}"},
    )
    return redirect("outsourcing_clm:act", pk=act.pk)
