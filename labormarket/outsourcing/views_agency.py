"""The private employment agency's outsourcing cabinet (Role.PEA_MANAGER, its own agency only):
certify the cabinet with the agency's EDS (OUT-04), file qualification documents (OUT-08),
check the key before 09:00 and confirm lots on Monday with EDS (OUT-03, OUT-07), follow the
confirmations and notices (OUT-09, OUT-10), sign the draft contract (OUT-11…OUT-14), see the
lot's people — the eleven fields of OUT-17, each read logged — report placements (OUT-18),
prepare and submit acts (OUT-20) and see the payments (OUT-19, OUT-22…OUT-24).

Views only shape input and output: every rule is a service's. A refusal becomes a message
naming the field and the rule and the page is shown again with 400/403/409; another agency's
object answers 404; anyone who is not an agency's manager gets 403, the anonymous the sign-in
page. No IIN travels in a URL.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from typing import Any, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from labormarket.accounts.models import Organisation
from labormarket.core import pages
from labormarket.core.errors import NotFound
from labormarket.core.http import AuthenticatedHttpRequest
from labormarket.payments import selectors as ledger
from labormarket.payments.choices import AccountKind

from . import acts, contracts, selection, selectors, services
from .choices import ActStage, ActStatus, OfferStatus, PlacementStatus, QualificationDocumentKind
from .forms_agency import (
    ActPrepareForm,
    CabinetForm,
    PlacementForm,
    QualificationDocumentForm,
    SignForm,
)
from .models import MAX_CONFIRMATIONS_PER_DAY, ContractOffer, OutsourcingContract

PAGE_SIZE = 20
T = TypeVar("T")


# --- plumbing -------------------------------------------------------------------------------------


def _agencies(request: AuthenticatedHttpRequest) -> list[Organisation]:
    """The agencies the user manages; anyone else is refused (403)."""
    agencies = list(selectors.agencies_of(request.user))
    if not agencies:
        raise PermissionDenied(_("The outsourcing cabinet is for private employment agencies."))
    return agencies


def _agency(request: AuthenticatedHttpRequest) -> tuple[Organisation, list[Organisation]]:
    """The agency the user acts for (``?agency=`` or the form's ``agency`` when they manage
    several; the first otherwise) and all of theirs. Another agency's id answers 404."""
    agencies = _agencies(request)
    raw = request.POST.get("agency") or request.GET.get("agency")
    if not raw:
        return agencies[0], agencies
    chosen = next((a for a in agencies if str(a.pk) == raw), None)
    if chosen is None:
        raise Http404
    return chosen, agencies


def _invalid(request: AuthenticatedHttpRequest, form: forms.Form) -> int:
    """A form that did not validate: its hidden signature field has no place to show an error,
    so every error is also in the message. 400."""
    text = " ".join(
        str(error)
        for name, errors in form.errors.items()
        for error in errors
        if name == "__all__" or form.fields[name].widget.is_hidden
    )
    messages.error(request, text or _("Check the fields marked below."))
    return 400


def _bytes(content: bytes) -> JsonResponse:
    """Bytes to sign, for the signing widget."""
    return JsonResponse(
        {"data": base64.b64encode(content).decode(), "sha256": hashlib.sha256(content).hexdigest()}
    )


def _pdf(document: Any, name: str) -> HttpResponse:
    response = HttpResponse(bytes(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _render(
    request: AuthenticatedHttpRequest,
    template: str,
    agency: Organisation,
    agencies: list[Organisation],
    context: dict[str, Any],
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        f"outsourcing/agency/{template}",
        {
            "agency": agency,
            "agencies": agencies,
            "several": len(agencies) > 1,
            "agency_q": f"?agency={agency.pk}" if len(agencies) > 1 else "",
            "demo_signer": settings.SIGNATURES_DEMO_SIGNER,
            "now": timezone.now(),
            **context,
        },
        status=status,
    )


# --- the cabinet (OUT-04, OUT-08) ---------------------------------------------------------------


@require_GET
@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where the agency stands: the cabinet, the documents still missing, the open offers with
    their deadlines and the latest notices."""
    agency, agencies = _agency(request)
    user = request.user
    return _render(
        request,
        "home.html",
        agency,
        agencies,
        {
            "tab": "home",
            "cabinet": selectors.cabinet_of(agency.pk),
            "missing": _kind_labels(services.qualification_missing(agency)),
            "open_offers": list(
                selectors.offers_of_agency(user).filter(status=OfferStatus.OPEN)[:PAGE_SIZE]
            ),
            "notices": list(selectors.notices_of_agency(user)[:5]),
        },
    )


def _kind_labels(kinds: list[str]) -> list[str]:
    return [str(QualificationDocumentKind(kind).label) for kind in kinds]


def _cabinet_page(
    request: AuthenticatedHttpRequest,
    agency: Organisation,
    agencies: list[Organisation],
    form: CabinetForm,
    status: int = 200,
) -> HttpResponse:
    return _render(
        request,
        "cabinet.html",
        agency,
        agencies,
        {"tab": "cabinet", "form": form, "cabinet": selectors.cabinet_of(agency.pk)},
        status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def cabinet(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Certify (or certify again) the cabinet: contacts and bank details signed with the
    agency's EDS (OUT-04)."""
    agency, agencies = _agency(request)
    if request.method == "GET":
        current = selectors.cabinet_of(agency.pk)
        initial = (
            {name: getattr(current, name) for name in CabinetForm.base_fields if name != "cms"}
            if current
            else {}
        )
        return _cabinet_page(request, agency, agencies, CabinetForm(initial=initial))
    form = CabinetForm(request.POST)
    if not form.is_valid():
        return _cabinet_page(request, agency, agencies, form, _invalid(request, form))
    data = form.cleaned_data
    details = services.CabinetDetails(
        **{name: data[name] for name in CabinetForm.base_fields if name != "cms"}
    )
    done, status = pages.attempt(
        request,
        lambda: services.cabinet_certify(
            actor=request.user, details=details, cms=data["cms"], agency_id=agency.pk
        ),
        form=form,
    )
    if done is None:
        return _cabinet_page(request, agency, agencies, form, status)
    messages.success(request, _("The cabinet is certified with the agency's EDS (OUT-04)."))
    return redirect(_with_agency("outsourcing_agency:cabinet", agency, agencies))


@require_GET
@login_required
def cabinet_statement(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The exact statement the agency signs to certify its cabinet."""
    agency = _agency(request)[0]
    return _bytes(services.cabinet_statement_for(actor=request.user, agency_id=agency.pk))


def _documents_page(
    request: AuthenticatedHttpRequest,
    agency: Organisation,
    agencies: list[Organisation],
    form: QualificationDocumentForm,
    status: int = 200,
) -> HttpResponse:
    return _render(
        request,
        "documents.html",
        agency,
        agencies,
        {
            "tab": "documents",
            "form": form,
            "page": pages.page_of(
                request, selectors.qualification_documents_of(request.user, agency.pk), PAGE_SIZE
            ),
            "missing": _kind_labels(services.qualification_missing(agency)),
        },
        status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def documents(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The documents proving the agency's experience and resources, and the upload (OUT-08)."""
    agency, agencies = _agency(request)
    if request.method == "GET":
        return _documents_page(request, agency, agencies, QualificationDocumentForm())
    form = QualificationDocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _documents_page(request, agency, agencies, form, _invalid(request, form))
    data = form.cleaned_data
    done, status = pages.attempt(
        request,
        lambda: services.qualification_document_add(
            actor=request.user,
            kind=data["kind"],
            title=data["title"],
            upload=data["file"],
            agency_id=agency.pk,
        ),
        form=form,
    )
    if done is None:
        return _documents_page(request, agency, agencies, form, status)
    messages.success(request, _("The document is filed (OUT-08)."))
    return redirect(_with_agency("outsourcing_agency:documents", agency, agencies))


def _with_agency(name: str, agency: Organisation, agencies: list[Organisation], **kw: Any) -> str:
    url = reverse(name, kwargs=kw or None)
    return f"{url}?agency={agency.pk}" if len(agencies) > 1 else url


# --- Monday selection (OUT-03, OUT-07) -------------------------------------------------------------


def _lots_page(
    request: AuthenticatedHttpRequest,
    agency: Organisation,
    agencies: list[Organisation],
    status: int = 200,
) -> HttpResponse:
    user = request.user
    now = timezone.now()
    today = services.local_time(agency, now).date()
    page = pages.page_of(request, selectors.lots_open_for(user), PAGE_SIZE)
    lots = list(page.object_list)
    mine = {
        c.lot_id: c
        for c in selectors.confirmations_of_agency(user).filter(
            agency=agency, lot__in=lots, selection_day__in={lot.selection_day for lot in lots}
        )
    }
    rows = [
        {"lot": lot, "mine": mine.get(lot.pk), "closed": selection.selection_window_error(lot, now)}
        for lot in lots
    ]
    used = selectors.confirmations_of_agency(user).filter(agency=agency, selection_day=today)
    return _render(
        request,
        "lots.html",
        agency,
        agencies,
        {
            "tab": "lots",
            "page": page,
            "rows": rows,
            "used_today": used.count(),
            "daily_limit": MAX_CONFIRMATIONS_PER_DAY,
            "local_now": services.local_time(agency, now),
            "certified": selectors.cabinet_of(agency.pk) is not None,
            "opens": services.SELECTION_OPENS,
            "closes": services.SELECTION_CLOSES,
        },
        status,
    )


@require_GET
@login_required
def lots(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The lots open for selection with their people counted by category; each is confirmed
    with the agency's EDS on its Monday, 09:00–18:30 local time, at most 3 a day."""
    agency, agencies = _agency(request)
    return _lots_page(request, agency, agencies)


@require_GET
@login_required
def lot_payload(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """The exact bytes the agency signs to confirm the lot (they name the lot, BIN and day)."""
    agency = _agency(request)[0]
    try:
        _lot, content = selection.confirmation_payload_for(
            actor=request.user, lot_id=pk, agency_id=agency.pk
        )
    except NotFound as error:
        raise Http404 from error
    return _bytes(content)


@require_POST
@login_required
def lot_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm the lot with the agency's EDS: the next place in its queue (OUT-07)."""
    agency, agencies = _agency(request)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _lots_page(request, agency, agencies, _invalid(request, form))
    confirmation, status = pages.attempt(
        request,
        lambda: selection.lot_confirm(
            actor=request.user, lot_id=pk, cms=form.cleaned_data["cms"], agency_id=agency.pk
        ),
    )
    if confirmation is None:
        return _lots_page(request, agency, agencies, status)
    messages.success(
        request,
        _(
            "Lot %(lot)s is confirmed: your place in its queue is %(position)d; this is your "
            "confirmation %(number)d of %(limit)d today (OUT-07). The review is due by %(due)s."
        )
        % {
            "lot": confirmation.lot.number,
            "position": confirmation.position,
            "number": confirmation.daily_number,
            "limit": MAX_CONFIRMATIONS_PER_DAY,
            "due": f"{timezone.localtime(confirmation.review_due_at):%d.%m.%Y %H:%M}",
        },
    )
    return redirect(_with_agency("outsourcing_agency:confirmations", agency, agencies))


@require_GET
@login_required
def readiness_payload(request: AuthenticatedHttpRequest) -> JsonResponse:
    """The bytes the agency signs to check its EDS before the selection window opens."""
    agency = _agency(request)[0]
    return _bytes(selection.readiness_payload_for(actor=request.user, agency_id=agency.pk))


@require_POST
@login_required
def readiness_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Check before 09:00 that the agency's key will be accepted; nothing is written, and the
    confirmations at 09:00 need no fresh sign-in (OUT-04, OUT-07)."""
    agency, agencies = _agency(request)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _lots_page(request, agency, agencies, _invalid(request, form))
    result, status = pages.attempt(
        request,
        lambda: selection.signature_check(
            actor=request.user, cms=form.cleaned_data["cms"], agency_id=agency.pk
        ),
    )
    if result is None:
        return _lots_page(request, agency, agencies, status)
    messages.success(
        request,
        _(
            "Your EDS is accepted: %(name)s, certificate valid until %(until)s. You can confirm "
            "lots when the selection opens without signing in again."
        )
        % {"name": result.signer_name, "until": f"{result.valid_to:%d.%m.%Y}"},
    )
    return redirect(_with_agency("outsourcing_agency:lots", agency, agencies))


@require_GET
@login_required
def confirmations(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agency's confirmations: place in the queue, review deadline, result and grounds."""
    agency, agencies = _agency(request)
    page = pages.page_of(request, selectors.confirmations_of_agency(request.user), PAGE_SIZE)
    return _render(
        request, "confirmations.html", agency, agencies, {"tab": "confirmations", "page": page}
    )


@require_GET
@login_required
def notices(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The notices the CLMs sent to the agency's cabinet (OUT-09, OUT-11, OUT-12, OUT-21)."""
    agency, agencies = _agency(request)
    page = pages.page_of(request, selectors.notices_of_agency(request.user), PAGE_SIZE)
    return _render(request, "notices.html", agency, agencies, {"tab": "notices", "page": page})


# --- offers and contracts (OUT-11…OUT-14) ------------------------------------------------------------


@require_GET
@login_required
def offers(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Draft contracts sent to the agency, with the date each must be signed by (OUT-12)."""
    agency, agencies = _agency(request)
    page = pages.page_of(request, selectors.offers_of_agency(request.user), PAGE_SIZE)
    return _render(request, "offers.html", agency, agencies, {"tab": "offers", "page": page})


def _offer(request: AuthenticatedHttpRequest, pk: int) -> ContractOffer:
    offer = selectors.offer_get_for_agency(request.user, pk)
    if offer is None:
        raise Http404
    return offer


def _offer_page(
    request: AuthenticatedHttpRequest, offer: ContractOffer, status: int = 200
) -> HttpResponse:
    agency, agencies = _agency(request)
    signed = selectors.contracts_of_agency(request.user).filter(offer_id=offer.pk).first()
    return _render(
        request,
        "offer.html",
        agency,
        agencies,
        {
            "tab": "offers",
            "offer": offer,
            "contract": signed,
            "signable": offer.status == OfferStatus.OPEN and timezone.now() <= offer.sign_due_at,
        },
        status,
    )


@require_GET
@login_required
def offer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A draft contract: its PDF, its deadline and the signature with the agency's EDS."""
    _agencies(request)
    return _offer_page(request, _offer(request, pk))


@require_GET
@login_required
def offer_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _agencies(request)
    document = selectors.offer_document_for_agency(request.user, pk)
    if document is None:
        raise Http404
    return _pdf(document.document, f"draft-contract-{document.lot.number}")


@require_GET
@login_required
def offer_bytes(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """The draft contract's PDF, the exact bytes the agency signs."""
    _agencies(request)
    document = selectors.offer_document_for_agency(request.user, pk)
    if document is None:
        raise Http404
    return _bytes(bytes(document.document))


@require_POST
@login_required
def offer_sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Sign the draft with the agency's EDS: the contract is concluded (OUT-12, OUT-14)."""
    _agencies(request)
    offer = _offer(request, pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _offer_page(request, offer, _invalid(request, form))
    contract, status = pages.attempt(
        request,
        lambda: contracts.contract_sign(
            actor=request.user, offer_id=offer.pk, cms=form.cleaned_data["cms"]
        ),
    )
    if contract is None:
        return _offer_page(request, offer, status)
    messages.success(
        request,
        _("Contract %(number)s is concluded. Employ the people by %(date)s (OUT-18).")
        % {"number": contract.number, "date": f"{contract.employment_due_on:%d.%m.%Y}"},
    )
    return redirect("outsourcing_agency:contract", pk=contract.pk)


@require_GET
@login_required
def contract_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    agency, agencies = _agency(request)
    page = pages.page_of(request, selectors.contracts_of_agency(request.user), PAGE_SIZE)
    return _render(request, "contracts.html", agency, agencies, {"tab": "contracts", "page": page})


def _contract(request: AuthenticatedHttpRequest, pk: int) -> OutsourcingContract:
    contract = selectors.contract_get_for_agency(request.user, pk)
    if contract is None:
        raise Http404
    return contract


def _contract_page(
    request: AuthenticatedHttpRequest,
    contract: OutsourcingContract,
    status: int = 200,
    prepare_form: ActPrepareForm | None = None,
) -> HttpResponse:
    agency, agencies = _agency(request)
    user = request.user
    today = timezone.localdate()
    stages = [
        (
            acts.STAGE_RULE[ActStage(stage)],
            ActStage(stage).label,
            acts.stage_status(contract, stage, today),
        )
        for stage in ActStage.values
    ]
    placed = list(
        selectors.placements_of_agency_contract(user, contract.pk).values_list("status", flat=True)
    )
    account = ledger.account_find(kind=AccountKind.OUTSOURCING_CONTRACT, reference=contract.number)
    return _render(
        request,
        "contract.html",
        agency,
        agencies,
        {
            "tab": "contracts",
            "contract": contract,
            "stages": stages,
            "placements": {
                "reported": placed.count(PlacementStatus.REPORTED),
                "confirmed": placed.count(PlacementStatus.CONFIRMED),
                "not_confirmed": placed.count(PlacementStatus.NOT_CONFIRMED),
            },
            "page": pages.page_of(
                request, selectors.acts_of_agency_contract(user, contract.pk), PAGE_SIZE
            ),
            "prepare_form": prepare_form or ActPrepareForm(),
            "entries": list(ledger.account_entries(account_id=account.pk)) if account else [],
            "totals": ledger.account_totals(account_id=account.pk) if account else None,
            "draft": ActStatus.DRAFT,
        },
        status,
    )


@require_GET
@login_required
def contract_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A contract: its stored deadlines, the stages today, the acts and the payments."""
    _agencies(request)
    return _contract_page(request, _contract(request, pk))


# --- the lot's people and placements (OUT-17, OUT-18) ---------------------------------------------


def _people_page(
    request: AuthenticatedHttpRequest,
    contract: OutsourcingContract,
    status: int = 200,
    failed: PlacementForm | None = None,
) -> HttpResponse:
    agency, agencies = _agency(request)
    try:
        rows = contracts.lot_members_for_agency(actor=request.user, contract_id=contract.pk)
    except NotFound as error:
        raise Http404 from error
    placements = {
        p.member_id: p for p in selectors.placements_of_agency_contract(request.user, contract.pk)
    }
    failed_member = failed.data.get("member") if failed is not None else None
    people = [
        {
            "member": member_id,
            "person": person,
            "born": date.fromisoformat(person["birth_date"]),
            "placement": placements.get(member_id),
            "form": failed
            if failed_member == str(member_id)
            else PlacementForm(initial={"member": member_id}, auto_id=f"id_p{member_id}_%s"),
        }
        for member_id, person in rows
    ]
    return _render(
        request,
        "people.html",
        agency,
        agencies,
        {"tab": "contracts", "contract": contract, "people": people},
        status,
    )


@require_GET
@login_required
def people(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The lot's people as the agency may see them: exactly the eleven fields of OUT-17; every
    person shown is written to the personal-data access log."""
    _agencies(request)
    return _people_page(request, _contract(request, pk))


@require_POST
@login_required
def placement_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Report that a person of the lot started work (OUT-18)."""
    _agencies(request)
    contract = _contract(request, pk)
    member = request.POST.get("member", "")
    form = PlacementForm(request.POST, auto_id=f"id_p{member}_%s")
    if not form.is_valid():
        return _people_page(request, contract, _invalid(request, form), form)
    data = form.cleaned_data
    done, status = pages.attempt(
        request,
        lambda: acts.placement_report(
            actor=request.user,
            contract_id=contract.pk,
            member_id=data["member"],
            employer_bin=data["employer_bin"],
            employer_name=data["employer_name"],
            position=data["position"],
            started_on=data["started_on"],
        ),
        form=form,
    )
    if done is None:
        return _people_page(request, contract, status, form)
    messages.success(
        request,
        _("The placement is reported; it counts once the employment-contract register shows it."),
    )
    return redirect("outsourcing_agency:people", pk=contract.pk)


# --- acts of services (OUT-20) -------------------------------------------------------------------------


@require_POST
@login_required
def act_prepare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Prepare the act of a completed stage: the PDF the agency's head then signs (OUT-20)."""
    _agencies(request)
    contract = _contract(request, pk)
    form = ActPrepareForm(request.POST)
    if not form.is_valid():
        return _contract_page(request, contract, _invalid(request, form), form)
    act, status = pages.attempt(
        request,
        lambda: acts.act_prepare(
            actor=request.user, contract_id=contract.pk, stage=form.cleaned_data["stage"]
        ),
        form=form,
    )
    if act is None:
        return _contract_page(request, contract, status, form)
    messages.success(
        request,
        _("Act %(number)s is prepared: check the PDF and sign it by %(date)s (OUT-20).")
        % {"number": act.number, "date": f"{act.submit_due_on:%d.%m.%Y}"},
    )
    return redirect("outsourcing_agency:contract", pk=contract.pk)


@require_GET
@login_required
def act_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _agencies(request)
    act = selectors.act_document_for_agency(request.user, pk)
    if act is None:
        raise Http404
    return _pdf(act.document, act.number)


@require_GET
@login_required
def act_bytes(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """The act's PDF, the exact bytes the agency's head signs."""
    _agencies(request)
    act = selectors.act_document_for_agency(request.user, pk)
    if act is None:
        raise Http404
    return _bytes(bytes(act.document))


@require_POST
@login_required
def act_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Sign the prepared act with the head's EDS and send it to the CLM (OUT-20)."""
    _agencies(request)
    act = selectors.act_get_for_agency(request.user, pk)
    if act is None:
        raise Http404
    contract = _contract(request, act.contract_id)
    form = SignForm(request.POST)
    if not form.is_valid():
        return _contract_page(request, contract, _invalid(request, form))
    submitted, status = pages.attempt(
        request,
        lambda: acts.act_submit(actor=request.user, act_id=act.pk, cms=form.cleaned_data["cms"]),
    )
    if submitted is None:
        return _contract_page(request, contract, status)
    assert submitted.decision_due_at is not None
    messages.success(
        request,
        _("Act %(number)s is sent to the CLM; the decision is due by %(date)s (OUT-21).")
        % {
            "number": submitted.number,
            "date": f"{timezone.localtime(submitted.decision_due_at):%d.%m.%Y}",
        },
    )
    return redirect("outsourcing_agency:contract", pk=contract.pk)
