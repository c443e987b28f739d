from django.urls import path

from . import views

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
]
