from django.urls import path

from assessments.views import compliance, records, weak

app_name = "assessments"

urlpatterns = [
    path("year/<int:pk>/<year:year>/", records.YearView.as_view(), name="year"),
    path("meetings/new/<int:pk>/", records.MeetingCreateView.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", records.MeetingDetailView.as_view(), name="meeting"),
    path("meetings/<int:pk>/edit/", records.MeetingUpdateView.as_view(), name="meeting_update"),
    path("attachments/<int:pk>/", records.AttachmentView.as_view(), name="attachment"),
    path("training/batch/<int:pk>/", records.TrainingBatchView.as_view(), name="training_batch"),
    path("training/member/<int:pk>/<year:year>/", records.MemberStudyView.as_view(), name="member_study"),
    path("training/entries/<int:pk>/delete/", records.TrainingRecordDeleteView.as_view(), name="training_delete"),
    path("talks/<int:pk>/<year:year>/", records.TalksView.as_view(), name="talks"),
    path("talks/new/<int:pk>/", records.TalksCreateView.as_view(), name="talks_create"),
    path("evaluations/<int:pk>/<year:year>/", records.EvaluationView.as_view(), name="evaluation"),
    path("evaluations/<int:pk>/<year:year>/edit/", records.EvaluationEditView.as_view(), name="evaluation_edit"),
    path("venues/<int:pk>/", records.VenueListView.as_view(), name="venues"),
    path("venues/new/<int:pk>/", records.VenueCreateView.as_view(), name="venue_create"),
    path("venues/v/<int:pk>/", records.VenueDetailView.as_view(), name="venue"),
    path("venues/v/<int:pk>/standards/", records.VenueChecksView.as_view(), name="venue_checks"),
    path("venues/v/<int:pk>/inspect/", records.VenueInspectView.as_view(), name="venue_inspect"),
    path("venues/photos/<int:pk>/", records.VenuePhotoView.as_view(), name="venue_photo"),
    path("leadership/<int:pk>/<year:year>/", records.LeadershipView.as_view(), name="leadership"),
    path("leadership/days/<int:pk>/", records.LeadershipDaysCreateView.as_view(), name="leadership_days"),
    path("leadership/pledges/<int:pk>/", records.IntegrityPledgeCreateView.as_view(), name="pledge_create"),
    path("leadership/decisions/<int:pk>/", records.MajorDecisionCreateView.as_view(), name="decision_create"),
    path("deliberations/<int:pk>/", records.VillageMattersView.as_view(), name="deliberations"),
    path("deliberations/new/<int:pk>/", records.VillageMatterCreateView.as_view(), name="deliberation_create"),
    path("deliberations/matters/<int:pk>/", records.VillageMatterView.as_view(), name="deliberation"),
    path("reports/<int:pk>/<year:year>/", records.ReportsView.as_view(), name="reports"),
    path("reports/<int:pk>/<year:year>/new/", records.AnnualReportCreateView.as_view(), name="report_create"),
    path("reports/file/<int:pk>/", records.AnnualReportFileView.as_view(), name="report_file"),
    path("congress/<int:pk>/new/", records.CongressSessionCreateView.as_view(), name="congress_create"),
    path("partnerships/<int:pk>/", records.PartnershipsView.as_view(), name="partnerships"),
    path("partnerships/<int:pk>/pairings/new/", records.PairingCreateView.as_view(), name="pairing_create"),
    path("partnerships/<int:pk>/grid/new/", records.GridUnitCreateView.as_view(), name="grid_create"),
    path(
        "partnerships/<int:pk>/double-strong/new/", records.DoubleStrongApplyView.as_view(), name="double_strong_apply"
    ),
    path("double-strong/<int:pk>/decide/", records.DoubleStrongDecideView.as_view(), name="double_strong_decide"),
    # The compliance check (issue 6).
    path("compliance/rules/", compliance.RulesView.as_view(), name="rules"),
    path("compliance/runs/", compliance.RunsView.as_view(), name="runs"),
    path("compliance/runs/<int:pk>/progress/", compliance.RunProgressView.as_view(), name="run_progress"),
    path("compliance/findings/", compliance.FindingListView.as_view(), name="findings"),
    path("compliance/findings/export/", compliance.FindingExportView.as_view(), name="findings_export"),
    path("compliance/findings/<int:pk>/", compliance.FindingDetailView.as_view(), name="finding"),
    path("compliance/organisations/<int:pk>/", compliance.OrganisationFindingsView.as_view(), name="org_findings"),
    path("performance/<int:pk>/<year:year>/", compliance.PerformanceView.as_view(), name="performance"),
    # The weak organisations (Q-WEAK-*).
    path("weak/<int:pk>/<year:year>/", weak.WeakYearView.as_view(), name="weak_year"),
    path("weak/propose/<int:year>/", weak.WeakProposeView.as_view(), name="weak_propose"),
    path("weak/selections/<int:pk>/", weak.RectificationView.as_view(), name="weak_rectification"),
    path("weak/selections/<int:pk>/decide/", weak.WeakDecideView.as_view(), name="weak_decide"),
    path("weak/selections/<int:pk>/remedies/new/", weak.RemedyAddView.as_view(), name="weak_remedy"),
    path("weak/selections/<int:pk>/notes/new/", weak.NoteAddView.as_view(), name="weak_note"),
    path("weak/selections/<int:pk>/verdict/", weak.VerdictView.as_view(), name="weak_verdict"),
]
