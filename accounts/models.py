import hashlib
import secrets

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


class Open311Client(models.Model):
    """A city platform (a 12345 hotline, a city's Open311 hub) that files and follows complaints
    through Open311 GeoReport v2 (``complaints/open311/``), with an API key of its own.

    The plain key is never stored: only its SHA-256 (the key is 240 random bits, so a fast hash is
    enough) and its first characters, to recognise it in the admin. ``issue_key()`` makes a new
    key and returns it: the admin shows it once, on creation or when a new one is issued.

    Each client files its complaints as its own service account (``user``: inactive, no password
    and no role, so it can never sign in or see anything), named after the client: the orders'
    "received by" and their timeline say which platform sent them, and the client reads back only
    the orders that account received (complaints/open311/selectors.py).
    """

    class Channel(models.TextChoices):  # a subset of complaints.models.Channel (accounts comes first)
        GOV_12345 = "gov_12345", _("12345 government hotline")
        OTHER = "other", _("Other")

    KEY_PREFIX = "o311_"

    name = models.CharField(_("name"), max_length=100, unique=True)
    channel = models.CharField(
        _("channel"),
        max_length=20,
        choices=Channel.choices,
        default=Channel.GOV_12345,
        help_text=_("The intake channel of the complaints this platform files."),
    )
    company = models.ForeignKey(
        Department,
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"parent__isnull": True},
        help_text=_(
            "The company whose orders its complaints become when the customer's supply unit is not "
            "known; blank: the first company."
        ),
    )
    key_prefix = models.CharField(_("key begins with"), max_length=16, editable=False, blank=True)
    key_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    user = models.OneToOneField(
        User,
        verbose_name=_("service account"),
        null=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="open311_client",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        """Saves, and keeps the service account in step (its name and company)."""
        with transaction.atomic():
            user = self.user
            if user is None:
                user = User(username=f"open311-{secrets.token_hex(6)}", is_active=False)
                user.set_unusable_password()
            user.display_name = f"Open311 · {self.name}"[:60]
            user.department = self.company
            user.save()
            self.user = user
            super().save(*args, **kwargs)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def for_key(cls, key: str):
        """The active client holding ``key``, or None."""
        if not key or not key.startswith(cls.KEY_PREFIX) or len(key) > 100:
            return None
        return cls.objects.select_related("user").filter(key_hash=cls.hash_key(key), is_active=True).first()

    def issue_key(self) -> str:
        """Give the client a new key (the old one stops working once saved) and return it: the only
        moment the plain key exists. The caller saves the client."""
        key = self.KEY_PREFIX + secrets.token_urlsafe(30)
        self.key_hash = self.hash_key(key)
        self.key_prefix = key[: len(self.KEY_PREFIX) + 4]
        return key
