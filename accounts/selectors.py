"""Reads about people and the organisation; the one answer to "which departments does a user cover"."""

from django.db.models import Q, QuerySet

from .models import Department, User
from .roles import COMPANY_WIDE_ROLES, SUBTREE_ROLES, Role


def user_covered_departments(user: User, *, roles=None) -> QuerySet[Department]:
    """The departments whose work this user may see.

    - administrators: every department;
    - agents and dispatchers: the whole company their department belongs to;
    - supervisors and managers: their own department's subtree;
    - handlers: their own department and the teams below it.

    A user with several roles covers the union (or only that of ``roles`` when given). A user
    with no department covers nothing (administrators excepted).
    """
    if not user.is_authenticated or not user.is_active:
        return Department.objects.none()
    held = user.roles if roles is None else user.roles & set(roles)
    if Role.ADMIN in held:
        return Department.objects.all()
    dept = user.department
    if dept is None:
        return Department.objects.none()
    prefixes = set()
    if held & COMPANY_WIDE_ROLES:
        prefixes.add(f"/{dept.root_id}/")
    if held & SUBTREE_ROLES:
        prefixes.add(dept.path)
    if not prefixes:
        return Department.objects.none()
    q = Q()
    for prefix in prefixes:
        q |= Q(path__startswith=prefix)
    return Department.objects.filter(q)


def _memo(user: User, name: str, roles, compute):
    """Remember a scope answer on the user object (one request's user, one task's user): a page
    asks it for the list, every queue badge and the inbox. The key holds what the answer depends
    on (the roles asked about, the user's roles and department), so a changed user is asked anew."""
    memo = user.__dict__.setdefault("_scope_memo", {})
    key = (name, None if roles is None else frozenset(roles), frozenset(user.roles), user.department_id)
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def user_covered_department_ids(user: User, *, roles=None) -> frozenset[int]:
    """The ids of ``user_covered_departments``, read once per user object.

    Scope filters use these as literal ids rather than a subquery: PostgreSQL cannot estimate a
    ``path LIKE`` subquery (it guessed 1 department for 2, then 78,000 assignments for 310,000)
    and built a hash of every assignment of the department (90 ms) where probing the index for
    the page's orders takes 1 ms."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return _memo(
        user,
        "covered",
        roles,
        lambda: frozenset(user_covered_departments(user, roles=roles).values_list("pk", flat=True)),
    )


def user_covers_every_department(user: User, *, roles=None) -> bool:
    """True when ``user_covered_departments`` is every department: an administrator, or a role
    that covers the whole company (or the root's subtree) when the root is the only company. One
    small indexed query instead of counting both sets."""
    if not user.is_authenticated or not user.is_active:
        return False
    held = user.roles if roles is None else user.roles & set(roles)
    if Role.ADMIN in held:
        return True
    dept = user.department
    if dept is None:
        return False
    company_wide = bool(held & COMPANY_WIDE_ROLES)
    root_subtree = bool(held & SUBTREE_ROLES) and dept.parent_id is None
    if not (company_wide or root_subtree):
        return False
    return not Department.objects.filter(parent__isnull=True).exclude(pk=dept.root_id).exists()


def user_covers_department(user: User, department: Department | None) -> bool:
    if department is None:
        return False
    return user_covered_departments(user).filter(pk=department.pk).exists()


def department_tree(*, root: Department | None = None) -> QuerySet[Department]:
    qs = Department.objects.filter(is_active=True)
    if root is not None:
        qs = qs.filter(path__startswith=root.path)
    return qs.order_by("path")
