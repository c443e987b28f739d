from django.contrib import admin

from assessments.models import Meeting, TrainingRecord
from core.admin import BureauModelAdmin


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
