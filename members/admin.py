from django.contrib import admin

from core.admin import BureauModelAdmin
from members.models import Member


@admin.register(Member)
class MemberAdmin(BureauModelAdmin):
    list_display = ("name", "organisation", "category", "status")
    list_filter = ("category", "status")
    search_fields = ("name", "id_number")
    raw_id_fields = ("organisation",)
