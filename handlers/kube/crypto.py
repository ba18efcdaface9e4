"""cryptography's X.509 and key parts, imported when a certificate is first parsed or made.

They are about 16 MiB resident that only the certificate handlers need. Use the
attributes (``crypto.x509.Name``, ``except crypto.VerificationError``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatops.lazy import lazy_names

if TYPE_CHECKING:  # what type checkers see; the table below is what runs
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

__getattr__ = lazy_names(globals(), {
    "cryptography": ("x509",),
    "cryptography.exceptions": ("InvalidSignature",),
    "cryptography.hazmat.primitives": ("hashes", "serialization"),
    "cryptography.hazmat.primitives.asymmetric": ("ec", "rsa"),
    "cryptography.x509.oid": ("ExtendedKeyUsageOID", "NameOID"),
    "cryptography.x509.verification": ("PolicyBuilder", "Store", "VerificationError"),
})
