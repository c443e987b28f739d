from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("", views.MemberListView.as_view(), name="list"),
    path("export.xlsx", views.MemberExportView.as_view(), name="export"),
    path("import/", views.RosterImportView.as_view(), name="roster_import"),
    path("import/template.xlsx", views.RosterTemplateView.as_view(), name="roster_template"),
    path("import/<int:pk>/", views.RosterUploadView.as_view(), name="roster_upload"),
    path("import/<int:pk>/confirm/", views.RosterConfirmView.as_view(), name="roster_confirm"),
    path("import/<int:pk>/progress/", views.RosterProgressView.as_view(), name="roster_progress"),
    path("<int:pk>/", views.MemberDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.MemberUpdateView.as_view(), name="update"),
    path("<int:pk>/status/", views.MemberStatusView.as_view(), name="status"),
    path("<int:pk>/transfer/", views.MemberTransferView.as_view(), name="transfer"),
    path("new/in/<int:pk>/", views.MemberCreateView.as_view(), name="create"),
    path("<int:pk>/full/", views.MemberFullView.as_view(), name="full"),
    path("pipeline/<int:pk>/", views.PipelineView.as_view(), name="pipeline"),
    path("pipeline/<int:pk>/apply/", views.CandidateCreateView.as_view(), name="candidate_create"),
    path("candidates/<int:pk>/step/", views.CandidateStepView.as_view(), name="candidate_step"),
    path("<int:pk>/community/", views.CommunityRegisterView.as_view(), name="community_register"),
    path("community/<int:pk>/", views.CommunityView.as_view(), name="community"),
    path("community/registrations/<int:pk>/service/", views.CommunityServiceView.as_view(), name="community_service"),
    path("mobile/", views.MobileListView.as_view(), name="mobile_list"),
    path("mobile/zone/", views.MobileZoneView.as_view(), name="mobile_zone"),
    path("mobile/zone/export/", views.MobileExportView.as_view(), name="mobile_export"),
    path("mobile/org/<int:pk>/", views.MobileOrganisationView.as_view(), name="mobile_organisation"),
    path("mobile/<int:pk>/decision/", views.MobileDecisionView.as_view(), name="mobile_decision"),
    path("mobile/<int:pk>/dues/", views.MobileDuesView.as_view(), name="mobile_dues"),
    path("<int:pk>/mobile/", views.MobileOutflowView.as_view(), name="mobile_outflow"),
    path("mobile/inflow/in/<int:pk>/", views.MobileInflowView.as_view(), name="mobile_inflow"),
    path("mobile/<int:pk>/", views.MobileDetailView.as_view(), name="mobile_detail"),
    path("mobile/<int:pk>/return/", views.MobileReturnView.as_view(), name="mobile_return"),
]
