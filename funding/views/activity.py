"""Placeholder until the activity pages land."""

urlpatterns = []
