from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .roles import Role
from .validators import phone_validator


class Department(models.Model):
    """A node of the organisation tree: company → supply unit → department → team.

    ``path`` is a materialised path of primary keys ("/1/4/9/"), kept by ``save()``, so that a
    subtree is one indexed ``path__startswith`` filter instead of a recursive query.
    """

    class Kind(models.TextChoices):
        COMPANY = "company", _("Company")
        SUPPLY_UNIT = "supply_unit", _("Supply unit")
        DEPARTMENT = "department", _("Department")
        TEAM = "team", _("Team")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=0)
    is_active = models.BooleanField(_("active"), default=True)
    leaders = models.ManyToManyField(
        "accounts.User",
        verbose_name=_("leaders"),
        blank=True,
        related_name="led_departments",
        help_text=_("Receive the fast SMS alerts for serious complaints of this unit."),
    )
    customer_count = models.PositiveIntegerField(
        _("customers served"),
        default=0,
        help_text=_("Used for complaints-per-10,000-customers ratios."),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.parent_id and self.pk and f"/{self.pk}/" in self.parent.path:
            raise ValueError("A department cannot be moved below itself.")
        with transaction.atomic():
            super().save(*args, **kwargs)
            path = self._expected_path()
            if path != self.path:
                old = self.path
                self.path, self.depth = path, path.count("/") - 2
                Department.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
                if old:
                    for child in Department.objects.filter(path__startswith=old).exclude(pk=self.pk):
                        child.path = path + child.path[len(old) :]
                        child.depth = child.path.count("/") - 2
                        child.save(update_fields=["path", "depth"])

    def _expected_path(self):
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.pk}/"

    def subtree(self):
        """This department and everything below it."""
        return Department.objects.filter(path__startswith=self.path)

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids of the department's ancestors and itself, root first (read from ``path``)."""
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def ancestors(self):
        return Department.objects.filter(pk__in=self.ancestor_ids).order_by("depth")

    @property
    def root_id(self):
        return self.ancestor_ids[0]

    @property
    def supply_unit(self):
        """The nearest ancestor (or self) that is a supply unit, else the company."""
        chain = list(self.ancestors())
        for node in reversed(chain):
            if node.kind == self.Kind.SUPPLY_UNIT:
                return node
        return chain[0]


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._saved_password = user.__dict__.get("password")  # None when the field was deferred
        return user

    def save(self, *args, **kwargs):
        """Saves; a new password hash (the password-change page, the admin, ``set_password``,
        ``changepassword``) revokes the user's API tokens, as it ends their other sessions."""
        update_fields = kwargs.get("update_fields")
        saved = getattr(self, "_saved_password", None)
        changed = (
            self.pk is not None
            and "password" in self.__dict__
            and (update_fields is None or "password" in update_fields)
            and (self._password is not None or (saved is not None and saved != self.password))
        )
        super().save(*args, **kwargs)
        self._saved_password = self.__dict__.get("password")
        if changed:
            from .services import api_tokens_revoke  # noqa: PLC0415 - services import this module

            api_tokens_revoke(user=self)

    @cached_property
    def roles(self) -> frozenset:
        """The user's role codes (a set: one person may hold several roles)."""
        names = set(self.groups.values_list("name", flat=True)) & set(Role.values)
        if self.is_superuser:
            names.add(Role.ADMIN)
        return frozenset(names)

    def has_role(self, *roles) -> bool:
        return any(role in self.roles for role in roles)


class DutyAssignment(models.Model):
    """One person on duty (值班) for one department on one day.

    Alerts on round-the-clock commitments (the dispatch and first-contact limits) that breach outside
    office hours go to the duty person of the order's department for that day, looked up the
    department tree, falling back to the department's leaders when nobody is on the roster.
    """

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="duty"
    )
    date = models.DateField(_("date"))
    user = models.ForeignKey(
        "accounts.User", verbose_name=_("person on duty"), on_delete=models.CASCADE, related_name="duty"
    )
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("duty assignment")
        verbose_name_plural = _("duty roster")
        ordering = ["-date", "department__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "date", "user"], name="one_duty_row_per_person_day"
            ),
        ]
        indexes = [models.Index(fields=["date", "department"], name="duty_by_day")]

    def __str__(self):
        return f"{self.date} {self.department}: {self.user}"
