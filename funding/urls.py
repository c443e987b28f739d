"""The funding pages (clauses F-* and N-DUES): every route here, the views in funding/views/ by area."""

from django.urls import path

from funding.views import activity, aid, dues, home, welfare

app_name = "funding"

urlpatterns = [
    path("", home.FundingHomeView.as_view(), name="home"),
    # F-ACTIVITY-*: the activity funds.
    path("activity/<int:pk>/<int:year>/", activity.ActivityView.as_view(), name="activity"),
    path("activity/<int:pk>/<int:year>/budget/", activity.ActivityBudgetView.as_view(), name="activity_budget"),
    path("activity/report/<int:year>/", activity.ActivityReportView.as_view(), name="activity_report"),
    path("activity/report/<int:year>/export/", activity.ActivityExportView.as_view(), name="activity_export"),
    # F-WELFARE-FUND and the venue rewards (F-VENUE-REWARD).
    path("welfare/<int:pk>/<int:year>/", welfare.WelfareView.as_view(), name="welfare"),
    path("welfare/<int:pk>/<int:year>/new/", welfare.WelfareProjectCreateView.as_view(), name="welfare_project_create"),
    path("welfare/projects/<int:pk>/", welfare.WelfareProjectView.as_view(), name="welfare_project"),
    path("welfare/projects/<int:pk>/decide/", welfare.WelfareDecideView.as_view(), name="welfare_decide"),
    path("welfare/projects/<int:pk>/pay/", welfare.WelfarePayView.as_view(), name="welfare_pay"),
    path("welfare/receipts/<int:pk>/", welfare.WelfareReceiptView.as_view(), name="welfare_receipt"),
    path("welfare/overview/<int:year>/", welfare.WelfareOverviewView.as_view(), name="welfare_overview"),
    path("venue-rewards/", welfare.VenueRewardsView.as_view(), name="venue_rewards"),
    path("venue-rewards/<int:pk>/pay/", welfare.VenueRewardPayView.as_view(), name="venue_reward_pay"),
    # N-DUES, F-DUES-REFUND.
    path("dues/<int:pk>/<year:year>/", dues.DuesView.as_view(), name="dues"),
    path("dues/<int:pk>/<year:year>/bases/", dues.DuesBasesView.as_view(), name="dues_bases"),
    path("dues/<int:pk>/<year:year>/collect/", dues.DuesCollectView.as_view(), name="dues_collect"),
    path("dues/arrears/<year:year>/", dues.DuesArrearsView.as_view(), name="dues_arrears"),
    path("dues/<int:pk>/<year:year>/refunds/", dues.DuesRefundsView.as_view(), name="dues_refunds"),
    path("dues/<int:pk>/<year:year>/refunds/new/", dues.DuesRefundCreateView.as_view(), name="dues_refund_create"),
    # F-AID-FUND; F-LIAISON-FUND (the liaison groups and the instructors' allowances).
    path("aid/<int:pk>/", aid.AidView.as_view(), name="aid"),
    path("aid/member/<int:pk>/grant/", aid.AidGrantView.as_view(), name="aid_grant"),
    path("liaison/<int:pk>/<year:year>/", aid.LiaisonView.as_view(), name="liaison"),
    path("liaison/<int:pk>/<year:year>/pay/", aid.LiaisonPayView.as_view(), name="liaison_pay"),
    path("instructors/<int:pk>/allowance/", aid.InstructorAllowanceView.as_view(), name="instructor_allowance"),
]
