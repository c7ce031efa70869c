"""Routes of the outsourcing API (included under ``/api/v1/``).

An id in a path above the largest BIGINT is read as 0, which no row has: the answer is the same
JSON 404 as for any unknown id, and the number never reaches the database (where it would
overflow).
"""

from django.urls import path, register_converter

from . import apis

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,100}"

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= MAX_ID else 0

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "out_id")

P = "outsourcing/"
A = "outsourcing/agency/"
C = "outsourcing/clm/"

urlpatterns = [
    # public (OUT-01, OUT-15)
    path(f"{P}announcements/", apis.AnnouncementPublicListApi.as_view(), name="out-announcements"),
    path(
        f"{P}announcements/<out_id:pk>/",
        apis.AnnouncementPublicDetailApi.as_view(),
        name="out-announcement",
    ),
    path(
        f"{P}contracts/published/",
        apis.ContractPublicListApi.as_view(),
        name="out-contracts-published",
    ),
    # the CLM's stage payments and ledger of a contract (OUT-19, OUT-22…OUT-24)
    path(
        f"{P}contracts/<out_id:pk>/payments/",
        apis.PaymentOrderApi.as_view(),
        name="out-contract-payments",
    ),
    path(f"{P}contracts/<out_id:pk>/ledger/", apis.LedgerApi.as_view(), name="out-contract-ledger"),
    # agency
    path(f"{A}cabinet/", apis.CabinetApi.as_view(), name="out-agency-cabinet"),
    path(f"{A}lots/", apis.OpenLotListApi.as_view(), name="out-agency-lots"),
    path(
        f"{A}lots/<out_id:pk>/confirmation-payload/",
        apis.ConfirmationPayloadApi.as_view(),
        name="out-agency-lot-payload",
    ),
    path(f"{A}lots/<out_id:pk>/confirm/", apis.ConfirmApi.as_view(), name="out-agency-lot-confirm"),
    path(
        f"{A}confirmations/",
        apis.AgencyConfirmationListApi.as_view(),
        name="out-agency-confirmations",
    ),
    path(f"{A}notices/", apis.NoticeListApi.as_view(), name="out-agency-notices"),
    path(f"{A}offers/", apis.OfferListApi.as_view(), name="out-agency-offers"),
    path(
        f"{A}offers/<out_id:pk>/draft.pdf", apis.OfferPdfApi.as_view(), name="out-agency-offer-pdf"
    ),
    path(f"{A}offers/<out_id:pk>/sign/", apis.OfferSignApi.as_view(), name="out-agency-offer-sign"),
    path(f"{A}contracts/", apis.AgencyContractListApi.as_view(), name="out-agency-contracts"),
    path(
        f"{A}contracts/<out_id:pk>/",
        apis.AgencyContractDetailApi.as_view(),
        name="out-agency-contract",
    ),
    path(
        f"{A}contracts/<out_id:pk>/people/",
        apis.LotPeopleApi.as_view(),
        name="out-agency-contract-people",
    ),
    path(
        f"{A}contracts/<out_id:pk>/placements/",
        apis.PlacementListCreateApi.as_view(),
        name="out-agency-contract-placements",
    ),
    path(
        f"{A}contracts/<out_id:pk>/stages/",
        apis.StageStatusApi.as_view(),
        name="out-agency-contract-stages",
    ),
    path(
        f"{A}contracts/<out_id:pk>/acts/",
        apis.AgencyActListCreateApi.as_view(),
        name="out-agency-contract-acts",
    ),
    path(f"{A}acts/<out_id:pk>/act.pdf", apis.AgencyActPdfApi.as_view(), name="out-agency-act-pdf"),
    path(
        f"{A}acts/<out_id:pk>/submit/",
        apis.AgencyActSubmitApi.as_view(),
        name="out-agency-act-submit",
    ),
    # CLM
    path(f"{C}categories/", apis.CategoryListCreateApi.as_view(), name="out-clm-categories"),
    path(f"{C}consents/", apis.ConsentCreateApi.as_view(), name="out-clm-consents"),
    path(f"{C}lots/", apis.ClmLotListCreateApi.as_view(), name="out-clm-lots"),
    path(f"{C}lots/proposals/", apis.LotProposalListApi.as_view(), name="out-clm-lot-proposals"),
    path(f"{C}lots/<out_id:pk>/", apis.ClmLotDetailApi.as_view(), name="out-clm-lot"),
    path(
        f"{C}lots/<out_id:pk>/withdraw/", apis.LotWithdrawApi.as_view(), name="out-clm-lot-withdraw"
    ),
    path(
        f"{C}announcements/",
        apis.ClmAnnouncementListCreateApi.as_view(),
        name="out-clm-announcements",
    ),
    path(
        f"{C}announcements/<out_id:pk>/",
        apis.ClmAnnouncementDetailApi.as_view(),
        name="out-clm-announcement",
    ),
    path(
        f"{C}announcements/<out_id:pk>/publish/",
        apis.AnnouncementPublishApi.as_view(),
        name="out-clm-announcement-publish",
    ),
    path(f"{C}reviews/", apis.ReviewQueueApi.as_view(), name="out-clm-reviews"),
    path(
        f"{C}confirmations/<out_id:pk>/review/",
        apis.ReviewApi.as_view(),
        name="out-clm-confirmation-review",
    ),
    path(f"{C}contracts/", apis.ClmContractListApi.as_view(), name="out-clm-contracts"),
    path(f"{C}acts/", apis.ClmActListApi.as_view(), name="out-clm-acts"),
    path(f"{C}acts/<out_id:pk>/act.pdf", apis.ClmActPdfApi.as_view(), name="out-clm-act-pdf"),
    path(f"{C}acts/<out_id:pk>/sign/", apis.ActSignApi.as_view(), name="out-clm-act-sign"),
    path(f"{C}acts/<out_id:pk>/refuse/", apis.ActRefuseApi.as_view(), name="out-clm-act-refuse"),
    path(f"{C}acts/<out_id:pk>/extend/", apis.ActExtendApi.as_view(), name="out-clm-act-extend"),
]
