"""Signed QR payloads: Ed25519 signatures with named keys, so keys can rotate.

The QR code of an attestation holds a URL to the public verification page with
a token `<payload>.<signature>`; the payload names the attestation and the key.
Signing uses the newest key; verification accepts every key still listed, so
attestations signed with an older key stay verifiable after a rotation.

Keys come from ATTESTATION_SIGNING_KEYS: "id:base64-of-32-byte-seed" pairs,
comma-separated, newest first. Without it, development and tests
(ATTESTATION_DEVELOPMENT_KEY) use one key created in var/keys/ on first use and
never committed; production refuses to start (system check sejour.E001): a key
made per machine would give QR codes that other hosts cannot verify.
"""

import base64
import json
import re
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_text_new(key_id: str) -> str:
    """A new key as ATTESTATION_SIGNING_KEYS writes it: `id:base64url-seed`."""
    return f"{key_id}:{_b64(Ed25519PrivateKey.generate().private_bytes_raw())}"


def keys_parse(configured: str) -> list[tuple[str, Ed25519PrivateKey]]:
    """The keys of an ATTESTATION_SIGNING_KEYS value; ValueError if one cannot be read."""
    keys = []
    for item in configured.split(","):
        key_id, separator, seed = item.strip().partition(":")
        if not key_id or not separator:
            raise ValueError("each key is written id:base64url-seed")
        keys.append((key_id, Ed25519PrivateKey.from_private_bytes(_unb64(seed))))
    return keys


_URLSAFE = re.compile(r"[A-Za-z0-9_-]+")


def _unb64_canonical(text: str) -> bytes:
    """Decode a token part, refusing every other spelling of the same bytes (padding,
    "+" and "/", stray characters, non-zero trailing bits): the bytes are re-encoded
    and must give back exactly the text. One attestation, one token."""
    if not _URLSAFE.fullmatch(text):
        raise ValueError("not unpadded URL-safe base64")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:
        raise ValueError("non-canonical base64")
    return data


def _canonical_json(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


@cache
def signing_keys() -> list[tuple[str, Ed25519PrivateKey]]:
    configured = settings.ATTESTATION_SIGNING_KEYS
    if not configured:
        if not settings.ATTESTATION_DEVELOPMENT_KEY:
            raise ImproperlyConfigured(
                "Set ATTESTATION_SIGNING_KEYS: without it, each machine would sign "
                "attestations with its own key."
            )
        path = Path(settings.BASE_DIR) / "var" / "keys" / "attestations.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            seed = Ed25519PrivateKey.generate().private_bytes_raw()
            path.write_text(f"dev1:{_b64(seed)}")
            path.chmod(0o600)
        configured = path.read_text().strip()
    return keys_parse(configured)


def sign(payload: dict) -> str:
    key_id, key = signing_keys()[0]
    body = _b64(_canonical_json({**payload, "k": key_id}))
    return f"{body}.{_b64(key.sign(body.encode()))}"


def verify(token: str) -> dict | None:
    """The payload if the token was signed by one of our keys, else None."""
    try:
        body, signature = token.split(".")
        raw = _unb64_canonical(body)
        payload = json.loads(raw)
        if not isinstance(payload, dict) or _canonical_json(payload) != raw:
            return None  # only the exact bytes `sign` writes
        key = dict(signing_keys())[payload["k"]]
        key.public_key().verify(_unb64_canonical(signature), body.encode())
    except (ValueError, KeyError, TypeError, InvalidSignature, json.JSONDecodeError):
        return None
    return payload
