from django.urls import path

from . import views, views_compliance, views_weak

app_name = "assessments"

urlpatterns = [
    path("year/<int:pk>/<int:year>/", views.YearView.as_view(), name="year"),
    path("meetings/new/<int:pk>/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting"),
    path("meetings/<int:pk>/edit/", views.MeetingUpdateView.as_view(), name="meeting_update"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("training/batch/<int:pk>/", views.TrainingBatchView.as_view(), name="training_batch"),
    path("training/member/<int:pk>/<int:year>/", views.MemberStudyView.as_view(), name="member_study"),
    path("training/entries/<int:pk>/delete/", views.TrainingRecordDeleteView.as_view(), name="training_delete"),
    path("talks/<int:pk>/<int:year>/", views.TalksView.as_view(), name="talks"),
    path("talks/new/<int:pk>/", views.TalksCreateView.as_view(), name="talks_create"),
    path("evaluations/<int:pk>/<int:year>/", views.EvaluationView.as_view(), name="evaluation"),
    path("evaluations/<int:pk>/<int:year>/edit/", views.EvaluationEditView.as_view(), name="evaluation_edit"),
    path("venues/<int:pk>/", views.VenueListView.as_view(), name="venues"),
    path("venues/new/<int:pk>/", views.VenueCreateView.as_view(), name="venue_create"),
    path("venues/v/<int:pk>/", views.VenueDetailView.as_view(), name="venue"),
    path("venues/v/<int:pk>/standards/", views.VenueChecksView.as_view(), name="venue_checks"),
    path("venues/v/<int:pk>/inspect/", views.VenueInspectView.as_view(), name="venue_inspect"),
    path("venues/photos/<int:pk>/", views.VenuePhotoView.as_view(), name="venue_photo"),
    path("leadership/<int:pk>/<int:year>/", views.LeadershipView.as_view(), name="leadership"),
    path("leadership/days/<int:pk>/", views.LeadershipDaysCreateView.as_view(), name="leadership_days"),
    path("leadership/pledges/<int:pk>/", views.IntegrityPledgeCreateView.as_view(), name="pledge_create"),
    path("leadership/decisions/<int:pk>/", views.MajorDecisionCreateView.as_view(), name="decision_create"),
    path("deliberations/<int:pk>/", views.VillageMattersView.as_view(), name="deliberations"),
    path("deliberations/new/<int:pk>/", views.VillageMatterCreateView.as_view(), name="deliberation_create"),
    path("deliberations/matters/<int:pk>/", views.VillageMatterView.as_view(), name="deliberation"),
    path("reports/<int:pk>/<int:year>/", views.ReportsView.as_view(), name="reports"),
    path("reports/<int:pk>/<int:year>/new/", views.AnnualReportCreateView.as_view(), name="report_create"),
    path("reports/file/<int:pk>/", views.AnnualReportFileView.as_view(), name="report_file"),
    path("congress/<int:pk>/new/", views.CongressSessionCreateView.as_view(), name="congress_create"),
    path("partnerships/<int:pk>/", views.PartnershipsView.as_view(), name="partnerships"),
    path("partnerships/<int:pk>/pairings/new/", views.PairingCreateView.as_view(), name="pairing_create"),
    path("partnerships/<int:pk>/grid/new/", views.GridUnitCreateView.as_view(), name="grid_create"),
    path("partnerships/<int:pk>/double-strong/new/", views.DoubleStrongApplyView.as_view(), name="double_strong_apply"),
    path("double-strong/<int:pk>/decide/", views.DoubleStrongDecideView.as_view(), name="double_strong_decide"),
]

# The compliance check (issue 6) and the weak organisations (Q-WEAK-*).
urlpatterns += views_compliance.urlpatterns + views_weak.urlpatterns
