"""The organisation tree (S-HIERARCHY) and the posts held in it.

A materialised path (django-treebeard MP_Node) makes "everything under this town" one indexed
prefix query on both SQLite and PostgreSQL. Shape rules live in branches/services.py.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from branches.enums import MEMBER_HOLDING_KINDS, Formation, OrganisationKind, PostKind, Sector


class OrganisationQuerySet(MP_NodeQuerySet):
    def active(self):
        return self.filter(dissolved_on__isnull=True)


class OrganisationManager(MP_NodeManager):
    def get_queryset(self):
        return OrganisationQuerySet(self.model).order_by("path")

    def active(self):
        return self.get_queryset().active()


class Organisation(MP_Node):
    """A party organisation: any node of the tree, from the work committee to a party group."""

    steplen = 4
    # Scoping (branches/scoping.py) filters every model by the path of its organisation.
    scope_path = "path"

    code = models.CharField(_("organisation code"), max_length=32, unique=True)
    name = models.CharField(_("full name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices, blank=True)
    formation = models.CharField(_("formation"), max_length=20, choices=Formation.choices, blank=True)
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)

    # The unit's figures read by the staff-ratio rules and the activity-fund formulas.
    staff_count = models.PositiveIntegerField(_("staff count"), null=True, blank=True)
    cadre_count = models.PositiveIntegerField(_("cadre count"), null=True, blank=True)
    employee_count = models.PositiveIntegerField(_("employee count"), null=True, blank=True)
    wage_bill = models.DecimalField(
        _("annual total wage bill (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    standard_wage_bill = models.DecimalField(
        _("annual standard wage bill (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    is_large_enterprise = models.BooleanField(_("large enterprise"), default=False)
    main_investor_is_secretary = models.BooleanField(_("main investor is the party secretary"), default=False)

    # Active members directly in this organisation, kept by members.services.member_counts_refresh
    # after every member write (and nightly), so subtree totals are a sum over organisations.
    member_count = models.PositiveIntegerField(_("active members"), default=0, editable=False)

    established_on = models.DateField(_("established on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    dissolution_reason = models.CharField(_("reason for dissolution"), max_length=200, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganisationManager()

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        indexes = [
            models.Index(fields=["kind", "sector"], name="org_kind_sector"),
            # Children of a node: depth = d and path LIKE 'prefix%' as one range scan (PostgreSQL;
            # other databases ignore the operator class).
            models.Index(
                fields=["depth", "path"], name="org_depth_path", opclasses=["int4_ops", "varchar_pattern_ops"]
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_dissolved(self) -> bool:
        return self.dissolved_on is not None

    @property
    def holds_members(self) -> bool:

        return self.kind in MEMBER_HOLDING_KINDS


class PostQuerySet(models.QuerySet):
    def active_on(self, day):
        """Posts held on a given day (start inclusive, end inclusive)."""
        return self.filter(started_on__lte=day).filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=day))

    def current(self):
        return self.filter(ended_on__isnull=True)


class Post(models.Model):
    """A post held by a member in an organisation, from a start date to an optional end date."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="posts", verbose_name=_("organisation")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="posts", verbose_name=_("member")
    )
    kind = models.CharField(_("post"), max_length=24, choices=PostKind.choices)
    is_full_time = models.BooleanField(_("full-time"), default=False)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["organisation_id", "kind", "started_on"]
        indexes = [models.Index(fields=["organisation", "kind", "ended_on"], name="post_org_kind_end")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="post_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} {self.get_kind_display()} {self.member}"
