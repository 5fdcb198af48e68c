"""Virus scanning behind an interface, with a ClamAV implementation talking to clamd."""

import socket
import struct
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

# What the person reads when a file carries a virus: the scanner's signature name is for
# staff (it is logged), it means nothing to the person and tells an attacker what was caught.
VIRUS_REFUSED = _("This file was refused by the virus check.")


class ScannerUnavailable(Exception):
    """The scanner could not be reached: refuse the file rather than accept it unchecked."""


@dataclass(frozen=True)
class ScanResult:
    infected: bool
    signature: str = ""


class VirusScanner(Protocol):
    def scan(self, content: bytes) -> ScanResult: ...


class ClamdScanner:
    """clamd's INSTREAM command over its Unix socket (or TCP when CLAMD_HOST is set)."""

    CHUNK = 64 * 1024

    def __init__(self, socket_path: str | None = None, host: str | None = None, port: int = 3310):
        self.socket_path = socket_path or settings.CLAMD_SOCKET
        self.host = host if host is not None else settings.CLAMD_HOST
        self.port = port if host is not None else settings.CLAMD_PORT

    def _connect(self) -> socket.socket:
        if self.host:
            return socket.create_connection((self.host, self.port), timeout=settings.CLAMD_TIMEOUT)
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(settings.CLAMD_TIMEOUT)
        connection.connect(str(self.socket_path))
        return connection

    def scan(self, content: bytes) -> ScanResult:
        try:
            with self._connect() as connection:
                connection.sendall(b"zINSTREAM\0")
                for start in range(0, len(content), self.CHUNK):
                    chunk = content[start : start + self.CHUNK]
                    connection.sendall(struct.pack("!L", len(chunk)) + chunk)
                connection.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    data = connection.recv(4096)
                    if not data:
                        break
                    reply += data
        except OSError as error:
            raise ScannerUnavailable(str(error)) from error
        answer = reply.rstrip(b"\0").decode(errors="replace")
        if answer.endswith("OK"):
            return ScanResult(infected=False)
        if answer.endswith("FOUND"):
            signature = answer.split(":", 1)[-1].rsplit(" ", 1)[0].strip()
            return ScanResult(infected=True, signature=signature)
        raise ScannerUnavailable(answer or "no answer from clamd")


@cache
def get_scanner() -> VirusScanner:
    return import_string(settings.VIRUS_SCANNER)()
