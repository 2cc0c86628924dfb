"""An ``Idempotency-Key`` replayed: one complaint, one work order, the same answer every time."""

import pytest
from rest_framework.test import APIClient

from complaints.models import Complaint, Customer, IdempotencyKey
from tests.builders import intake_body
from tests.workorders.racing import race, require_postgresql
from workorders.models import WorkOrder, WorkOrderEvent

KEY = "c0ffee00-95598-intake-0001"


def post(user, body, key=KEY):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/v1/complaints/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.mark.django_db
def test_a_key_replayed_five_times_creates_one_complaint(users):
    body = intake_body()
    responses = [post(users["agent"], body) for _ in range(5)]

    assert [r.status_code for r in responses] == [201] * 5
    assert [r.headers.get("Idempotent-Replayed") for r in responses] == [None] + ["true"] * 4
    first = responses[0].json()
    assert all(r.json() == first for r in responses)
    assert Complaint.objects.count() == 1 and WorkOrder.objects.count() == 1
    assert Customer.objects.count() == 1 and IdempotencyKey.objects.count() == 1
    assert first["tracking_no"] == Complaint.objects.get().tracking_no
    assert WorkOrderEvent.objects.filter(action="create").count() == 1


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_is_422(users):
    body = intake_body()
    assert post(users["agent"], body).status_code == 201
    response = post(users["agent"], {**body, "content": "另一件事：路灯不亮"})
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused" and response.json()["detail"]
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user_and_a_new_key_is_a_new_complaint(users, django_user_model, depts):
    body = intake_body()
    other = django_user_model.objects.create(username="agent2", department=depts["BJ-KF"])
    other.groups.set(users["agent"].groups.all())
    a = post(users["agent"], body).json()
    b = post(django_user_model.objects.get(pk=other.pk), body).json()
    c = post(users["agent"], body, key="another-key").json()
    assert len({a["tracking_no"], b["tracking_no"], c["tracking_no"]}) == 3
    assert Complaint.objects.count() == 3 and WorkOrder.objects.count() == 3


@pytest.mark.django_db
def test_a_refused_request_stores_nothing_under_the_key(users):
    """A 400 is not remembered: the corrected request with the same key goes through."""
    body = intake_body(phone="12345")
    assert post(users["agent"], body).status_code == 400
    assert IdempotencyKey.objects.count() == 0
    assert post(users["agent"], {**body, "phone": "13812345678"}).status_code == 201
    assert Complaint.objects.count() == 1


@pytest.mark.django_db
def test_a_key_longer_than_255_characters_is_refused_not_cut(users):
    """Cut to 255, two long keys sharing their beginning would answer each other's requests."""
    client = APIClient()
    client.force_authenticate(users["agent"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    long_key = "k" * 255 + "-first"
    response = client.post("/api/v1/complaints/", intake_body(), format="json", HTTP_IDEMPOTENCY_KEY=long_key)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The Idempotency-Key header is too long: at most 255 characters (this one has 261).",
        "code": "invalid",
    }
    assert Complaint.objects.count() == 0 and IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
def test_a_key_of_255_characters_is_kept_whole(users):
    key = "k" * 254 + "z"
    body = intake_body()
    first, again = post(users["agent"], body, key=key), post(users["agent"], body, key=key)
    assert first.status_code == again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert IdempotencyKey.objects.get().key == key and Complaint.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("fresh_customer", [True, False], ids=["new-customer", "known-customer"])
def test_a_key_sent_five_times_at_once_creates_one_complaint(fresh_customer, users):
    require_postgresql()
    body = intake_body()
    if not fresh_customer:  # the customer row exists already: the races meet on the key alone
        post(users["agent"], body, key="warm-up")
    before = Complaint.objects.count()

    results = race(5, lambda i: post(users["agent"], body))

    assert [r.status_code for r in results] == [201] * 5, [r.content[:200] for r in results]
    assert len({r.json()["tracking_no"] for r in results}) == 1
    assert sorted(r.headers.get("Idempotent-Replayed") or "" for r in results) == [""] + ["true"] * 4
    assert Complaint.objects.count() == before + 1
    assert WorkOrder.objects.filter(tracking_no=results[0].json()["tracking_no"]).count() == 1
    assert IdempotencyKey.objects.filter(key=KEY).count() == 1
