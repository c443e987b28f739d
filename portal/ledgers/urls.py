from django.urls import path

from portal.ledgers import views

app_name = "ledgers"

urlpatterns = [
    path("record-book/<int:pk>/<year:year>/", views.RecordBookView.as_view(), name="record_book"),
    path("year/<int:pk>/<year:year>/", views.YearLedgerView.as_view(), name="year_ledger"),
    path("member/<int:pk>/", views.MemberCardView.as_view(), name="member_card"),
    path("subtree/<int:pk>/<year:year>/", views.SubtreeView.as_view(), name="subtree"),
    path("subtree/<int:pk>/<year:year>/progress/", views.SubtreeProgressView.as_view(), name="subtree_progress"),
]
