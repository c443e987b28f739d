"""WSGI entry point for gunicorn."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# The objects of the loaded code live as long as the worker: moved out of the collector's sight, so
# a collection walks only a request's own objects; and collections come after more allocations
# than the default 700 (a page allocates some hundred thousand objects). Fewer, shorter pauses:
# less time per request and a shorter tail under load (issue 16).
gc.freeze()
gc.set_threshold(50_000, 20, 20)
