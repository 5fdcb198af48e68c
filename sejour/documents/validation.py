"""Accepting a file by what it contains, never by its name.

An image must really decode (with a guard against decompression bombs), a PDF
must really parse; anything else is refused with a message that says why.
"""

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

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

    @property
    def size(self) -> int:
        return len(self.content)


def _limit_text() -> str:
    return _("%(size)d MB") % {"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}


def inspect_upload(uploaded) -> Inspected:
    """Read an uploaded file and check it is an image or a PDF we can open."""
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
    if image_format:
        _check_image(content, image_format)
    else:
        _check_pdf(content)
    return Inspected(content, content_type, hashlib.sha256(content).hexdigest())


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


def _check_pdf(content: bytes) -> None:
    damaged = UploadRejected(_("This PDF is damaged or incomplete. Save or scan it again."))
    # A PDF ends with %%EOF; a cut-off download does not.
    if b"%%EOF" not in content[-2048:]:
        raise damaged
    try:
        reader = PdfReader(io.BytesIO(content), strict=True)
        if reader.is_encrypted:
            raise UploadRejected(
                _("This PDF is protected by a password. Send a copy without a password.")
            )
        if len(reader.pages) < 1:
            raise damaged
        reader.pages[0].extract_text()
    except UploadRejected:
        raise
    except (
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
    ) as error:
        raise damaged from error


def safe_display_name(name: str) -> str:
    """The person's file name, for display only: no path, no control characters, not too long."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "document"
    return name[:120]
