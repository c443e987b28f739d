"""Members. The foundation keeps the minimal record posts need; the members issue completes it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .enums import Gender, MemberCategory, MemberStatus


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=MemberStatus.ACTIVE)


class Member(models.Model):
    """A party member, belonging to a branch, joint branch or party group."""

    scope_path = "organisation__path"

    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    organisation = models.ForeignKey(
        "branches.Organisation", on_delete=models.PROTECT, related_name="members", verbose_name=_("organisation")
    )
    category = models.CharField(
        _("category"), max_length=16, choices=MemberCategory.choices, default=MemberCategory.FULL
    )
    status = models.CharField(_("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["organisation_id", "name"]
        indexes = [models.Index(fields=["organisation", "status"], name="member_org_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=models.Q(status=MemberStatus.ACTIVE),
                name="member_one_active_per_id_number",
            ),
        ]

    def __str__(self):
        return self.name
