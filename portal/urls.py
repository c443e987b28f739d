from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import views, views_audit

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/confirm/", views_audit.PasswordConfirmView.as_view(), name="password_confirm"),
    path("audit/", views_audit.AuditListView.as_view(), name="audit"),
    path("audit/<int:pk>/", views_audit.AuditEntryView.as_view(), name="audit_entry"),
    path("accounts/", views.AccountListView.as_view(), name="account_list"),
    path("accounts/new/", views.AccountCreateView.as_view(), name="account_create"),
    path("accounts/<int:pk>/edit/", views.AccountUpdateView.as_view(), name="account_update"),
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/export/", views.DashboardExportView.as_view(), name="dashboard_export"),
    path("policy/", views.PolicyView.as_view(), name="policy"),
    path("policy/new/", views.PolicyRevisionCreateView.as_view(), name="policy_revision_create"),
    path("policy/<int:pk>/", views.PolicyRevisionUpdateView.as_view(), name="policy_revision_update"),
    path("orgs/", include("branches.urls")),
    path("members/", include("members.urls")),
    path("assessments/", include("assessments.urls")),
    path("funding/", include("funding.urls")),
    path("ledgers/", include("portal.ledgers.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
