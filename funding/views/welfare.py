"""Placeholder until the welfare pages land."""

urlpatterns = []
