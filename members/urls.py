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
]
