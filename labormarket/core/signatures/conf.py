"""The ``SIGNATURES`` setting, with defaults that point to the test PKI in ``var/pki/``.

::

    SIGNATURES = {
        "VERIFIER": "local",                  # or "ncanode"
        "PKI_DIR": VAR_DIR / "pki",           # the test PKI of manage.py pki_init / demo_sign
        "TRUST_ROOTS": [VAR_DIR / "pki" / "root-ca.pem"],
        "CRLS": [VAR_DIR / "pki" / "root-ca.crl.pem", VAR_DIR / "pki" / "intermediate-ca.crl.pem"],
        "ALLOW_FETCHING": False,              # fetch CRLs/OCSP named in certificates (local)
        "REVOCATION_MODE": "require",         # require | hard-fail | soft-fail | none (local)
        "NCANODE_URL": "http://127.0.0.1:14579",
        "NCANODE_TIMEOUT": 5,                 # seconds
        "NCANODE_REVOCATION_CHECK": ["OCSP"], # OCSP and/or CRL
    }

Every key is optional; relative paths are taken from ``BASE_DIR``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings


def _base_dir() -> Path:
    return Path(getattr(settings, "BASE_DIR", Path.cwd()))


def _path(value: str | Path) -> Path:
    path = Path(value)
    return path if path.is_absolute() else _base_dir() / path


def signature_settings() -> dict[str, Any]:
    """``settings.SIGNATURES`` over the defaults."""
    configured: dict[str, Any] = dict(getattr(settings, "SIGNATURES", {}) or {})
    var_dir = Path(getattr(settings, "VAR_DIR", _base_dir() / "var"))
    pki_dir = _path(configured.get("PKI_DIR", var_dir / "pki"))
    defaults: dict[str, Any] = {
        "VERIFIER": "local",
        "PKI_DIR": pki_dir,
        "TRUST_ROOTS": [pki_dir / "root-ca.pem"],
        "CRLS": [pki_dir / "root-ca.crl.pem", pki_dir / "intermediate-ca.crl.pem"],
        "ALLOW_FETCHING": False,
        "REVOCATION_MODE": "require",
        "NCANODE_URL": "http://127.0.0.1:14579",
        "NCANODE_TIMEOUT": 5,
        "NCANODE_REVOCATION_CHECK": ["OCSP"],
    }
    merged = {**defaults, **configured}
    merged["PKI_DIR"] = pki_dir
    merged["TRUST_ROOTS"] = [_path(p) for p in merged["TRUST_ROOTS"]]
    merged["CRLS"] = [_path(p) for p in merged["CRLS"]]
    return merged


def pki_directory() -> Path:
    return Path(signature_settings()["PKI_DIR"])
