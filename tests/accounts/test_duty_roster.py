"""The duty roster in the admin: a week filled at once, replaced or added to, refused to non-admins."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import DutyAssignment

pytestmark = pytest.mark.django_db


def fill(client, depts, users, **extra):
    data = {
        "department": depts["BJ-YJ"].pk,
        "people": [users["handler2"].pk],
        "first_day": "2025-09-29",
        "days": 7,
        **extra,
    }
    return client.post(reverse("admin:accounts_dutyassignment_fill"), data)


def test_an_administrator_fills_a_week_from_the_roster_page(client, users, depts):
    client.force_login(users["admin"])
    changelist = client.get(reverse("admin:accounts_dutyassignment_changelist"))
    assert reverse("admin:accounts_dutyassignment_fill") in changelist.content.decode()
    assert client.get(reverse("admin:accounts_dutyassignment_fill")).status_code == 200
    # when a week is filled twice (a double submit): seven rows, not fourteen
    response = fill(client, depts, users)
    fill(client, depts, users)
    assert response.status_code == 302
    days = sorted(DutyAssignment.objects.filter(user=users["handler2"]).values_list("date", flat=True))
    assert days[0] == date(2025, 9, 29) and days[-1] == date(2025, 10, 5) and len(days) == 7


def test_replace_takes_the_previous_people_off_those_days_only(client, users, depts):
    client.force_login(users["admin"])
    fill(client, depts, users, days=10)
    fill(client, depts, users, people=[users["handler"].pk], replace="on")
    assert DutyAssignment.objects.filter(user=users["handler"]).count() == 7
    # the three days after the week keep the first person
    kept = DutyAssignment.objects.filter(user=users["handler2"]).values_list("date", flat=True)
    assert sorted(kept) == [date(2025, 10, 6), date(2025, 10, 7), date(2025, 10, 8)]


def test_a_bad_form_says_what_is_wrong_and_saves_nothing(client, users, depts):
    client.force_login(users["admin"])
    response = fill(client, depts, users, days=0, people=[])
    assert response.status_code == 200 and b"errorlist" in response.content
    assert not DutyAssignment.objects.exists()


def test_only_administrators_reach_the_roster(client, users, depts):
    client.force_login(users["agent"])
    response = fill(client, depts, users)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not DutyAssignment.objects.exists()
