"""The time a complaint was received, given at intake, is bounded (API and intake page alike).

Not in the future beyond the clock skew (``INTAKE_CLOCK_SKEW_MINUTES``, 5); not older than the
backdating window (``INTAKE_BACKDATE_DAYS``, 7) unless a supervisor enters a channel that arrives
late (a letter, a 12398 or 12345 transfer). Outside: 400 ``invalid`` with the reason on the field.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from complaints.models import Complaint
from tests.builders import intake_body
from tests.workorders.factories import UserFactory
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

FUTURE = "The time received is in the future (more than 5 minutes ahead of now)."
TOO_OLD = (
    "The time received is more than 7 days ago. Only a supervisor may enter an older letter or "
    "12398/12345 transfer."
)


@pytest.fixture
def desk_supervisor(depts):
    """A supervisor who also takes complaints in (intake is an agent's task)."""
    return UserFactory(
        username="desk_supervisor", department=depts["BJ-KF"], roles=[Role.AGENT, Role.SUPERVISOR]
    )


def post(api, **overrides):
    return api.post("/api/v1/complaints/", intake_body(**overrides), format="json")


def ago(**delta) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


def ahead(**delta) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


# --- the API --------------------------------------------------------------------------------------


def test_a_time_beyond_the_clock_skew_is_refused(api_client_for):
    response = post(api_client_for("agent", language="en"), received_at=ahead(minutes=10))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["received_at"] == [FUTURE] and body["detail"] == FUTURE
    assert not Complaint.objects.exists()


def test_a_time_within_the_clock_skew_is_accepted(api_client_for):
    response = post(api_client_for("agent"), received_at=ahead(minutes=3))
    assert response.status_code == 201, response.json()


def test_a_week_old_complaint_is_accepted(api_client_for):
    when = timezone.now() - timedelta(days=6, hours=23)
    response = post(api_client_for("agent"), received_at=when.isoformat())
    assert response.status_code == 201, response.json()
    assert WorkOrder.objects.get().received_at == when


def test_eight_days_old_is_refused_for_an_agent(api_client_for):
    response = post(api_client_for("agent", language="en"), channel="letter", received_at=ago(days=8))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["received_at"] == [TOO_OLD]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("channel", ["letter", "regulator_12398", "gov_12345"])
def test_eight_days_old_is_accepted_from_a_supervisor_for_a_late_channel(
    channel, desk_supervisor, api_client_for
):
    response = post(api_client_for(desk_supervisor), channel=channel, received_at=ago(days=8))
    assert response.status_code == 201, response.json()
    assert WorkOrder.objects.get().received_at < timezone.now() - timedelta(days=7)


def test_eight_days_old_is_refused_from_a_supervisor_for_a_phone_call(desk_supervisor, api_client_for):
    response = post(
        api_client_for(desk_supervisor, language="en"), channel="phone_95598", received_at=ago(days=8)
    )
    assert response.status_code == 400
    assert response.json()["received_at"] == [TOO_OLD]


def test_even_a_supervisor_cannot_date_a_letter_in_the_future(desk_supervisor, api_client_for):
    response = post(api_client_for(desk_supervisor), channel="letter", received_at=ahead(hours=1))
    assert response.status_code == 400 and "received_at" in response.json()


def test_the_limits_come_from_the_settings(api_client_for, settings):
    settings.INTAKE_BACKDATE_DAYS = 30
    settings.INTAKE_CLOCK_SKEW_MINUTES = 1
    api = api_client_for("agent", language="en")
    assert post(api, received_at=ago(days=20)).status_code == 201
    refused = post(api, received_at=ahead(minutes=3)).json()
    assert refused["received_at"] == ["The time received is in the future (more than 1 minute ahead of now)."]
    refused = post(api, received_at=ago(days=31)).json()
    assert refused["received_at"][0].startswith("The time received is more than 30 days ago.")


def test_the_reason_has_a_chinese_text_too(api_client_for):
    body = post(api_client_for("agent", language="zh-hans"), received_at=ago(days=8)).json()
    assert body["code"] == "invalid" and body["received_at"][0].strip()


# --- the intake page ------------------------------------------------------------------------------

PAGE = {
    "phone": "13955557777",
    "account_no": "3305557777",
    "customer_name": "吴女士",
    "address": "滨江市城南区解放路3号",
    "channel": "letter",
    "content": "来信反映表箱门损坏，存在安全隐患。",
    "demand": "尽快维修表箱",
    "external_ref": "",
    "submit": "1",
}


def typed(delta: timedelta) -> str:
    """What a datetime-local input sends: local time to the minute."""
    return timezone.localtime(timezone.now() + delta).strftime("%Y-%m-%dT%H:%M")


def test_the_page_shows_the_reason_beside_the_field_and_keeps_the_input(page_client_for):
    value = typed(-timedelta(days=8))
    response = page_client_for("agent", language="en").post(
        reverse("complaints:intake"), {**PAGE, "received_at": value}
    )
    body = response.content.decode()
    assert response.status_code == 400 and not WorkOrder.objects.exists()
    assert f'<div class="invalid-feedback d-block" id="id_received_at-err">{TOO_OLD}</div>' in body
    assert f'name="received_at" value="{value}"' in body
    assert "来信反映表箱门损坏，存在安全隐患。</textarea>" in body  # the rest is kept too


def test_the_page_refuses_a_time_in_the_future(page_client_for):
    response = page_client_for("agent", language="en").post(
        reverse("complaints:intake"), {**PAGE, "received_at": typed(timedelta(hours=2))}
    )
    assert response.status_code == 400 and FUTURE in response.content.decode()


def test_the_page_records_a_supervisors_late_letter(desk_supervisor, page_client_for):
    value = typed(-timedelta(days=10))
    response = page_client_for(desk_supervisor).post(
        reverse("complaints:intake"), {**PAGE, "received_at": value}
    )
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert timezone.localtime(order.received_at).strftime("%Y-%m-%dT%H:%M") == value


def test_the_page_without_a_time_records_now(page_client_for):
    response = page_client_for("agent").post(reverse("complaints:intake"), {**PAGE, "received_at": ""})
    assert response.status_code == 302
    assert timezone.now() - WorkOrder.objects.get().received_at < timedelta(minutes=1)
