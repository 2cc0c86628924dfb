"""Two supervisors approving the same order at the same moment: exactly one wins (PostgreSQL)."""

import time

import pytest
from rest_framework.test import APIClient

from tests.workorders.racing import lock_waiters, race, require_postgresql
from workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RACE = {"armed": False, "saw_waiter": False}


def hold_until_the_other_waits(*, order, event):
    """Transition hook: inside the winner's transaction, wait until the loser is blocked on the row lock.

    This proves the two requests really overlapped (the loser is not simply late). It gives up
    after a while and the test then fails on ``saw_waiter``.
    """
    if not RACE["armed"] or event.action != "approve":
        return
    for _ in range(200):
        if lock_waiters() > 0:
            RACE["saw_waiter"] = True
            return
        time.sleep(0.05)


@pytest.fixture
def armed(settings):
    settings.WORKORDER_TRANSITION_HOOKS = [
        *settings.WORKORDER_TRANSITION_HOOKS,
        f"{__name__}.hold_until_the_other_waits",
    ]
    RACE.update(armed=True, saw_waiter=False)
    yield RACE
    RACE["armed"] = False


def test_two_threads_approving_the_same_order_exactly_one_wins(build, users, depts, django_user_model, armed):
    require_postgresql()
    order = build.order("review")
    second = django_user_model.objects.create(username="supervisor2", department=depts["BJ"])
    second.groups.set(users["supervisor"].groups.all())
    supervisors = [users["supervisor"], django_user_model.objects.get(pk=second.pk)]

    def approve(i):
        client = APIClient()
        client.force_authenticate(supervisors[i])
        response = client.post(
            f"/api/v1/workorders/{order.pk}/approve/",
            {"version": order.version, "comment": f"同意（{i}）"},
            format="json",
        )
        return response.status_code, response.json()

    results = race(2, approve)

    assert sorted(code for code, _ in results) == [200, 409]
    loser = next(body for code, body in results if code == 409)
    assert loser["code"] in ("stale_version", "illegal_transition")
    assert armed["saw_waiter"], "the second request never waited on the row lock: no real race"
    before = order.version
    order.refresh_from_db()
    assert order.status == "callback" and order.version == before + 1
    approvals = WorkOrderEvent.objects.filter(order=order, action="approve")
    assert approvals.count() == 1
    winner = next(i for i, (code, _) in enumerate(results) if code == 200)
    assert approvals.get().actor_id == supervisors[winner].pk


def test_racing_urges_are_all_counted(build, users, armed):
    """Actions that do not change the state serialise on the lock: five urges, count five."""
    require_postgresql()
    RACE["armed"] = False
    order = build.order("processing")

    def urge(i):
        client = APIClient()
        client.force_authenticate(users["agent"])
        # No version check from a stale read: each request reloads the version it sends.
        for _ in range(20):
            version = WorkOrder.objects.get(pk=order.pk).version
            response = client.post(
                f"/api/v1/workorders/{order.pk}/urge/", {"version": version}, format="json"
            )
            if response.status_code != 409:
                return response.status_code
        return 409

    assert race(5, urge) == [200] * 5
    order.refresh_from_db()
    assert order.urge_count == 5
    assert list(
        order.events.filter(action="urge").order_by("version").values_list("payload__count", flat=True)
    ) == [1, 2, 3, 4, 5]
