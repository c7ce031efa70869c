"""django-auditlog registration for the exchange."""

from auditlog.registry import auditlog

from .models import CandidateReferral, Cv, Vacancy

auditlog.register(Vacancy)
auditlog.register(Cv, m2m_fields={"occupations", "regions"})
auditlog.register(CandidateReferral)
