"""django-auditlog registration for registry models. IINs are masked in the stored diffs."""

from auditlog.registry import auditlog

from .models import Consent, EducationRecord, FamilyLink, Person, PersonPhone, WorkHistoryEntry

IIN_MASK = "labormarket.core.iin.mask_iin"

auditlog.register(Person, mask_fields=["iin"], mask_callable=IIN_MASK)
auditlog.register(PersonPhone)
auditlog.register(EducationRecord)
auditlog.register(WorkHistoryEntry)
auditlog.register(FamilyLink)
auditlog.register(Consent)
