"""Attachments are served only through the scope-checked download (issue 13, item 6).

Every link (API ``url``, the order page, the admin) points at ``workorders:attachment-download`` or
``api-attachment-download``; a user who may see the order gets the file as a download that is never
cached or sniffed, anyone else a 404, and no route serves ``MEDIA_ROOT`` in either run mode. With
``PROTECTED_MEDIA_SERVER`` set, the web server sends the bytes (X-Accel-Redirect / X-Sendfile).
"""

import importlib
from urllib.parse import quote

import pytest
from django.test import override_settings
from django.urls import clear_url_caches, reverse

from tests.workorders.factories import pdf_upload
from workorders.models import Attachment

pytestmark = pytest.mark.django_db

PDF_NAME = "现场照片.pdf"


@pytest.fixture
def attachment(build, media_tmp):
    """An order in processing at 运维检修部 (handler2) with one PDF its handler attached."""
    order = build.order("processing")
    build.do(order, "attach", "handler2", file=pdf_upload(PDF_NAME, 64), comment="现场")
    return Attachment.objects.select_related("order").get(order=order)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_download_headers(response, filename=PDF_NAME):
    assert response["Content-Disposition"].startswith("attachment;")
    assert quote(filename) in response["Content-Disposition"]
    assert "no-store" in [d.strip() for d in response["Cache-Control"].split(",")]
    assert response["X-Content-Type-Options"] == "nosniff"


# --- who gets the file ------------------------------------------------------------------------------


def test_the_orders_handler_downloads_it_from_the_page_link(attachment, page_client_for):
    # given
    client = page_client_for("handler2")
    url = reverse("workorders:attachment-download", args=[attachment.pk])
    # when
    response = client.get(url)
    # then
    assert response.status_code == 200
    assert_download_headers(response)
    assert response["Content-Type"] == "application/pdf"
    assert body_of(response) == b"%PDF-1.4\n" + b"0" * 64


def test_the_api_url_is_the_protected_download(attachment, api_client_for):
    # given
    api = api_client_for("handler2")
    detail = api.get(f"/api/v1/workorders/{attachment.order_id}/").json()
    # when
    url = detail["attachments"][0]["url"]
    response = api.get(url)
    # then: the field keeps its name, its value is the download through the scope check
    assert url.endswith(f"/api/v1/attachments/{attachment.pk}/download/")
    assert "/media/" not in url
    assert response.status_code == 200
    assert_download_headers(response)
    assert body_of(response).startswith(b"%PDF-1.4")


@pytest.mark.parametrize("who", ["agent", "dispatcher", "supervisor", "manager", "admin"])
def test_users_who_see_the_order_download_it(attachment, page_client_for, who):
    response = page_client_for(who).get(reverse("workorders:attachment-download", args=[attachment.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["handler", "handler3"])
def test_a_handler_of_another_department_gets_404(attachment, page_client_for, api_client_for, who):
    page = page_client_for(who).get(reverse("workorders:attachment-download", args=[attachment.pk]))
    api = api_client_for(who).get(f"/api/v1/attachments/{attachment.pk}/download/")
    assert page.status_code == 404
    assert api.status_code == 404 and api.json()["code"] == "not_found"


def test_another_companys_users_and_anonymous_get_nothing(attachment, other_company, client):
    from rest_framework.test import APIClient

    _depts, their_users = other_company
    url = reverse("workorders:attachment-download", args=[attachment.pk])
    for user in their_users.values():
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert APIClient().get(f"/api/v1/attachments/{attachment.pk}/download/").status_code in (401, 403)


def test_a_file_missing_from_storage_is_404(attachment, page_client_for):
    attachment.file.storage.delete(attachment.file.name)
    response = page_client_for("handler2").get(
        reverse("workorders:attachment-download", args=[attachment.pk])
    )
    assert response.status_code == 404


# --- the links --------------------------------------------------------------------------------------


def test_the_order_page_and_the_admin_link_to_the_protected_download(attachment, page_client_for):
    url = reverse("workorders:attachment-download", args=[attachment.pk])
    page = page_client_for("handler2").get(f"/orders/{attachment.order_id}/").content.decode()
    assert f'href="{url}"' in page and "/media/" not in page
    admin = page_client_for("admin")
    for path in (
        f"/admin/workorders/attachment/{attachment.pk}/change/",
        f"/admin/workorders/workorder/{attachment.order_id}/change/",
    ):
        html = admin.get(path).content.decode()
        assert f'href="{url}"' in html and attachment.file.name not in html, path


# --- nothing under MEDIA_URL ------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False])
def test_no_route_serves_media_in_either_run_mode(attachment, client, users, debug, settings):
    # given: the URLconf as it is built in this run mode
    import config.urls

    client.force_login(users["admin"])
    try:
        with override_settings(DEBUG=debug):
            importlib.reload(config.urls)
            clear_url_caches()
            # when
            response = client.get(f"/{settings.MEDIA_URL.strip('/')}/{attachment.file.name}")
        # then
        assert response.status_code == 404
        assert not response.streaming
    finally:
        importlib.reload(config.urls)
        clear_url_caches()


# --- the web server sends the bytes ---------------------------------------------------------------


def test_nginx_mode_answers_an_empty_body_with_x_accel_redirect(attachment, page_client_for, settings):
    settings.PROTECTED_MEDIA_SERVER = "nginx"
    response = page_client_for("handler2").get(
        reverse("workorders:attachment-download", args=[attachment.pk])
    )
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == quote(f"/protected-media/{attachment.file.name}")
    assert response.content == b""
    assert_download_headers(response)


def test_the_internal_prefix_is_a_setting(attachment, api_client_for, settings):
    settings.PROTECTED_MEDIA_SERVER = "nginx"
    settings.PROTECTED_MEDIA_INTERNAL_PREFIX = "/_files"
    response = api_client_for("handler2").get(f"/api/v1/attachments/{attachment.pk}/download/")
    assert response["X-Accel-Redirect"] == quote(f"/_files/{attachment.file.name}")
    assert response.content == b""


def test_apache_mode_answers_an_empty_body_with_x_sendfile(attachment, page_client_for, settings):
    settings.PROTECTED_MEDIA_SERVER = "apache"
    response = page_client_for("handler2").get(
        reverse("workorders:attachment-download", args=[attachment.pk])
    )
    assert response.status_code == 200
    assert response["X-Sendfile"] == quote(attachment.file.path)
    assert response.content == b""
    assert_download_headers(response)
