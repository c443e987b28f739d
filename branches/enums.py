"""Choices of the organisation tree (names from docs/glossary.md; clause S-HIERARCHY, S-SECTOR, S-FORMATION)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganisationKind(models.TextChoices):
    WORK_COMMITTEE = "work_committee", _("Work committee")
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", pgettext_lazy("organisation kind", "Branch")
    JOINT_BRANCH = "joint_branch", _("Joint branch")
    PARTY_GROUP = "party_group", _("Party group")
    LIAISON_GROUP = "liaison_group", _("Non-public liaison group")


class Sector(models.TextChoices):
    """S-SECTOR: the kind of unit an organisation is built in."""

    AGENCY = "agency", _("Agency")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    VILLAGE = "village", _("Village")
    COMMUNITY = "community", _("Community")
    TOWN = "town", _("Town")
    STREET = "street", _("Street (sub-district)")
    SOE = "soe", _("State-owned enterprise")
    NON_PUBLIC = "non_public", _("Non-public enterprise")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    SCHOOL = "school", _("School")
    INCUBATOR = "incubator", _("Incubator")


class Formation(models.TextChoices):
    """S-FORMATION: how a non-public or social organisation was formed."""

    STANDALONE = "standalone", _("Standalone")
    REGIONAL_JOINT = "regional_joint", _("Regional joint")
    INDUSTRY_WIDE = "industry_wide", _("Industry-wide")


class PostKind(models.TextChoices):
    """Posts that later rules count (Q-TOWN-PARTY-LEAD, Q-RESERVE-CADRES, Q-DEPUTY-SECRETARY, staff ratios)."""

    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")
    ORGANISATION_MEMBER = "organisation_member", _("Organisation committee member")
    PUBLICITY_MEMBER = "publicity_member", _("Publicity committee member")
    DISCIPLINE_MEMBER = "discipline_member", _("Discipline committee member")
    PARTY_AFFAIRS_STAFF = "party_affairs_staff", _("Party-affairs staff")
    POLITICAL_WORKER = "political_worker", _("Political worker")
    RESERVE_CADRE = "reserve_cadre", _("Reserve cadre")
    INSTRUCTOR = "instructor", _("Party-building instructor")
    FIRST_SECRETARY = "first_secretary", _("First secretary")
    PARTY_BUILDING_LEAD = "party_building_lead", _("Leadership member leading party building")


# Posts of the organisation's own committee: their holders are "leaders" for Q-TRAINING-LEADER
# and Q-LECTURE-SECRETARY.
COMMITTEE_POSTS = frozenset(
    {
        PostKind.SECRETARY,
        PostKind.DEPUTY_SECRETARY,
        PostKind.COMMITTEE_MEMBER,
        PostKind.ORGANISATION_MEMBER,
        PostKind.PUBLICITY_MEMBER,
        PostKind.DISCIPLINE_MEMBER,
    }
)

# Posts of which an organisation has at most one holder at a time.
SINGLE_HOLDER_POSTS = frozenset({PostKind.SECRETARY, PostKind.FIRST_SECRETARY})

# S-HIERARCHY: which kinds may stand directly under which.
ALLOWED_PARENT_KINDS = {
    OrganisationKind.WORK_COMMITTEE: frozenset(),
    OrganisationKind.PARTY_COMMITTEE: frozenset({OrganisationKind.WORK_COMMITTEE, OrganisationKind.PARTY_COMMITTEE}),
    OrganisationKind.LIAISON_GROUP: frozenset({OrganisationKind.WORK_COMMITTEE, OrganisationKind.PARTY_COMMITTEE}),
    OrganisationKind.GENERAL_BRANCH: frozenset(
        {OrganisationKind.WORK_COMMITTEE, OrganisationKind.PARTY_COMMITTEE, OrganisationKind.LIAISON_GROUP}
    ),
    OrganisationKind.BRANCH: frozenset(
        {
            OrganisationKind.WORK_COMMITTEE,
            OrganisationKind.PARTY_COMMITTEE,
            OrganisationKind.GENERAL_BRANCH,
            OrganisationKind.LIAISON_GROUP,
        }
    ),
    OrganisationKind.JOINT_BRANCH: frozenset(
        {
            OrganisationKind.WORK_COMMITTEE,
            OrganisationKind.PARTY_COMMITTEE,
            OrganisationKind.GENERAL_BRANCH,
            OrganisationKind.LIAISON_GROUP,
        }
    ),
    OrganisationKind.PARTY_GROUP: frozenset({OrganisationKind.BRANCH, OrganisationKind.JOINT_BRANCH}),
}

# Members belong to these kinds of organisation (a branch, joint branch or party group).
MEMBER_HOLDING_KINDS = frozenset({OrganisationKind.BRANCH, OrganisationKind.JOINT_BRANCH, OrganisationKind.PARTY_GROUP})

# 乡镇(街道): towns (乡镇, 镇) and streets (街道, sub-districts) where the opinion names both (Q-CONTACT-TOWN
# "镇、街", Q-TOWN-PARTY-LEAD "乡镇(街道)", Q-ANNUAL-REPORT); where it says 乡镇 alone (Q-TOWN-CONGRESS), towns only.
TOWN_SECTORS = frozenset({Sector.TOWN, Sector.STREET})

# Sectors whose organisations record a formation (S-FORMATION).
FORMATION_SECTORS = frozenset({Sector.NON_PUBLIC, Sector.SOCIAL_ORGANISATION})
