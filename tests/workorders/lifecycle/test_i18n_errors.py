"""Refusals speak the user's language (Accept-Language): English for ``en``, Chinese by default.

The Chinese catalogue is merged by the lead; until then the zh-hans text is only required to be
present. The English texts are the source strings and must not drift.
"""

import pytest

from tests.workorders.factories import act

pytestmark = pytest.mark.django_db


@pytest.fixture
def speaking(api_client_for):
    def make(username, language):
        return api_client_for(username, language=language)

    return make


def test_a_409_is_explained_in_english_for_en(build, speaking):
    order = build.order("classification")
    data = act(speaking("supervisor", "en"), order.pk, "approve", expect=409, comment="ok")
    assert data == {
        "detail": "Cannot approve an order in state “Classification”.",
        "code": "illegal_transition",
    }


def test_a_409_has_a_message_in_chinese_too(build, speaking):
    order = build.order("classification")
    en = act(speaking("supervisor", "en"), order.pk, "approve", expect=409, comment="ok")
    zh = act(speaking("supervisor", "zh-hans"), order.pk, "approve", expect=409, comment="ok")
    assert zh["code"] == en["code"] == "illegal_transition"
    assert zh["detail"].strip()


def test_a_stale_version_is_explained(build, speaking):
    order = build.order("review")
    data = act(speaking("supervisor", "en"), order.pk, "approve", expect=409, version=order.version - 1)
    assert data["code"] == "stale_version"
    assert data["detail"] == (
        f"This order was changed by someone else meanwhile (version {order.version}, "
        f"you had {order.version - 1}). Reload it and try again."
    )


def test_role_and_scope_refusals_are_translated_per_request(build, speaking):
    order = build.order("review")
    data = act(speaking("agent", "en"), order.pk, "approve", expect=403)
    assert data == {"detail": "Your role may not do this: Approve.", "code": "permission_denied"}
    data = act(speaking("handler", "en"), order.pk, "approve", expect=404)
    assert data == {"detail": "Work order not found.", "code": "not_found"}
    assert act(speaking("handler", "zh-hans"), order.pk, "approve", expect=404)["detail"].strip()


def test_validation_messages_follow_the_language(speaking, org):
    from tests.builders import intake_body

    response = speaking("agent", "en").post("/api/v1/complaints/", intake_body(phone="12345"), format="json")
    assert response.status_code == 400
    assert response.json()["phone"] == [
        "Enter an 11-digit mobile number (e.g. 13812345678) "
        "or a landline with area code (e.g. 0571-87654321)."
    ]
    zh = speaking("agent", "zh-hans").post("/api/v1/complaints/", intake_body(phone="12345"), format="json")
    assert zh.status_code == 400 and zh.json()["phone"][0].strip()
