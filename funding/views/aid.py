"""Placeholder until the aid pages land."""

urlpatterns = []
