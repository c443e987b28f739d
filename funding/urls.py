"""The funding pages (clauses F-* and N-DUES); each area's views module declares its own routes."""

from .views import activity, aid, dues, welfare

app_name = "funding"

urlpatterns = activity.urlpatterns + welfare.urlpatterns + dues.urlpatterns + aid.urlpatterns
