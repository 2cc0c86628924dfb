"""Open311 clients in the admin: the key is shown once, only its fingerprint is stored."""

import re

import pytest

from accounts.models import Open311Client

pytestmark = pytest.mark.django_db

KEY = re.compile(r'class="open311-key">(o311_[\w-]+)<')


def test_adding_a_client_shows_its_key_once(admin_client, org):
    # when an administrator adds a client
    response = admin_client.post(
        "/admin/accounts/open311client/add/",
        {"name": "滨江市12345平台", "channel": "gov_12345", "company": "", "is_active": "on"},
    )

    # then the answer shows the key, which works, and is not stored in plain
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = KEY.search(response.content.decode())[1]
    client = Open311Client.objects.get()
    assert Open311Client.for_key(key) == client
    assert client.key_hash != key and key not in str(Open311Client.objects.values().get())
    assert key.startswith(client.key_prefix)

    # and the client's page never shows it again
    page = admin_client.get(f"/admin/accounts/open311client/{client.pk}/change/").content.decode()
    assert key not in page and client.key_prefix in page
    assert key not in admin_client.get("/admin/accounts/open311client/").content.decode()


def test_issuing_a_new_key_retires_the_old_one(admin_client, platform):
    client, old_key = platform
    response = admin_client.post(
        "/admin/accounts/open311client/",
        {"action": "issue_new_key", "_selected_action": [client.pk]},
    )
    new_key = KEY.search(response.content.decode())[1]
    assert new_key != old_key
    assert Open311Client.for_key(old_key) is None
    assert Open311Client.for_key(new_key) == client


def test_the_client_list_and_pages_render_in_english_too(admin_client, platform):
    client, _key = platform
    admin_client.cookies["django_language"] = "en"
    assert "Open311 clients" in admin_client.get("/admin/accounts/open311client/").content.decode()
    assert admin_client.get(f"/admin/accounts/open311client/{client.pk}/change/").status_code == 200
