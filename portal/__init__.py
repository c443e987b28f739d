"""The portal project package: settings, URLs, the Celery app, accounts and the home page."""

from portal.celery import app as celery_app

__all__ = ["celery_app"]
