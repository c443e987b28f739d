"""Members as Chinese rosters (党员花名册) carry them, and the history of each record.

A member record is never deleted and never silently overwritten: every change goes through
members/services.py, which writes a MemberEvent with what changed. Who holds a post (secretary,
committee member) is not a field here: it comes from branches.Post.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from members.enums import (
    ETHNICITY_CHOICES,
    ContactMeans,
    DevelopmentStage,
    Education,
    Gender,
    LifeStatus,
    LostContactDecision,
    MemberCategory,
    MemberEventKind,
    MemberStatus,
    TransferKind,
)

# F-AID-FUND: members who joined before the founding of the People's Republic.
PRC_FOUNDED = datetime.date(1949, 10, 1)


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=MemberStatus.ACTIVE)


class Member(models.Model):
    """A party member, belonging to a branch, joint branch or party group."""

    scope_path = "organisation__path"

    name = models.CharField(_("name"), max_length=50)
    # Pinyin of the name, filled by the services: sorting and search by initials ("zs" for 张三).
    name_pinyin = models.CharField(_("pinyin"), max_length=200, blank=True, editable=False)
    name_initials = models.CharField(_("pinyin initials"), max_length=20, blank=True, editable=False)
    id_number = models.CharField(_("ID number"), max_length=18)
    # The last six characters reversed, so "ends with 1234" is an indexed prefix match.
    id_tail_reversed = models.CharField(max_length=6, blank=True, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNICITY_CHOICES, default="01")
    birth_date = models.DateField(_("birth date"))
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    organisation = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        related_name="members",
        db_index=False,
        verbose_name=_("organisation"),
    )
    category = models.CharField(
        _("category"), max_length=16, choices=MemberCategory.choices, default=MemberCategory.FULL
    )
    status = models.CharField(_("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    full_member_on = models.DateField(_("full membership on"), null=True, blank=True)
    # A probationary member's year ends one year after admission (N-DEVELOPMENT), or later when extended.
    probation_ends_on = models.DateField(_("probation ends on"), null=True, blank=True)
    work_unit = models.CharField(_("work unit"), max_length=200, blank=True)
    job_title = models.CharField(_("post in the work unit"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    household_registration = models.CharField(_("household registration"), max_length=200, blank=True)
    residence = models.CharField(_("residence"), max_length=200, blank=True)
    life_status = models.CharField(
        _("life status"), max_length=16, choices=LifeStatus.choices, default=LifeStatus.IN_SERVICE
    )
    # F-AID-FUND groups that records cannot derive.
    has_district_honours = models.BooleanField(_("district-level or higher honours"), default=False)
    disabled_or_killed_bravely = models.BooleanField(_("disabled or killed acting bravely"), default=False)
    in_hardship = models.BooleanField(_("in hardship"), default=False)

    # The roster row this record was last written from by an import, and the transaction that wrote
    # it ("<row digest>:<xid>", PostgreSQL): while the record's row version (xmin) is still that
    # transaction's, nothing has changed it since, and the same row imported again says nothing new
    # (a re-import counts it unchanged without reading its cells; issue 16). Any later write, by
    # any means, changes the row version and so retires the fingerprint.
    roster_row = models.CharField(max_length=40, blank=True, default="", db_default="", editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name_pinyin", "pk"]
        indexes = [
            # Every index costs a bulk import time (issue 16: each of the 1,000,000-member zone's
            # indexes adds some 0.3-0.7 s to a 100,000-row import): the organisation's own index is
            # this one's first column; ID numbers are matched whole (no prefix index) through the
            # unique index below, which leads with them; the list filtered by category (probationary
            # members are a few per cent) walks the status-and-pinyin index, which finds its 50 rows
            # in a few thousand entries.
            models.Index(fields=["organisation", "status"], name="member_org_status"),
            models.Index(fields=["status", "name_pinyin", "id"], name="member_status_pinyin"),
            models.Index(fields=["name"], name="member_name", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_initials"], name="member_initials", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["id_tail_reversed"], name="member_id_tail", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            # One active member per ID number, as one index that every lookup by ID number (of any
            # status) also uses: an active member's second key is 0, shared by all active members
            # of the number; anyone else's is their own key, never shared. (A partial unique index
            # beside a plain one did the same with two indexes to keep up on every import.)
            models.UniqueConstraint(
                "id_number",
                models.Case(
                    models.When(status=MemberStatus.ACTIVE, then=models.Value(0)),
                    default="id",
                    output_field=models.BigIntegerField(),
                ),
                name="member_one_active_per_id_number",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def joined_before_prc(self) -> bool:
        return self.joined_on is not None and self.joined_on < PRC_FOUNDED


class MemberEvent(models.Model):
    """One change of a member record: who, when, what (before and after), why.

    The history is written by the services alone and never changed, up to 100,000 rows at once by
    a roster import: the database does not check its two references row by row (0.8 s of such an
    import's confirmation, issue 16), as Django's own admin log keeps the object it names by key.
    The ORM still refuses to delete a member with history (PROTECT) and clears a deleted recorder
    (SET_NULL); the nightly `members.member_history_check` reports a row whose member or recorder
    is gone (selectors.member_history_orphans)."""

    scope_path = "member__organisation__path"

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="events", db_constraint=False, verbose_name=_("member")
    )
    kind = models.CharField(_("event"), max_length=20, choices=MemberEventKind.choices)
    effective_on = models.DateField(_("effective on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # {"field": [before, after]} in display form, so the history reads without the old choices.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member event")
        verbose_name_plural = _("member events")
        ordering = ["member_id", "-recorded_at", "-pk"]

    def __str__(self):
        return f"{self.member} {self.get_kind_display()} {self.effective_on}"


class MembershipQuerySet(models.QuerySet):
    def on(self, day: datetime.date):
        """Spans that cover a day: started on or before it (or unknown), not ended before it."""
        return self.filter(models.Q(started_on__isnull=True) | models.Q(started_on__lte=day)).filter(
            models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=day)
        )


class Membership(models.Model):
    """A span of a member's belonging to one organisation: answers "whose member on that date".

    Opened when a member is recorded or transferred in, closed by a transfer or a status change.
    A start left empty means "since before the portal's records".
    """

    scope_path = "organisation__path"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="memberships")
    # Not indexed alone: membership_org_end leads with it.
    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="memberships", db_index=False
    )
    started_on = models.DateField(_("since"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["member_id", "started_on"]
        indexes = [models.Index(fields=["organisation", "ended_on"], name="membership_org_end")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(ended_on__isnull=True), name="membership_one_open_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.organisation} {self.started_on or ''}–{self.ended_on or ''}"


class Transfer(models.Model):
    """组织关系转接: a member's organisational relationship moved, with its letter."""

    scope_path = "member__organisation__path"

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("member"))
    kind = models.CharField(_("kind of transfer"), max_length=8, choices=TransferKind.choices)
    from_organisation = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from"),
    )
    to_organisation = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to"),
    )
    external_organisation = models.CharField(_("organisation outside the zone"), max_length=200, blank=True)
    letter_number = models.CharField(_("letter number"), max_length=50)
    transferred_on = models.DateField(_("transferred on"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["member_id", "transferred_on", "pk"]

    def __str__(self):
        return f"{self.member} {self.letter_number}"


class Candidate(models.Model):
    """Someone on the way into the party (S-DEVELOPMENT): applicant, activist, development target.

    Admission creates the Member record (probationary) from what is already here, so nothing is
    typed twice.
    """

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="candidates", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    work_unit = models.CharField(_("work unit"), max_length=200, blank=True)
    stage = models.CharField(
        _("stage"), max_length=12, choices=DevelopmentStage.choices, default=DevelopmentStage.APPLICANT
    )
    applied_on = models.DateField(_("application submitted on"))
    talked_on = models.DateField(_("talk held on"), null=True, blank=True)
    talked_by = models.CharField(_("talk held by"), max_length=50, blank=True)
    activist_on = models.DateField(_("activist since"), null=True, blank=True)
    reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)
    target_on = models.DateField(_("development target since"), null=True, blank=True)
    introducers = models.ManyToManyField(Member, blank=True, related_name="introduced", verbose_name=_("introducers"))
    admitted_on = models.DateField(_("admitted on"), null=True, blank=True)
    # N-DEVELOPMENT: the higher party committee's approval of the admission (上级党委审批), due within 3 months.
    approved_on = models.DateField(_("approved by the higher party committee on"), null=True, blank=True)
    member = models.OneToOneField(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="candidacy", verbose_name=_("member")
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("development candidate")
        verbose_name_plural = _("development candidates")
        ordering = ["organisation_id", "applied_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=models.Q(stage__in=["applicant", "activist", "target"]),
                name="candidate_one_open_per_id_number",
            ),
        ]

    def __str__(self):
        return self.name


class MobileRecord(models.Model):
    """流动党员 (S-MOBILE, N-MOBILE): a member away from their branch for six months or more without
    transferring. Out-flow: a member of the zone (`member`) whose relationship stays with
    `home_organisation`. In-flow: someone whose relationship stays outside the zone (name, ID number,
    `home_organisation_name`) taking part in `receiving_organisation`. Both the home and the
    receiving organisation see the record.
    """

    scope_path = ("home_organisation__path", "receiving_organisation__path")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="mobile_records", verbose_name=_("member")
    )
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    home_organisation = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home organisation"),
    )
    home_organisation_name = models.CharField(_("home organisation outside the zone"), max_length=200, blank=True)
    # The depth-2 organisations (a town or street, or a system, enterprise or school beside them) above the
    # home and the receiving organisation, kept by the services (members.mobile.mobile_towns_fill, also
    # after a move of the tree): the bureau's view groups the records by them without joining the tree.
    home_town = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
        verbose_name=_("town of the home organisation"),
    )
    receiving_town = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
        verbose_name=_("town of the receiving organisation"),
    )
    receiving_organisation = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving organisation"),
    )
    receiving_organisation_name = models.CharField(
        _("receiving organisation outside the zone"), max_length=200, blank=True
    )
    place = models.CharField(_("where the member is"), max_length=200)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    activity_card_number = models.CharField(_("activity card number"), max_length=50, blank=True)
    since = models.DateField(_("away since"))
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    # The latest contact on record, kept by `mobile_contact_record` (the lists and N-MOBILE read it
    # without grouping the contacts).
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    # N-MOBILE: the home branch's decision about a member it could not reach; it ends the duty.
    decision = models.CharField(
        _("decision on the lost contact"), max_length=16, choices=LostContactDecision.choices, blank=True
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_notes = models.CharField(_("notes on the decision"), max_length=300, blank=True)
    # N-DUES: a mobile member pays the home branch, or the receiving one where both agreed.
    dues_to_receiving = models.BooleanField(_("dues paid to the receiving organisation"), default=False)
    dues_agreement = models.CharField(_("dues agreement"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mobile member record")
        verbose_name_plural = _("mobile member records")
        ordering = ["since", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(returned_on__isnull=True), name="mobile_one_open_per_member"
            ),
        ]
        # The lists of open records, longest without contact first (members.mobile.mobile_list): read in
        # index order, a page of 50 costs 50 rows at any size of the zone.
        indexes = [
            models.Index(
                Coalesce("last_contact_on", "since"),
                "id",
                condition=models.Q(returned_on__isnull=True),
                name="mobile_open_reached",
            ),
            # The bureau's view (members.mobile.mobile_zone) groups the open records by the towns kept on
            # them, by home organisation and by place: read from these indexes alone (PostgreSQL; SQLite
            # builds them without the included columns).
            models.Index(
                fields=["home_town", "home_organisation"],
                include=["decision", "last_contact_on", "since", "receiving_organisation", "id"],
                condition=models.Q(returned_on__isnull=True, member__isnull=False),
                name="mobile_open_out_town",
            ),
            models.Index(
                fields=["receiving_town"],
                include=["id"],
                condition=models.Q(returned_on__isnull=True, receiving_organisation__isnull=False),
                name="mobile_open_in_town",
            ),
            models.Index(
                fields=["place"],
                include=["id"],
                condition=models.Q(returned_on__isnull=True, member__isnull=False, receiving_organisation__isnull=True),
                name="mobile_open_out_place",
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.place}"

    @property
    def is_inflow(self) -> bool:
        return self.member_id is None


class MobileContact(models.Model):
    """One contact the organisation made with a mobile member."""

    scope_path = ("record__home_organisation__path", "record__receiving_organisation__path")

    record = models.ForeignKey(MobileRecord, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField(_("contacted on"))
    means = models.CharField(_("means"), max_length=10, choices=ContactMeans.choices)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contact with a mobile member")
        verbose_name_plural = _("contacts with mobile members")
        ordering = ["-contacted_on", "-pk"]

    def __str__(self):
        return f"{self.record} {self.contacted_on}"


class CommunityRegistration(models.Model):
    """在职党员到社区报到 (Q-COMMUNITY-SERVICE): an in-service member registers with the community where
    they live; both the member's branch and the community see it."""

    scope_path = ("member__organisation__path", "community__path")

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="community_registrations", verbose_name=_("member")
    )
    community = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        related_name="registered_members",
        verbose_name=_("community"),
    )
    registered_on = models.DateField(_("registered on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("community registration")
        verbose_name_plural = _("community registrations")
        ordering = ["community_id", "registered_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=models.Q(ended_on__isnull=True), name="community_one_open_per_member"
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.community}"


class CommunityService(models.Model):
    """Hours of service a registered member gave in the community; they count in the annual evaluation."""

    scope_path = ("registration__member__organisation__path", "registration__community__path")

    registration = models.ForeignKey(CommunityRegistration, on_delete=models.PROTECT, related_name="services")
    served_on = models.DateField(_("served on"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    activity = models.CharField(_("activity"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("community service")
        verbose_name_plural = _("community services")
        ordering = ["-served_on", "-pk"]

    def __str__(self):
        return f"{self.registration} {self.served_on} {self.hours}"


class RosterUpload(models.Model):
    """An uploaded roster file between its preview and its import (the file is kept as uploaded).

    Checking and importing run as Celery tasks (in-process without a broker); `state` says where
    the upload is, and the page shows the task's progress meanwhile."""

    class State(models.TextChoices):
        CHECKING = "checking", _("Checking")
        CHECKED = "checked", _("Checked")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
        help_text=_("Rows without an organisation code go here."),
    )
    file = models.FileField(_("file"), upload_to="rosters/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    counts = models.JSONField(_("counts"), default=dict)
    errors = models.JSONField(_("errors"), default=list)
    # Who the preview names: the first new and changed rows (members.imports.ImportPlan.listing).
    listing = models.JSONField(_("listed rows"), default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    written = models.JSONField(_("written"), default=dict)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.CHECKING)
    failure = models.TextField(_("failure"), blank=True)
    # The checked rows, signed, so the confirmation need not parse and check the file again.
    checked = models.FileField(upload_to="rosters/%Y/%m/", blank=True)

    class Meta:
        verbose_name = _("roster upload")
        verbose_name_plural = _("roster uploads")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.file_name
