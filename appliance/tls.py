"""HTTPS for LAN mode: a self-signed certificate made at the first start.

A password sent over plain HTTP on an office network can be read by any PC on it. There
is no certificate authority an office PC could ask, so the appliance makes its own
certificate (ECDSA P-256, ten years) for the names the other PCs use, keeps it in the
data folder and shows its fingerprint in the log and the UI: a person compares it once
when the browser asks whether to trust it. A certificate that does not cover the
current names is made anew.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from appliance.private_files import make_private_dir, write_private

VALID_DAYS = 3650


@dataclass(frozen=True)
class Certificate:
    """The files uvicorn serves with, and the fingerprint a person checks."""

    cert_file: Path
    key_file: Path
    fingerprint: str


def certificate_names(host: str, extra_names: list[str]) -> list[str]:
    """Every name and address other PCs (and the local workers) may use for this one."""
    names = ["localhost", "127.0.0.1", "::1", socket.gethostname()]
    if host not in ("0.0.0.0", "::"):
        names.append(host)
    names.extend(extra_names)
    return sorted({name.strip("[]") for name in names if name})


def ensure_certificate(folder: Path, names: list[str]) -> Certificate:
    """The certificate for `names` in `folder`, made (its key written privately) if needed."""
    make_private_dir(folder)
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    if cert_file.exists() and key_file.exists():
        existing = x509.load_pem_x509_certificate(cert_file.read_bytes())
        if _covers(existing, names) and _valid_for_a_while(existing):
            return Certificate(cert_file, key_file, fingerprint(existing))
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _self_signed(key, names)
    write_private(
        key_file,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii"),
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return Certificate(cert_file, key_file, fingerprint(certificate))


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the certificate, as browsers show it (AB:CD:...)."""
    digest = certificate.fingerprint(hashes.SHA256())
    return ":".join(f"{byte:02X}" for byte in digest)


def _alternative_names(names: list[str]) -> list[x509.GeneralName]:
    alternatives: list[x509.GeneralName] = []
    for name in names:
        try:
            alternatives.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternatives.append(x509.DNSName(name))
    return alternatives


def _self_signed(key: ec.EllipticCurvePrivateKey, names: list[str]) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "HandwerkML Appliance")])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(_alternative_names(names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def _covers(certificate: x509.Certificate, names: list[str]) -> bool:
    try:
        present = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return False
    wanted = _alternative_names(names)
    return all(name in present.value for name in wanted)


def _valid_for_a_while(certificate: x509.Certificate) -> bool:
    return certificate.not_valid_after_utc > dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
