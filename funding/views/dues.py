"""Placeholder until the dues pages land."""

urlpatterns = []
