from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.MemberUpdateView.as_view(), name="update"),
    path("<int:pk>/status/", views.MemberStatusView.as_view(), name="status"),
    path("<int:pk>/transfer/", views.MemberTransferView.as_view(), name="transfer"),
    path("new/in/<int:pk>/", views.MemberCreateView.as_view(), name="create"),
    path("<int:pk>/full/", views.MemberFullView.as_view(), name="full"),
    path("pipeline/<int:pk>/", views.PipelineView.as_view(), name="pipeline"),
    path("pipeline/<int:pk>/apply/", views.CandidateCreateView.as_view(), name="candidate_create"),
    path("candidates/<int:pk>/step/", views.CandidateStepView.as_view(), name="candidate_step"),
]
