import pytest
from django.contrib.auth.models import Group

from accounts.models import Department, User
from accounts.roles import Role
from accounts.selectors import user_covered_departments, user_covers_department


def codes(qs):
    return set(qs.values_list("code", flat=True))


@pytest.mark.django_db
class TestCoveredDepartments:
    def test_handler_covers_own_department_and_its_teams_only(self, users):
        assert codes(user_covered_departments(users["handler"])) == {"BJ-YX", "BJ-YX-DF"}

    def test_handler_of_supply_unit_covers_that_unit(self, users):
        assert codes(user_covered_departments(users["handler3"])) == {"BJ-CD", "BJ-CD-YY"}

    def test_agent_and_dispatcher_cover_whole_company(self, users, depts):
        everything = set(depts)
        assert codes(user_covered_departments(users["agent"])) == everything
        assert codes(user_covered_departments(users["dispatcher"])) == everything

    def test_supervisor_covers_own_subtree(self, users, depts):
        # given a supervisor placed at a supply unit rather than the company
        sup = users["supervisor"]
        sup.department = depts["BJ-CX"]
        sup.save()
        sup = User.objects.get(pk=sup.pk)
        # then only that unit's subtree is covered
        assert codes(user_covered_departments(sup)) == {"BJ-CX", "BJ-CX-YY"}
        assert not user_covers_department(sup, depts["BJ-CD"])

    def test_agent_of_another_company_sees_nothing_of_ours(self, users, depts):
        other = Department.objects.create(code="XX", name="另一公司", kind=Department.Kind.COMPANY)
        kf = Department.objects.create(code="XX-KF", name="客服", kind="department", parent=other)
        agent = User.objects.create(username="other_agent", department=kf)
        agent.groups.add(Group.objects.get(name=Role.AGENT))
        assert codes(user_covered_departments(agent)) == {"XX", "XX-KF"}

    def test_user_without_role_or_department_covers_nothing(self, depts):
        nobody = User.objects.create(username="nobody", department=depts["BJ-YX"])
        assert not user_covered_departments(nobody).exists()
        homeless = User.objects.create(username="homeless")
        homeless.groups.add(Group.objects.get(name=Role.MANAGER))
        assert not user_covered_departments(homeless).exists()

    def test_admin_covers_everything(self, users):
        assert user_covered_departments(users["admin"]).count() == Department.objects.count()

    def test_several_roles_cover_the_union(self, users, depts):
        handler = users["handler"]
        handler.groups.add(Group.objects.get(name=Role.AGENT))
        handler = User.objects.get(pk=handler.pk)
        assert codes(user_covered_departments(handler)) == set(depts)


@pytest.mark.django_db
class TestDepartmentTree:
    def test_moving_a_department_moves_its_subtree(self, depts):
        # when marketing moves below the east supply unit
        yx = depts["BJ-YX"]
        yx.parent = depts["BJ-CD"]
        yx.save()
        # then its team's path follows
        team = Department.objects.get(code="BJ-YX-DF")
        assert team.path == f"/{depts['BJ'].pk}/{depts['BJ-CD'].pk}/{yx.pk}/{team.pk}/"
        assert team.depth == 3
        assert set(depts["BJ-CD"].subtree().values_list("code", flat=True)) >= {"BJ-YX", "BJ-YX-DF"}

    def test_cannot_move_below_itself(self, depts):
        yx = depts["BJ-YX"]
        yx.parent = Department.objects.get(code="BJ-YX-DF")
        with pytest.raises(ValueError):
            yx.save()

    def test_supply_unit_of_a_team(self, depts):
        assert Department.objects.get(code="BJ-CD-YY").supply_unit.code == "BJ-CD"
        assert Department.objects.get(code="BJ-YX-DF").supply_unit.code == "BJ"


def test_covering_every_department_is_known_without_counting_them(users, depts, django_user_model):
    from django.contrib.auth.models import Group

    from accounts.models import Department
    from accounts.selectors import user_covers_every_department

    unit_supervisor = django_user_model.objects.create(username="cd_sup", department=depts["BJ-CD"])
    unit_supervisor.groups.add(Group.objects.get(name="supervisor"))
    assert user_covers_every_department(users["admin"])
    assert user_covers_every_department(users["manager"]) and user_covers_every_department(users["agent"])
    assert not user_covers_every_department(unit_supervisor)
    assert not user_covers_every_department(users["handler2"])
    # a second company: nobody of the first covers everything any more (no scope short-cut)
    Department.objects.create(code="OTHER", name="另一公司", kind=Department.Kind.COMPANY)
    assert not user_covers_every_department(users["manager"])
    assert not user_covers_every_department(users["agent"])
    assert user_covers_every_department(users["admin"])
