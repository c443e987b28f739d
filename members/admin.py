from django.contrib import admin

from portal.admin import BureauModelAdmin

from .models import Member


@admin.register(Member)
class MemberAdmin(BureauModelAdmin):
    list_display = ("name", "organisation", "category", "status")
    list_filter = ("category", "status")
    search_fields = ("name", "id_number")
    raw_id_fields = ("organisation",)
