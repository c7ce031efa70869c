from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class CitizenshipStatus(models.TextChoices):
    CITIZEN = "citizen", _("Citizen of Kazakhstan")
    KANDAS = "kandas", _("Kandas")
    FOREIGNER = "foreigner", _("Foreign national")
    STATELESS = "stateless", _("Stateless person")


class LabourStatus(models.TextChoices):
    NOT_REGISTERED = "not_registered", _("Not registered")
    JOB_SEEKER = "job_seeker", _("Job seeker")
    UNEMPLOYED = "unemployed", _("Unemployed")


class DeregistrationReason(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    PENSION_CONTRIBUTIONS = "pension_contributions", _("Pension contributions received")
    OWN_REQUEST = "own_request", _("At the person's request")
    NO_SHOW = "no_show", _("Did not come to the centre without a valid reason")
    MOVED = "moved", _("Moved to another locality")
    REFUSED_OFFERS = "refused_offers", _("Refused suitable job offers")
    UNRELIABLE_DATA = "unreliable_data", _("Documents or data found to be unreliable")
    PENSION = "pension", _("Retirement pension granted")
    EDUCATION = "education", _("Started full-time education")
    DEATH = "death", _("Death")
    OTHER = "other", _("Other")


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    HOME = "home", _("Home")
    WORK = "work", _("Work")


class FamilyRelation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    GRANDPARENT = "grandparent", _("Grandparent")
    GRANDCHILD = "grandchild", _("Grandchild")
    GUARDIAN = "guardian", _("Guardian")
    WARD = "ward", _("Ward")
    OTHER = "other", _("Other relative")


#: The inverse relation, recorded on the relative's side of a family link.
INVERSE_RELATION = {
    FamilyRelation.SPOUSE: FamilyRelation.SPOUSE,
    FamilyRelation.CHILD: FamilyRelation.PARENT,
    FamilyRelation.PARENT: FamilyRelation.CHILD,
    FamilyRelation.SIBLING: FamilyRelation.SIBLING,
    FamilyRelation.GRANDPARENT: FamilyRelation.GRANDCHILD,
    FamilyRelation.GRANDCHILD: FamilyRelation.GRANDPARENT,
    FamilyRelation.GUARDIAN: FamilyRelation.WARD,
    FamilyRelation.WARD: FamilyRelation.GUARDIAN,
    FamilyRelation.OTHER: FamilyRelation.OTHER,
}


class ConsentPurpose(models.TextChoices):
    PERSONAL_DATA = "personal_data", _("Collection and processing of personal data")
    CV_PUBLICATION = "cv_publication", _("Publication of the CV on the labour exchange")
    REFERRAL_TO_EMPLOYER = "referral_to_employer", _("Sending the CV to an employer")
    OUTSOURCING = "outsourcing", _("Transfer to a private employment agency (outsourcing)")
    NOTIFICATIONS = "notifications", _("Notifications by SMS and e-mail")


class ConsentEvidence(models.TextChoices):
    PAPER = "paper", _("Signed paper form")
    EDS = "eds", _("Electronic digital signature")
    PORTAL = "portal", _("Confirmed in the personal cabinet")
    SMS_CODE = "sms_code", _("One-time SMS code")


class AccessPurpose(models.TextChoices):
    SERVICE_DELIVERY = "service_delivery", _("Providing a public service")
    CONSULTATION = "consultation", _("Consultation of the person")
    ACTIVE_MEASURES = "active_measures", _("Active employment measures")
    DATA_CORRECTION = "data_correction", _("Correcting the person's data")
    VERIFICATION = "verification", _("Verification or inspection")
    OWN_DATA = "own_data", _("The person viewing their own data")
    OUTSOURCING = "outsourcing", _("Services of a private employment agency under outsourcing")


class AccessChannel(models.TextChoices):
    WEB = "web", _("Web interface")
    API = "api", _("API")
