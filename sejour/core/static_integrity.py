"""Subresource-integrity hashes computed from the static files as they are served.

django-dsfr ships sha384 hashes of its original files. In production the
manifest storage serves rewritten copies (url() references point to hashed
names), whose hash differs, and the browser refuses the stylesheet: the whole
site showed unstyled. The hash is computed here from the very file that is
served — the hashed copy in STATIC_ROOT, or the source file in development —
so it is right whatever the storage does to the file (docs/decisions/0004).
"""

import base64
import hashlib
import os

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

_computed: dict[tuple, str] = {}


def _digest(chunks) -> str:
    digest = hashlib.sha384()
    for chunk in chunks:
        digest.update(chunk)
    return "sha384-" + base64.b64encode(digest.digest()).decode()


def static_integrity(name: str) -> str:
    """The `integrity` value of the static file `name` ("dsfr/dist/dsfr/dsfr.min.css")."""
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        # The served name carries a hash of its content: a cached value cannot go stale.
        served = staticfiles_storage.stored_name(name)
        key = ("manifest", served)
        if key not in _computed:
            with staticfiles_storage.open(served) as served_file:
                _computed[key] = _digest(served_file.chunks())
        return _computed[key]
    # Development and tests: the file is served from the app folders as it is.
    path = finders.find(name)
    if path is None:
        raise ValueError(f"static file not found: {name}")
    key = ("source", path, os.stat(path).st_mtime_ns)
    if key not in _computed:
        with open(path, "rb") as source:
            _computed[key] = _digest(iter(lambda: source.read(65536), b""))
    return _computed[key]
