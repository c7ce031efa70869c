"""Organisation kinds and roles, and which roles each kind of organisation can hold."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    EMPLOYMENT_CENTRE = "employment_centre", _("Employment centre")
    CAREER_CENTRE = "career_centre", _("Career centre")
    LABOUR_MOBILITY_CENTRE = "labour_mobility_centre", _("Centre of labour mobility")
    LOCAL_EXECUTIVE_BODY = "local_executive_body", _("Local executive body")
    WORKFORCE_DEVELOPMENT_CENTER = "workforce_development_center", _("Workforce Development Center")
    MINISTRY = "ministry", _("Ministry")
    PRIVATE_EMPLOYMENT_AGENCY = "private_employment_agency", _("Private employment agency")
    EMPLOYER = "employer", _("Employer")


class Role(models.TextChoices):
    CLERK = "clerk", _("Clerk")
    SPECIALIST = "specialist", _("Specialist")
    SECTOR_HEAD = "sector_head", _("Head of sector")
    CENTRE_HEAD = "centre_head", _("Head of centre")
    CLM_SPECIALIST = "clm_specialist", _("CLM specialist")
    CLM_HEAD = "clm_head", _("Head of CLM")
    LEB_SPECIALIST = "leb_specialist", _("LEB specialist")
    LEB_HEAD = "leb_head", _("Head of LEB department")
    WDC_ANALYST = "wdc_analyst", _("WDC analyst")
    MINISTRY_ANALYST = "ministry_analyst", _("Ministry analyst")
    PEA_MANAGER = "pea_manager", _("Private agency manager")
    EMPLOYER_MANAGER = "employer_manager", _("Employer's manager")
    CITIZEN = "citizen", _("Citizen")
    ADMINISTRATOR = "administrator", _("Administrator")


CENTRE_ROLES = frozenset({Role.CLERK, Role.SPECIALIST, Role.SECTOR_HEAD, Role.CENTRE_HEAD})

#: The roles an organisation of each kind can grant to its members.
ROLES_BY_ORGANISATION_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.EMPLOYMENT_CENTRE: CENTRE_ROLES,
    OrganisationKind.CAREER_CENTRE: CENTRE_ROLES,
    OrganisationKind.LABOUR_MOBILITY_CENTRE: frozenset({Role.CLM_SPECIALIST, Role.CLM_HEAD}),
    OrganisationKind.LOCAL_EXECUTIVE_BODY: frozenset({Role.LEB_SPECIALIST, Role.LEB_HEAD}),
    OrganisationKind.WORKFORCE_DEVELOPMENT_CENTER: frozenset(
        {Role.WDC_ANALYST, Role.ADMINISTRATOR}
    ),
    OrganisationKind.MINISTRY: frozenset({Role.MINISTRY_ANALYST}),
    OrganisationKind.PRIVATE_EMPLOYMENT_AGENCY: frozenset({Role.PEA_MANAGER}),
    OrganisationKind.EMPLOYER: frozenset({Role.EMPLOYER_MANAGER}),
}

#: Roles whose holders act for the whole country, not for their organisation's region.
NATIONAL_ROLES = frozenset({Role.WDC_ANALYST, Role.MINISTRY_ANALYST, Role.ADMINISTRATOR})

#: Staff of the state employment services (as opposed to agencies, employers and citizens).
STAFF_ROLES = CENTRE_ROLES | {
    Role.CLM_SPECIALIST,
    Role.CLM_HEAD,
    Role.LEB_SPECIALIST,
    Role.LEB_HEAD,
    Role.WDC_ANALYST,
    Role.MINISTRY_ANALYST,
    Role.ADMINISTRATOR,
}
