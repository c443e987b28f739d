from django.contrib import admin

from branches.models import Organisation, Post
from core.admin import BureauModelAdmin


@admin.register(Organisation)
class OrganisationAdmin(BureauModelAdmin):
    list_display = ("code", "name", "kind", "sector", "depth", "dissolved_on")
    list_filter = ("kind", "sector")
    search_fields = ("code", "name")
    # The tree's own fields change only through branches.services (move keeps paths consistent).
    readonly_fields = ("path", "depth", "numchild", "created_at", "updated_at")


@admin.register(Post)
class PostAdmin(BureauModelAdmin):
    list_display = ("organisation", "kind", "member", "started_on", "ended_on")
    list_filter = ("kind",)
    raw_id_fields = ("organisation", "member")
