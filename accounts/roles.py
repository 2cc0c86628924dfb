"""The six roles of design.md, kept as auth groups so administrators can see and audit them.

``ROLE_PERMISSIONS`` is the one place that says which model permissions each role's group holds;
``sync_role_groups`` applies it after every ``migrate`` (idempotent). Business rules about *who may
do what to which order* live in the lifecycle table; these permissions govern the admin and
reference data.
"""

from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENT = "agent", _("Call-center agent")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HANDLER = "handler", _("Handling department")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


# Who sees what (docs/decisions.md, "Scope"); each list is used wherever its question is asked.
# Agents and dispatchers cover their whole company (their department's root) ...
COMPANY_WIDE_ROLES = frozenset({Role.AGENT, Role.DISPATCHER})
# ... supervisors, managers and handlers their own department's subtree.
SUBTREE_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.HANDLER})
# Roles that see orders by the units and departments they cover (handlers: by assignment instead).
COMPANY_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER})
# Who takes complaints in (intake, urging from the intake page).
INTAKE_ROLES = frozenset({Role.AGENT})
# Who may look customers up and open the customer page (handlers reach customers through orders).
LOOKUP_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})
# Who sees the statistics: dashboard, pivot, reports and exports.
STATISTICS_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.SUPERVISOR})


# app_label.codename; codenames that do not exist (yet) are skipped.
ROLE_PERMISSIONS = {
    Role.AGENT: [
        "complaints.view_customer",
        "complaints.add_customer",
        "complaints.change_customer",
        "complaints.view_complaint",
        "complaints.add_complaint",
        "complaints.view_category",
        "workorders.view_workorder",
    ],
    Role.DISPATCHER: [
        "complaints.view_customer",
        "complaints.view_complaint",
        "complaints.view_category",
        "workorders.view_workorder",
        "accounts.view_department",
    ],
    Role.HANDLER: ["complaints.view_category", "workorders.view_workorder"],
    Role.SUPERVISOR: [
        "complaints.view_customer",
        "complaints.view_complaint",
        "complaints.view_category",
        "workorders.view_workorder",
        "accounts.view_department",
        "accounts.view_user",
    ],
    Role.MANAGER: [
        "complaints.view_customer",
        "complaints.view_complaint",
        "complaints.view_category",
        "workorders.view_workorder",
        "accounts.view_department",
        "accounts.view_user",
    ],
    Role.ADMIN: ["*"],
}


def sync_role_groups(sender=None, using="default", **kwargs):
    if sender is not None and kwargs.get("plan") is None:
        # post_migrate sent by `flush` (tests emptying the database), not by `migrate`: leave the
        # tables empty, or a test restoring its serialized snapshot would meet duplicate groups.
        return

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=role.value)
        if perms == ["*"]:
            wanted = Permission.objects.using(using).all()
        else:
            q = models.Q(pk__in=[])
            for perm in perms:
                app_label, codename = perm.split(".")
                q |= models.Q(content_type__app_label=app_label, codename=codename)
            wanted = Permission.objects.using(using).filter(q)
        group.permissions.set(wanted)
