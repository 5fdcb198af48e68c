"""Codes people read out on the phone or copy from paper: no look-alike characters."""

import secrets

READABLE = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


def readable_code(length: int, alphabet: str = READABLE) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))
