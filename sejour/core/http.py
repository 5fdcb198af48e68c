import re
import unicodedata
from urllib.parse import quote


def posted(request):
    """The submitted data on POST, else None: a form bound to an empty POST still validates."""
    return request.POST if request.method == "POST" else None


def download_filename(*parts: str, extension: str) -> str:
    """A file name for a person's download, from words already in their language:
    spaces become hyphens, path separators and control characters go."""
    words = "-".join(str(part).strip() for part in parts if str(part).strip())
    words = re.sub(r"[\s/\\]+", "-", words)
    words = "".join(char for char in words if char.isprintable() and char not in '"<>:|?*')
    return f"{words or 'document'}.{extension}"


def content_disposition(filename: str, *, as_attachment: bool = True) -> str:
    """The Content-Disposition header for `filename` in any language (RFC 6266):
    an ASCII `filename` for old clients, and `filename*` with the UTF-8 name."""
    disposition = "attachment" if as_attachment else "inline"
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem)
    ascii_stem = re.sub(r"-{2,}", "-", ascii_stem).strip("-._") or "document"
    ascii_extension = re.sub(r"[^A-Za-z0-9]", "", extension)
    fallback = f"{ascii_stem}.{ascii_extension}" if ascii_extension else ascii_stem
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
