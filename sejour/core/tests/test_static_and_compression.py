"""Integrity hashes match the files served; text answers are compressed, files are not.

The production configuration itself (collectstatic, manifest storage, gunicorn,
DEBUG off) is tested in a browser by sejour/journeys/test_production.py.
"""

import base64
import gzip
import hashlib
import os
import re

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.test import RequestFactory

from sejour.core.middleware import CompressTextMiddleware
from sejour.core.static_integrity import static_integrity

pytestmark = pytest.mark.django_db

TAG = re.compile(r'<(?:link|script)\b[^>]*?(?:href|src)="/static/([^"]+)"[^>]*?integrity="([^"]+)"')


def sha384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def test_every_integrity_hash_is_the_hash_of_the_file_served(client):
    html = client.get("/").content.decode()
    tags = TAG.findall(html)
    names = {name for name, _ in tags}
    assert {
        "dsfr/dist/dsfr/dsfr.min.css",
        "dsfr/dist/utility/utility.min.css",
        "dsfr/dist/dsfr/dsfr.module.min.js",
        "dsfr/dist/dsfr/dsfr.nomodule.min.js",
        "sejour/sejour.css",
    } <= names
    for name, integrity in tags:
        with open(finders.find(name), "rb") as served:
            assert integrity == sha384(served.read()), name


def test_integrity_follows_a_changed_file(tmp_path, settings):
    folder = tmp_path / "static"
    folder.mkdir()
    settings.STATICFILES_DIRS = [folder]
    (folder / "probe.css").write_bytes(b"a{}")
    first = static_integrity("probe.css")
    assert first == sha384(b"a{}")
    (folder / "probe.css").write_bytes(b"b{color:red}")
    os.utime(folder / "probe.css", ns=(1, 10**18))  # a different time, however fast the disk
    assert static_integrity("probe.css") == sha384(b"b{color:red}")
    with pytest.raises(ValueError):
        static_integrity("missing.css")


def test_manifest_storage_hashes_the_rewritten_copy(tmp_path, settings):
    """What production serves: the hashed copy whose url() references were rewritten."""
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.management import call_command

    folder = tmp_path / "source"
    (folder / "fonts").mkdir(parents=True)
    (folder / "fonts" / "f.woff2").write_bytes(b"font")
    (folder / "site.css").write_bytes(b"@font-face{src:url(fonts/f.woff2)}")
    settings.STATICFILES_DIRS = [folder]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", "-v", "0")
    served_name = staticfiles_storage.stored_name("site.css")
    served = (settings.STATIC_ROOT / served_name).read_bytes()
    original = (folder / "site.css").read_bytes()
    assert served != original  # the reference now names the hashed font
    assert static_integrity("site.css") == sha384(served) != sha384(original)


def _answer(content_type: str, body: bytes, accept="gzip, deflate, br"):
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING=accept)
    return CompressTextMiddleware(lambda request: HttpResponse(body, content_type=content_type))(
        request
    )


def test_pages_are_gzipped_with_random_padding(client):
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"R\xc3\xa9publique" in gzip.decompress(response.content)
    # Heal the BREACH: the same page compressed twice rarely has the same length.
    body = b"<p>" + b"x" * 5000 + b"</p>"
    lengths = {len(_answer("text/html; charset=utf-8", body).content) for _ in range(20)}
    assert len(lengths) > 1
    plain = client.get("/")
    assert not plain.has_header("Content-Encoding")


def test_files_already_compressed_are_left_alone():
    body = b"%PDF-1.7 " + b"0" * 5000
    for content_type in ("application/pdf", "image/png", "application/zip"):
        response = _answer(content_type, body)
        assert not response.has_header("Content-Encoding"), content_type
        assert response.content == body
    assert _answer("application/json", b"[" + b"1," * 500 + b"1]")["Content-Encoding"] == "gzip"
    assert not _answer("text/html", body, accept="identity").has_header("Content-Encoding")
