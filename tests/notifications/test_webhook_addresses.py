"""Webhook URLs may not point at the server's neighbourhood (loopback, link-local, private, …)
unless WEBHOOK_ALLOW_PRIVATE_NETWORKS: checked at save after resolving the host, and again right
before each send (the request then goes to the checked address); answers kept in the log are capped."""

import socket

import pytest
from django.core.exceptions import ValidationError

from notifications import tasks
from notifications.channels.destinations import is_public
from notifications.channels.httppool import http_post
from notifications.models import Delivery, DeliveryAttempt, WebhookSubscription

from .conftest import assigned
from .servers import webhook_sink

pytestmark = pytest.mark.django_db

WEBHOOKS = "/api/v1/webhooks/"
PUBLIC = "93.184.215.14"
_real_getaddrinfo = socket.getaddrinfo


@pytest.fixture
def dns(monkeypatch):
    """Names of the tests resolve to the addresses set here (others as the system resolves them)."""
    names: dict[str, list[str] | Exception] = {}

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        answer = names[host]
        if isinstance(answer, Exception):
            raise answer
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answer
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.fixture
def private_refused(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False


def pending_ids():
    return list(Delivery.objects.filter(channel="webhook", state="pending").values_list("pk", flat=True))


FORBIDDEN = [
    "http://127.0.0.1/hook",
    "http://127.0.0.1:8000/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.10/",
    "http://100.64.0.1/",  # shared address space (CGNAT)
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://[::1]/",
    "http://[::]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
    "http://2130706433/",  # 127.0.0.1 written as one number
    "http://localhost/",  # a name that resolves to loopback
]


@pytest.mark.parametrize("url", FORBIDDEN)
def test_saving_a_webhook_to_a_forbidden_address_is_refused(url, api_client_for, private_refused):
    # when
    response = api_client_for("admin", language="en").post(WEBHOOKS, {"url": url}, format="json")
    # then
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["code"] == "invalid" and "url" in body
    assert "may not point at a loopback, link-local, private" in body["detail"]
    assert not WebhookSubscription.objects.exists()


def test_a_name_with_one_private_address_among_public_ones_is_refused(dns, api_client_for, private_refused):
    dns["hooks.example.com"] = [PUBLIC, "10.1.2.3"]
    response = api_client_for("admin", language="en").post(
        WEBHOOKS, {"url": "https://hooks.example.com/in"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Webhooks may not point at a loopback, link-local, private, multicast, reserved or "
        "unspecified address: hooks.example.com is 10.1.2.3."
    )


def test_a_public_name_is_accepted(dns, api_client_for, private_refused):
    dns["hooks.example.com"] = [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    response = api_client_for("admin").post(WEBHOOKS, {"url": "https://hooks.example.com/in"}, format="json")
    assert response.status_code == 201, response.json()


def test_a_name_that_does_not_resolve_is_refused_with_a_clear_message(dns, api_client_for, private_refused):
    dns["nowhere.example.com"] = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    response = api_client_for("admin", language="en").post(
        WEBHOOKS, {"url": "https://nowhere.example.com/in"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "The host nowhere.example.com could not be resolved; check the URL."


def test_only_http_and_https(api_client_for, private_refused):
    response = api_client_for("admin", language="en").post(
        WEBHOOKS, {"url": "ftp://93.184.215.14/in"}, format="json"
    )
    assert response.status_code == 400 and "url" in response.json()


@pytest.mark.parametrize("url", ["http://127.0.0.1/hook", "http://10.0.0.1/", "http://[::1]/"])
def test_private_addresses_are_accepted_when_the_setting_allows_them(url, api_client_for, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    assert api_client_for("admin").post(WEBHOOKS, {"url": url}, format="json").status_code == 201


def test_changing_the_url_of_a_subscription_is_checked_too(api_client_for, private_refused, dns):
    dns["hooks.example.com"] = [PUBLIC]
    sub = WebhookSubscription.objects.create(url="https://hooks.example.com/in")
    admin = api_client_for("admin")
    response = admin.patch(f"{WEBHOOKS}{sub.pk}/", {"url": "http://169.254.169.254/"}, format="json")
    assert response.status_code == 400
    # a change that leaves the URL alone is not re-checked against the name's current addresses
    dns["hooks.example.com"] = socket.gaierror(socket.EAI_AGAIN, "Temporary failure")
    assert admin.patch(f"{WEBHOOKS}{sub.pk}/", {"is_active": False}, format="json").status_code == 200


def test_the_admin_form_refuses_a_forbidden_address(users, client, private_refused):
    client.force_login(users["admin"])
    response = client.post(
        "/admin/notifications/webhooksubscription/add/",
        {"name": "metadata", "url": "http://169.254.169.254/", "kind": "generic", "events": "[]"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert "169.254.169.254" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_the_model_validation_refuses_a_forbidden_address(private_refused):
    with pytest.raises(ValidationError) as error:
        WebhookSubscription(url="http://[::1]:9000/").full_clean()
    assert error.value.error_dict["url"][0].code == "private_address"


# --- at send ----------------------------------------------------------------------------------------


def test_a_send_to_an_address_no_longer_allowed_is_refused_and_not_retried(users, depts, settings, published):
    with webhook_sink() as sink:
        # given: saved while private networks were allowed
        WebhookSubscription.objects.create(url=sink.url, kind="generic", events=["assign"])
        assigned(users, depts)
        settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
        published.clear()
        # when
        counts = tasks.deliver(pending_ids())
    # then: nothing reached the receiver, the delivery is dead at once with the reason
    assert sink.requests == []
    assert counts == {"claimed": 1, "sent": 0, "failed": 0, "dead": 1}
    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.state == "dead" and delivery.attempts == 1
    assert delivery.last_error.startswith("refused: ") and "127.0.0.1" in delivery.last_error
    assert [(a.ok, a.detail) for a in delivery.log.all()] == [(False, delivery.last_error)]
    assert published == []  # no retry queued


def test_a_name_that_resolves_elsewhere_at_send_is_refused(users, depts, dns, private_refused):
    # given: saved while the name resolved to a public address (DNS rebinding)
    dns["hooks.example.com"] = [PUBLIC]
    WebhookSubscription.objects.create(url="http://hooks.example.com/in", events=["assign"])
    assigned(users, depts)
    dns["hooks.example.com"] = ["127.0.0.1"]
    # when
    tasks.deliver(pending_ids())
    # then
    delivery = Delivery.objects.get(channel="webhook")
    error = delivery.last_error  # in the deployment's language
    assert delivery.state == "dead" and error.startswith("refused:")
    assert "hooks.example.com" in error and "127.0.0.1" in error


def test_a_name_that_does_not_resolve_at_send_is_retried(users, depts, dns, private_refused):
    dns["hooks.example.com"] = [PUBLIC]
    WebhookSubscription.objects.create(url="http://hooks.example.com/in", events=["assign"])
    assigned(users, depts)
    dns["hooks.example.com"] = socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    tasks.deliver(pending_ids())
    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.state == "pending" and "Temporary failure" in delivery.last_error


def test_the_request_goes_to_the_address_that_was_checked(users, depts, dns, monkeypatch, private_refused):
    from notifications.channels import destinations

    with webhook_sink() as sink:
        port = sink.server.server_address[1]
        # given: a name checked once, then resolved by anyone else to somewhere unreachable; of
        # its two addresses the first does not answer (nothing listens on 127.0.0.2)
        dns["receiver.example.com"] = ["127.0.0.2", "127.0.0.1"]
        monkeypatch.setattr(destinations, "is_public", lambda address: address.startswith("127.0.0."))
        WebhookSubscription.objects.create(url=f"http://receiver.example.com:{port}/hook", events=["assign"])
        assigned(users, depts)
        checked = []
        original = destinations.resolve

        def resolve_then_rebind(host, port):
            addresses = original(host, port)
            checked.append(addresses)
            dns["receiver.example.com"] = ["192.0.2.1"]  # TEST-NET: a second lookup would go nowhere
            return addresses

        monkeypatch.setattr(destinations, "resolve", resolve_then_rebind)
        # when
        tasks.deliver(pending_ids())
    # then: the sink (127.0.0.1) got it, addressed by name
    assert checked == [["127.0.0.2", "127.0.0.1"]]
    [request] = sink.requests
    assert request["headers"]["Host"] == f"receiver.example.com:{port}"
    assert Delivery.objects.get(channel="webhook").state == "sent"


# --- what the log keeps of an answer ---------------------------------------------------------------


def test_a_long_answer_is_capped_in_the_delivery_log(users, depts):
    with webhook_sink() as sink:
        sink.status, sink.answer = 500, b"<html>" + b"x" * 100_000 + b"</html>"
        WebhookSubscription.objects.create(url=sink.url, events=["assign"])
        assigned(users, depts)
        tasks.deliver(pending_ids())
    delivery = Delivery.objects.get(channel="webhook")
    assert delivery.last_error.startswith("HTTP 500: <html>xxx")
    assert len(delivery.last_error) <= len("HTTP 500: ") + 2000 + 1 and delivery.last_error.endswith("…")
    assert DeliveryAttempt.objects.get(delivery=delivery).detail == delivery.last_error


def test_the_cap_is_a_setting(users, depts, settings):
    settings.WEBHOOK_RESPONSE_LOG_CHARS = 10
    with webhook_sink() as sink:
        sink.status, sink.answer = 400, "错误：签名不匹配，请检查密钥".encode()
        WebhookSubscription.objects.create(url=sink.url, events=["assign"])
        assigned(users, depts)
        tasks.deliver(pending_ids())
    assert Delivery.objects.get(channel="webhook").last_error == "HTTP 400: 错误：签名不匹配，请…"


def test_a_huge_answer_is_not_read_whole():
    with webhook_sink() as sink:
        sink.answer = b"y" * 3_000_000
        status, answer = http_post(sink.url, b"{}", {"Content-Type": "application/json"}, max_bytes=1000)
        # the connection was dropped, not left with unread bytes: the next request works
        sink.answer = b"ok"
        assert http_post(sink.url, b"{}", {}) == (200, b"ok")
    assert status == 200 and answer == b"y" * 1000


@pytest.mark.parametrize(
    "address, public",
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("8.8.8.8", True),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("fe80::1%eth0", False),
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("::ffff:10.0.0.1", False),
        ("198.18.0.1", False),  # benchmarking
        ("255.255.255.255", False),
    ],
)
def test_is_public(address, public):
    assert is_public(address) is public
