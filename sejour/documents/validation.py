"""Accepting a file by what it contains, never by its name.

The type comes from the first bytes, and a file of a type the form does not
take is refused before anything parses it. An image must really decode (with
a guard against decompression bombs); a PDF must really parse, in a child
process with CPU, memory, page and object limits (``pdf_probe.py``), because a
crafted 2 KB PDF costs minutes of CPU to a plain parser. Anything else is
refused with a message that says why.
"""

import hashlib
import io
import json
import logging
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)
PROBE = Path(__file__).with_name("pdf_probe.py")
IMAGES = "image"
PDF = "pdf"

MAGIC = [
    (b"\xff\xd8\xff", "image/jpeg", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG"),
    (b"BM", "image/bmp", "BMP"),
    (b"II*\x00", "image/tiff", "TIFF"),
    (b"MM\x00*", "image/tiff", "TIFF"),
    (b"%PDF-", "application/pdf", None),
]


class UploadRejected(Exception):
    """The file cannot be accepted; the message is for the person."""


@dataclass(frozen=True)
class Inspected:
    content: bytes
    content_type: str
    sha256: str
    # A PDF with scripts or automatic actions: never framed in a page, only downloaded.
    active_content: bool = False

    @property
    def size(self) -> int:
        return len(self.content)


def _limit_text() -> str:
    return _("%(size)d MB") % {"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}


def inspect_upload(uploaded, *, kinds: tuple[str, ...] = (IMAGES, PDF)) -> Inspected:
    """Read an uploaded file and check it is an image or a PDF we can open.

    ``kinds`` says what the form takes; any other type is refused from its
    first bytes, before it is decoded or parsed.
    """
    if uploaded.size is not None and uploaded.size > settings.UPLOAD_MAX_BYTES:
        raise UploadRejected(
            _("This file is too large. The limit is %(limit)s per file.") % {"limit": _limit_text()}
        )
    content = uploaded.read(settings.UPLOAD_MAX_BYTES + 1)
    if not content:
        raise UploadRejected(_("This file is empty. Choose the file again."))
    if len(content) > settings.UPLOAD_MAX_BYTES:
        raise UploadRejected(
            _("This file is too large. The limit is %(limit)s per file.") % {"limit": _limit_text()}
        )
    detected = next(
        (
            (content_type, image_format)
            for magic, content_type, image_format in MAGIC
            if content.startswith(magic)
        ),
        None,
    )
    if detected is None:
        raise UploadRejected(
            _(
                "This kind of file is not accepted, whatever its name. Send a photo or a scan "
                "as JPG, PNG, BMP, TIFF or PDF."
            )
        )
    content_type, image_format = detected
    if (IMAGES if image_format else PDF) not in kinds:
        raise UploadRejected(
            _("Only images are accepted here (JPG, PNG, BMP or TIFF).")
            if kinds == (IMAGES,)
            else _("Only PDF files are accepted here.")
        )
    active_content = False
    if image_format:
        _check_image(content, image_format)
    else:
        active_content = _check_pdf(content)
    return Inspected(
        content, content_type, hashlib.sha256(content).hexdigest(), active_content=active_content
    )


def _check_image(content: bytes, expected_format: str) -> None:
    damaged = UploadRejected(
        _("This image is damaged or incomplete. Take the photo or the scan again.")
    )
    Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Above the limit Pillow only warns; for us a bomb is an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format != expected_format:
                    raise damaged
                image.verify()
            with Image.open(io.BytesIO(content)) as image:
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UploadRejected(
            _(
                "This image has too many pixels. Send a smaller photo or scan "
                "(under %(mp)d megapixels)."
            )
            % {"mp": settings.UPLOAD_MAX_PIXELS // 1_000_000}
        ) from error
    except UploadRejected:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise damaged from error


def _probe_pdf(content: bytes) -> dict:
    """Run ``pdf_probe.py`` on the file in a fresh, limited interpreter."""
    cpu = settings.UPLOAD_PDF_CPU_SECONDS
    command = [
        sys.executable,
        "-I",  # no environment variables, no user site, not the current directory
        str(PROBE),
        str(cpu),
        str(settings.UPLOAD_PDF_MEMORY_BYTES),
        str(settings.UPLOAD_PDF_MAX_PAGES),
        str(settings.UPLOAD_PDF_MAX_OBJECTS),
    ]
    try:
        # The CPU limit is what bounds a costly file: the kernel stops the child
        # (returncode < 0 below). The wall-clock bound only covers a child that
        # waits rather than computes, and is generous because on a loaded machine
        # CPU seconds come slowly: an honest file must not be refused for that
        # (the surge run saw a third of them refused with 2 × CPU + 2 s).
        done = subprocess.run(  # noqa: S603 - our own script; the file goes to its stdin
            command, input=content, capture_output=True, timeout=4 * cpu + 4, check=False
        )
    except subprocess.TimeoutExpired:
        return {"status": "busy"}
    except OSError as error:
        logger.error("The PDF checker could not start: %s", error)
        return {"status": "unavailable"}
    if done.returncode < 0:
        return {"status": "too_complex"}  # stopped by the kernel: CPU or memory limit
    try:
        return json.loads(done.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        logger.error(
            "The PDF checker answered nothing (%s): %s", done.returncode, done.stderr[-500:]
        )
        return {"status": "too_complex"}


def _check_pdf(content: bytes) -> bool:
    """Refuse a PDF we cannot open within bounds; True if it carries active content."""
    damaged = UploadRejected(_("This PDF is damaged or incomplete. Save or scan it again."))
    # A PDF ends with %%EOF; a cut-off download does not.
    if b"%%EOF" not in content[-2048:]:
        raise damaged
    answer = _probe_pdf(content)
    status = answer.get("status")
    if status == "ok":
        return bool(answer.get("active"))
    if status == "encrypted":
        raise UploadRejected(
            _("This PDF is protected by a password. Send a copy without a password.")
        )
    if status == "too_many_pages":
        raise UploadRejected(
            _("This PDF has more than %(pages)d pages. Send only the pages asked for.")
            % {"pages": settings.UPLOAD_PDF_MAX_PAGES}
        )
    if status == "too_complex":
        raise UploadRejected(
            _(
                "This PDF is too complex for us to check. Print it again as a PDF, or scan "
                "the paper, and send the new file."
            )
        )
    if status == "busy":
        raise UploadRejected(
            _(
                "We could not finish checking this PDF because the service is very busy. "
                "Nothing you entered is lost: send it again in a few minutes."
            )
        )
    if status == "unavailable":
        raise UploadRejected(
            _(
                "We cannot check PDF files right now, so we cannot accept this one. "
                "Nothing you entered is lost: try again in a few minutes."
            )
        )
    raise damaged


def safe_display_name(name: str) -> str:
    """The person's file name, for display only: no path, no control characters, not too long."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "document"
    return name[:120]
