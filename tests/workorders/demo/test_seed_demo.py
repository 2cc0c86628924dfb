import pytest
from django.core.management import CommandError, call_command

from accounts.models import Department, DutyAssignment, User

# seed_demo seeds DEMO_ORDERS demo orders (300 by default); a few dozen show the same here, faster.
DEMO_ORDERS = 40


@pytest.mark.django_db
def test_seed_demo_twice_is_idempotent(settings, capsys):
    settings.DEBUG, settings.DEMO_ORDERS = True, DEMO_ORDERS
    call_command("seed_demo")
    first = (
        Department.objects.count(),
        User.objects.count(),
        list(User.objects.order_by("pk").values_list("password", flat=True)),
        DutyAssignment.objects.count(),
    )
    # the night and weekend alerts of the demo reach a person on duty
    assert DutyAssignment.objects.filter(user__username="handler2", department__code="BJ-YJ").count() > 100
    call_command("seed_demo")
    second = (
        Department.objects.count(),
        User.objects.count(),
        list(User.objects.order_by("pk").values_list("password", flat=True)),
        DutyAssignment.objects.count(),
    )
    assert first == second
    out = capsys.readouterr().out
    for username in ["agent", "dispatcher", "handler", "handler2", "supervisor", "manager", "admin"]:
        assert f"  {username} " in out
    assert "demo12345" in out


@pytest.mark.django_db
def test_seed_demo_creates_one_login_per_role(settings):
    settings.DEBUG, settings.DEMO_ORDERS = True, DEMO_ORDERS
    call_command("seed_demo")
    roles = {u.username: set(u.roles) for u in User.objects.all()}
    assert roles["agent"] == {"agent"}
    assert roles["dispatcher"] == {"dispatcher"}
    assert roles["handler"] == roles["handler2"] == {"handler"}
    assert User.objects.get(username="handler").department != User.objects.get(username="handler2").department
    assert roles["supervisor"] == {"supervisor"}
    assert roles["manager"] == {"manager"}
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="agent").check_password("demo12345")
    assert Department.objects.filter(kind=Department.Kind.SUPPLY_UNIT).count() == 3
    # the deadline sweep ran once: open orders past their due time are already marked overdue
    from workorders.models import WorkOrder

    assert WorkOrder.objects.filter(is_overdue=True).exclude(status="closed").exists()


@pytest.mark.django_db
def test_seed_demo_refuses_in_production_mode(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.filter(username="agent").exists()
