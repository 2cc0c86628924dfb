"""Serving stored files (attachments, exports, reports) only after a view has checked who asks.

Nothing under ``MEDIA_ROOT`` has a public URL: a view finds the file through the caller's scope
and answers with ``protected_file_response``. How the bytes travel is a setting:

- ``PROTECTED_MEDIA_SERVER = ""`` (the default): Django streams the file (``FileResponse``);
- ``"nginx"``: an empty response with ``X-Accel-Redirect: <PROTECTED_MEDIA_INTERNAL_PREFIX><name>``,
  which nginx serves from an ``internal`` location (docs/decisions.md, "Protected files");
- ``"apache"``: an empty response with ``X-Sendfile: <absolute path, %-escaped>`` for mod_xsendfile
  (a storage with no local path is streamed).

Every answer is a download (``Content-Disposition: attachment``), never cached
(``Cache-Control: no-store``) and never sniffed into something the browser would render
(``X-Content-Type-Options: nosniff``).
"""

import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

DEFAULT_INTERNAL_PREFIX = "/protected-media/"
SERVERS = ("", "nginx", "apache")


def media_server() -> str:
    server = (getattr(settings, "PROTECTED_MEDIA_SERVER", "") or "").strip().lower()
    return server if server in SERVERS[1:] else ""


def internal_uri(name: str) -> str:
    """The URI nginx's internal location serves ``name`` (a storage name) at."""
    prefix = getattr(settings, "PROTECTED_MEDIA_INTERNAL_PREFIX", DEFAULT_INTERNAL_PREFIX) or "/"
    return quote(prefix.rstrip("/") + "/" + name.lstrip("/"))


def _guess_type(filename: str) -> str:
    content_type, encoding = mimetypes.guess_type(filename)
    return content_type if content_type and not encoding else "application/octet-stream"


def download_headers(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _storage_path(storage: Storage, name: str) -> str | None:
    try:
        return storage.path(name)
    except NotImplementedError:  # remote storage: no path on this machine
        return None


def protected_file_response(
    file: FieldFile, *, filename: str | None = None, content_type: str | None = None
) -> HttpResponse:
    """The stored ``file`` as a download, by the configured server (module docstring). A file
    missing from the storage is a 404."""
    if not file or not file.name:
        raise Http404
    storage, name = file.storage, file.name
    filename = filename or posixpath.basename(name)
    content_type = content_type or _guess_type(filename)
    if not storage.exists(name):
        raise Http404
    server = media_server()
    path = _storage_path(storage, name) if server == "apache" else None
    if server == "nginx":
        response = HttpResponse(b"", content_type=content_type)
        response["X-Accel-Redirect"] = internal_uri(name)
    elif server == "apache" and path:
        response = HttpResponse(b"", content_type=content_type)
        response["X-Sendfile"] = quote(path)  # mod_xsendfile unescapes it (XSendFileUnescape On)
    else:
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    return download_headers(response, filename)


def bytes_download_response(
    content: bytes, *, filename: str, content_type: str | None = None
) -> HttpResponse:
    """A workbook written for this request (pivot, a report in the reader's language), with the
    same headers as a stored file."""
    response = HttpResponse(content, content_type=content_type or _guess_type(filename))
    return download_headers(response, filename)
