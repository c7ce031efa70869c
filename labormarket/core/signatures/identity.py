"""Who a certificate names, read the way НУЦ РК (the National Certification Authority) writes it.

An NCA RK subject looks like::

    CN=ЖУМАБАЕВ ЕРЛАН, SURNAME=ЖУМАБАЕВ, SERIALNUMBER=IIN910314300123, C=KZ,
    G=СЕРИКОВИЧ, O=ТОО «ПРИМЕР», OU=BIN150340000019

``SERIALNUMBER`` carries ``IIN`` + 12 digits (a person); certificates of a legal entity's employee
also carry ``OU`` = ``BIN`` + 12 digits and ``O`` = the organisation. Certificates issued to an
organisation itself (information systems) carry ``SERIALNUMBER=BIN...``. ``G`` (givenName) holds
the *patronymic*; the given name is the second word of ``CN``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from cryptography import x509
from cryptography.x509.oid import NameOID

_IIN: Final = re.compile(r"^IIN(\d{12})$")
_BIN: Final = re.compile(r"^BIN(\d{12})$")


@dataclass(frozen=True)
class SignerIdentity:
    iin: str | None
    bin: str | None
    common_name: str
    surname: str
    patronymic: str
    organisation: str

    @property
    def name(self) -> str:
        return self.common_name or " ".join(p for p in (self.surname, self.patronymic) if p)


def _values(name: x509.Name, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(attr.value).strip() for attr in name.get_attributes_for_oid(oid)]


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    values = _values(name, oid)
    return values[0] if values else ""


def identity_of(name: x509.Name) -> SignerIdentity:
    """IIN, BIN and names from a certificate subject; ``None`` where the subject has none."""
    iin = bin_ = None
    for value in _values(name, NameOID.SERIAL_NUMBER):
        if iin is None and (match := _IIN.match(value)):
            iin = match.group(1)
        elif bin_ is None and (match := _BIN.match(value)):
            bin_ = match.group(1)
    for value in _values(name, NameOID.ORGANIZATIONAL_UNIT_NAME):
        if bin_ is None and (match := _BIN.match(value)):
            bin_ = match.group(1)
    return SignerIdentity(
        iin=iin,
        bin=bin_,
        common_name=_first(name, NameOID.COMMON_NAME),
        surname=_first(name, NameOID.SURNAME),
        patronymic=_first(name, NameOID.GIVEN_NAME),
        organisation=_first(name, NameOID.ORGANIZATION_NAME),
    )
