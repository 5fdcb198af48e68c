"""Signed QR payloads: Ed25519 signatures with named keys, so keys can rotate.

The QR code of an attestation holds a URL to the public verification page with
a token `<payload>.<signature>`; the payload names the attestation and the key.
Signing uses the newest key; verification accepts every key still listed, so
attestations signed with an older key stay verifiable after a rotation.

Keys come from ATTESTATION_SIGNING_KEYS: "id:base64-of-32-byte-seed" pairs,
comma-separated, newest first. Without it (development, tests), one key is
created in var/keys/ on first use and never committed.
"""

import base64
import json
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@cache
def signing_keys() -> list[tuple[str, Ed25519PrivateKey]]:
    configured = settings.ATTESTATION_SIGNING_KEYS
    if not configured:
        path = Path(settings.BASE_DIR) / "var" / "keys" / "attestations.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            seed = Ed25519PrivateKey.generate().private_bytes_raw()
            path.write_text(f"dev1:{_b64(seed)}")
            path.chmod(0o600)
        configured = path.read_text().strip()
    keys = []
    for item in configured.split(","):
        key_id, seed = item.strip().split(":", 1)
        keys.append((key_id, Ed25519PrivateKey.from_private_bytes(_unb64(seed))))
    return keys


def sign(payload: dict) -> str:
    key_id, key = signing_keys()[0]
    body = _b64(
        json.dumps({**payload, "k": key_id}, separators=(",", ":"), sort_keys=True).encode()
    )
    return f"{body}.{_b64(key.sign(body.encode()))}"


def verify(token: str) -> dict | None:
    """The payload if the token was signed by one of our keys, else None."""
    try:
        body, signature = token.strip().split(".", 1)
        payload = json.loads(_unb64(body))
        key = dict(signing_keys())[payload["k"]]
        key.public_key().verify(_unb64(signature), body.encode())
    except (ValueError, KeyError, TypeError, InvalidSignature, json.JSONDecodeError):
        return None
    return payload if isinstance(payload, dict) else None
