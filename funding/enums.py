"""Choices of the funding app (names from docs/glossary.md; clauses F-* and N-DUES)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FundFormula(models.TextChoices):
    """Which activity-fund formula an organisation's unit falls under, by its sector."""

    AGENCY = "agency", _("Agencies and public institutions (F-ACTIVITY-AGENCY)")
    SOE = "soe", _("State-owned enterprises (F-ACTIVITY-SOE)")
    NON_PUBLIC = "non_public", _("Non-public enterprises (F-ACTIVITY-NONPUBLIC)")


class ProjectState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")


class DuesBasis(models.TextChoices):
    """N-DUES: what a member's monthly dues are computed on."""

    SALARY = "salary", _("Salary (in service)")
    PENSION = "pension", _("Pension (retired)")
    FLAT = "flat", _("Flat amount (student, unemployed, on relief)")
    FARMER = "farmer", _("Farmer (a chosen amount in the range)")


class AidGroup(models.TextChoices):
    """F-AID-FUND: the groups the member aid fund helps, each together with hardship now (目前生活困难).
    HARDSHIP is no group of its own (issue 14): it stays for grants recorded before, never offered."""

    PRE_1949 = "pre_1949", _("Joined before 1949")
    HONOURS = "honours", _("District-level or higher honours")
    BRAVERY = "bravery", _("Killed or disabled acting bravely")
    HARDSHIP = "hardship", _("In hardship (recorded before hardship was required with a group)")


class AidRecipient(models.TextChoices):
    """F-AID-FUND: "党员及家庭": the member, or the member's family (the only one for a member killed)."""

    MEMBER = "member", _("The member")
    FAMILY = "family", _("The member's family")


class LiaisonPayment(models.TextChoices):
    """F-LIAISON-FUND: what a liaison group is paid after its annual report."""

    WORK_FUND = "work_fund", _("Liaison group work fund")
    HEAD_ALLOWANCE = "head_allowance", _("Liaison group head's allowance")
