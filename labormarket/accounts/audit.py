"""django-auditlog registration for accounts models. IINs are masked in the stored diffs."""

from auditlog.registry import auditlog

from .models import Membership, Organisation, User

IIN_MASK = "labormarket.core.iin.mask_iin"

auditlog.register(
    User,
    exclude_fields=["password", "last_login", "failed_login_count", "locked_until"],
    mask_fields=["iin"],
    mask_callable=IIN_MASK,
)
auditlog.register(Organisation)
auditlog.register(Membership)
