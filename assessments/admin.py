from django.contrib import admin

from portal.admin import BureauModelAdmin

from .models import Meeting, TrainingRecord


@admin.register(Meeting)
class MeetingAdmin(BureauModelAdmin):
    list_display = ("held_on", "organisation", "kind", "topic")
    list_filter = ("kind",)
    raw_id_fields = ("organisation", "chaired_by", "lecturer")
    date_hierarchy = "held_on"


@admin.register(TrainingRecord)
class TrainingRecordAdmin(BureauModelAdmin):
    list_display = ("held_on", "member", "title", "hours")
    list_filter = ("kind",)
    raw_id_fields = ("organisation", "member")
