"""The funding pages (clauses F-* and N-DUES); each area's views module declares its own routes."""

from funding.views import activity, aid, dues, home, welfare

app_name = "funding"

urlpatterns = home.urlpatterns + activity.urlpatterns + welfare.urlpatterns + dues.urlpatterns + aid.urlpatterns
