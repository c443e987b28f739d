"""Funding ledgers (clauses F-* and N-DUES). Formulas live in funding/services, parameters in
portal/policy.py; money is Decimal with two places (yuan and fen)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from funding.enums import AidGroup, AidRecipient, DuesBasis, LiaisonPayment, ProjectState

MONEY = dict(max_digits=14, decimal_places=2)


RECORDED_BY = _("recorded by")


def _user(related_name="+", verbose_name=RECORDED_BY):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
    )


class ActivityFundBudget(models.Model):
    """F-ACTIVITY-*: a unit's party activity funds in its budget for a year, beside the wage bill
    the formula reads (the total wage bill, or the standard wage bill of a state-owned enterprise)."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    wage_bill = models.DecimalField(_("wage bill the formula reads (yuan)"), **MONEY)
    budget = models.DecimalField(_("activity funds in the budget (yuan)"), **MONEY)
    recorded_by = _user()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("activity fund budget")
        verbose_name_plural = _("activity fund budgets")
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="activity_budget_once")]
        indexes = [models.Index(fields=["year"], name="activity_budget_year")]

    def __str__(self):
        return f"{self.organisation} {self.year}"


class WelfareProject(models.Model):
    """F-WELFARE-FUND: a welfare project of a village or community, paid from its year's allocation."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("village or community")
    )
    year = models.PositiveSmallIntegerField(_("allocation year"))
    name = models.CharField(_("project"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    budget = models.DecimalField(_("budget (yuan)"), **MONEY)
    state = models.CharField(_("state"), max_length=10, choices=ProjectState.choices, default=ProjectState.PROPOSED)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = _user(verbose_name=_("decided by"))
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    recorded_by = _user()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("welfare project")
        verbose_name_plural = _("welfare projects")
        ordering = ["-year", "pk"]
        indexes = [models.Index(fields=["organisation", "year"], name="welfare_project_org_year")]

    def __str__(self):
        return self.name


class WelfarePayment(models.Model):
    """F-WELFARE-FUND: one payment to a project (按项目拨付), with its receipt."""

    scope_path = "project__organisation__path"

    project = models.ForeignKey(WelfareProject, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    payee = models.CharField(_("payee"), max_length=200)
    receipt_number = models.CharField(_("receipt number"), max_length=50)
    receipt = models.FileField(_("scanned receipt"), upload_to="welfare/%Y/", blank=True)
    recorded_by = _user()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("welfare payment")
        verbose_name_plural = _("welfare payments")
        ordering = ["paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="welfare_payment_positive")]

    def __str__(self):
        return f"{self.project} {self.amount}"


class VenueRewardPayment(models.Model):
    """F-VENUE-REWARD: the payment of an acceptance inspection's reward entitlement, made once."""

    scope_path = "inspection__venue__organisation__path"

    inspection = models.OneToOneField(
        "assessments.VenueInspection",
        on_delete=models.PROTECT,
        related_name="reward_payment",
        verbose_name=_("acceptance inspection"),
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    voucher_number = models.CharField(_("voucher number"), max_length=50)
    paid_by = _user(verbose_name=_("paid by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("venue reward payment")
        verbose_name_plural = _("venue reward payments")

    def __str__(self):
        return f"{self.inspection} {self.amount}"


class DuesBase(models.Model):
    """N-DUES: what a member's monthly dues are for a year: the basis, the declared monthly income
    (salary or pension) and the monthly amount computed from the parameters in force."""

    scope_path = "member__organisation__path"

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    year = models.PositiveSmallIntegerField(_("year"))
    basis = models.CharField(_("basis"), max_length=8, choices=DuesBasis.choices)
    monthly_income = models.DecimalField(_("monthly income after tax (yuan)"), null=True, blank=True, **MONEY)
    monthly_dues = models.DecimalField(_("monthly dues (yuan)"), max_digits=10, decimal_places=2)
    recorded_by = _user()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("dues base")
        verbose_name_plural = _("dues bases")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="dues_base_once")]

    def __str__(self):
        return f"{self.member} {self.year}"


class DuesPayment(models.Model):
    """N-DUES: a member's dues for one month, and the organisation that collected them."""

    scope_path = "organisation__path"

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("collected by")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month paid for."))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    recorded_by = _user()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dues payment")
        verbose_name_plural = _("dues payments")
        constraints = [
            models.UniqueConstraint(fields=["member", "month"], name="dues_month_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="dues_payment_positive"),
        ]
        indexes = [models.Index(fields=["organisation", "month"], name="dues_org_month")]

    def __str__(self):
        return f"{self.member} {self.month:%Y-%m}"


class DuesRefund(models.Model):
    """F-DUES-REFUND: dues a non-public enterprise's organisation handed in, refunded to it in full."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year of the dues"))
    amount = models.DecimalField(_("amount refunded (yuan)"), **MONEY)
    refunded_on = models.DateField(_("refunded on"))
    voucher_number = models.CharField(_("voucher number"), max_length=50)
    recorded_by = _user()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("dues refund")
        verbose_name_plural = _("dues refunds")
        ordering = ["refunded_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="dues_refund_positive")]

    def __str__(self):
        return f"{self.organisation} {self.year} {self.amount}"


class AidGrant(models.Model):
    """F-AID-FUND: a grant from the member aid fund to a member in hardship of an eligible group, or to
    the member's family."""

    scope_path = "member__organisation__path"

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    group = models.CharField(_("eligible as"), max_length=10, choices=AidGroup.choices)
    recipient = models.CharField(
        _("granted to"), max_length=10, choices=AidRecipient.choices, default=AidRecipient.MEMBER
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    granted_on = models.DateField(_("granted on"))
    reason = models.CharField(_("reason"), max_length=200)
    approved_by = _user(verbose_name=_("approved by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("aid grant")
        verbose_name_plural = _("aid grants")
        ordering = ["-granted_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="aid_grant_positive")]

    def __str__(self):
        return f"{self.member} {self.amount}"


class InstructorAllowance(models.Model):
    """F-LIAISON-FUND: an instructor's allowance for the months of a post (S-INSTRUCTOR)."""

    scope_path = "post__organisation__path"

    post = models.ForeignKey(
        "branches.Post", on_delete=models.PROTECT, related_name="+", verbose_name=_("instructor's post")
    )
    first_month = models.DateField(_("from month"))
    last_month = models.DateField(_("to month"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    recorded_by = _user()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("instructor's allowance")
        verbose_name_plural = _("instructors' allowances")
        ordering = ["-first_month", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="instructor_allowance_positive")]

    def __str__(self):
        return f"{self.post} {self.first_month:%Y-%m}"


class LiaisonFundPayment(models.Model):
    """F-LIAISON-FUND: a liaison group's work fund or its head's allowance, paid as a reward after
    the group's annual report for the year (the report is the evidence, linked, not retyped)."""

    scope_path = "organisation__path"

    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("liaison group")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("payment"), max_length=16, choices=LiaisonPayment.choices)
    report = models.ForeignKey(
        "assessments.AnnualReport", on_delete=models.PROTECT, related_name="+", verbose_name=_("annual report")
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    paid_on = models.DateField(_("paid on"))
    recorded_by = _user()
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("liaison fund payment")
        verbose_name_plural = _("liaison fund payments")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "kind"], name="liaison_payment_once"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="liaison_payment_positive"),
        ]

    def __str__(self):
        return f"{self.organisation} {self.year} {self.get_kind_display()}"
