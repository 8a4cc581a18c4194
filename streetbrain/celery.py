"""The Celery application.

In the demo and the tests tasks run eagerly in the calling process (no broker needed);
in production they go through Redis to `streetbrain worker` processes, which is how the
platform scales past one machine.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "streetbrain.settings.production")

app = Celery("streetbrain")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
