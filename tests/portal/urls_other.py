"""A URL configuration with none of the portal's routes (tests/portal/test_reversing.py)."""

urlpatterns = []
