"""The Celery application.

In the demo and the tests tasks run eagerly in the calling process (no broker needed);
in production they go through Redis to `streetbrain worker` processes, which is how the
platform scales past one machine.
"""

from celery import Celery

from streetbrain.startup import use_settings

use_settings()  # production's, unless DJANGO_SETTINGS_MODULE says otherwise (see startup.py)

app = Celery("streetbrain")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
