"""Where files live, and how they leave.

- Keys say nothing about their owner: a random name in a folder per kind of file.
  References, numbers and the name a person gave stay in the database.
- With `AWS_STORAGE_BUCKET_NAME` set, files go to an S3-compatible bucket through
  `PrivateS3Storage`: private objects, never overwritten, read as a stream.
- Every download goes through Séjour, after its own authorisation check, and is
  streamed from storage (docs/decisions/0003-downloads-through-the-application.md):
  no signed URL ever leaves the application.
"""

import logging
import uuid
from typing import IO

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ImproperlyConfigured
from django.http import FileResponse, Http404
from django.shortcuts import render
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from .http import content_disposition

logger = logging.getLogger(__name__)


def random_key(folder: str, extension: str = "") -> str:
    """A storage key that reveals no name, reference or number."""
    return f"{folder}/{uuid.uuid4().hex}" + (f".{extension}" if extension else "")


class StorageUnavailable(Exception):
    """The storage did not answer as it should (network, credentials, outage)."""


class PrivateS3Storage(S3Storage):
    """An S3-compatible bucket holding personal files.

    Objects are written private whatever the options say: a public ACL would let
    anyone who learns a key read a passport scan. A key is never reused, so a file
    is never replaced behind the record that points to it.
    """

    default_acl = "private"
    file_overwrite = False
    querystring_expire = 60  # no URL is handed out; if one ever is, it dies quickly

    def __init__(self, **options):
        super().__init__(**options)
        if self.default_acl != "private":
            raise ImproperlyConfigured("Séjour's file storage must keep objects private.")
        # Fail in seconds rather than hang a web process when the storage is down.
        self.client_config = self.client_config.merge(
            Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3})
        )

    def open_stream(self, name: str) -> tuple[IO[bytes], int]:
        """The object's body as a stream, and its length, without copying it first."""
        key = self._normalize_name(clean_name(name))
        try:
            response = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(name) from error
            raise StorageUnavailable(str(error)) from error
        except BotoCoreError as error:
            raise StorageUnavailable(str(error)) from error
        return response["Body"], response["ContentLength"]


def stored_open(field_file) -> tuple[IO[bytes], int | None]:
    """Open a stored file for reading: streamed from a bucket, or from disk.

    Raises FileNotFoundError when the file is not in storage, StorageUnavailable
    when the storage cannot be read.
    """
    storage = field_file.storage
    if isinstance(storage, PrivateS3Storage):
        return storage.open_stream(field_file.name)
    try:
        return storage.open(field_file.name, "rb"), None
    except FileNotFoundError:
        raise
    except (OSError, BotoCoreError, ClientError) as error:
        raise StorageUnavailable(str(error)) from error


def stored_file_response(
    request, field_file, *, content_type: str, filename: str = "", as_attachment: bool = True
):
    """Send a stored file to someone the caller has already authorised.

    A file missing from storage answers 404; storage that does not answer gives a
    page saying to try again later (503), never a server error.
    """
    if not field_file:
        raise Http404
    try:
        handle, length = stored_open(field_file)
    except FileNotFoundError:
        logger.error("Stored file missing: %s", field_file.name)
        raise Http404 from None
    except StorageUnavailable as error:
        logger.error("Storage unavailable reading %s: %s", field_file.name, error)
        return render(request, "core/storage_unavailable.html", status=503)
    response = FileResponse(
        handle, content_type=content_type, as_attachment=as_attachment, filename=filename
    )
    if filename:
        # The name is in the person's language: ASCII for old clients, UTF-8 beside it.
        response["Content-Disposition"] = content_disposition(filename, as_attachment=as_attachment)
    if length is not None:
        response["Content-Length"] = str(length)
    response["Cache-Control"] = "private, no-store"
    return response
