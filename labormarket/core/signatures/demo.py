"""The demo signer: signs with a person's *test* key when NCALayer is absent (local/demo only).

The signature is a real CMS SignedData (signed attributes contentType, messageDigest and
signingTime; the signer's certificate and the intermediate CA included) made with the test PKI of
:mod:`.pki`, whose CA names say ``NOT FOR PRODUCTION``. It verifies only where that test root is a
trust root — never against НУЦ РК's roots.
"""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from .conf import pki_directory
from .identity import identity_of
from .pki import INTERMEDIATE_CERT, INTERMEDIATE_CRL, IssuedCertificate, load_people


def demo_sign(
    content: bytes, *, iin: str, directory: Path | str | None = None, detached: bool = True
) -> bytes:
    """A DER CMS SignedData over ``content`` with the test key of the person with ``iin``.

    Raises ``LookupError`` when the test PKI (``directory``, by default the configured PKI
    directory, ``var/pki/``) has no usable key for that IIN: run ``manage.py pki_init``.
    """
    root = Path(directory) if directory is not None else pki_directory()
    person = _signing_key(root, iin)
    intermediate = x509.load_pem_x509_certificate((root / INTERMEDIATE_CERT).read_bytes())
    options = [pkcs7.PKCS7Options.Binary, pkcs7.PKCS7Options.NoCapabilities]
    if detached:
        options.append(pkcs7.PKCS7Options.DetachedSignature)
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(person.certificate, person.private_key, hashes.SHA256())
        .add_certificate(intermediate)
        .sign(serialization.Encoding.DER, options)
    )


def _signing_key(directory: Path, iin: str) -> IssuedCertificate:
    if not (directory / INTERMEDIATE_CERT).exists():
        raise LookupError(
            f"there is no test PKI in {directory}: run `manage.py pki_init` to create one"
        )
    revoked: set[int] = set()
    crl_path = directory / INTERMEDIATE_CRL
    if crl_path.exists():
        revoked = {entry.serial_number for entry in x509.load_pem_x509_crl(crl_path.read_bytes())}
    candidates = [
        person
        for person in load_people(directory).values()
        if identity_of(person.certificate.subject).iin == iin
        and person.certificate.serial_number not in revoked
    ]
    if not candidates:
        masked = iin[:4] + "*" * max(len(iin) - 4, 0)
        raise LookupError(
            f"the test PKI in {directory} has no signing key for IIN {masked}: "
            "run `manage.py pki_init` after creating the user"
        )
    return max(candidates, key=lambda person: person.certificate.not_valid_after_utc)
