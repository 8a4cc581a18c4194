"""Serve the platform with gunicorn (the production WSGI server), or Django's development
server with ``--dev``."""

import multiprocessing

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from streetbrain.core.cache import is_process_local


def start_eager_scheduler(stdout) -> None:
    """Without a broker (the demo) there is no ``celery beat``: run the beat schedule's tasks
    in a thread of the serving process instead, at their intervals, so that precomputed
    figures stay as fresh in the demo as in production."""
    import threading
    import time

    from django.db import close_old_connections

    from streetbrain.celery import app

    app.loader.import_default_modules()
    schedule = [
        (entry["task"], float(entry["schedule"])) for entry in app.conf.beat_schedule.values()
    ]

    def loop():
        due = {name: time.monotonic() + interval for name, interval in schedule}
        while True:
            time.sleep(5)
            for name, interval in schedule:
                if time.monotonic() >= due[name]:
                    due[name] = time.monotonic() + interval
                    try:
                        app.tasks[name].apply()
                    except Exception:  # a failing task must not stop the schedule
                        import logging

                        logging.getLogger(__name__).exception("scheduled task %s failed", name)
                    finally:
                        close_old_connections()

    threading.Thread(target=loop, name="eager-beat", daemon=True).start()
    stdout.write(f"periodic tasks run in-process: {', '.join(n for n, _i in schedule)}")


class Command(BaseCommand):
    help = "Serve StreetBrain over HTTP (gunicorn; --dev for the autoreloading dev server)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers", type=int, default=min(4, multiprocessing.cpu_count() * 2 + 1)
        )
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--dev", action="store_true", help="Django's development server.")

    def handle(self, *args, host, port, workers, threads, dev, **options):
        if dev:
            call_command("runserver", f"{host}:{port}")
            return
        if workers > 1 and is_process_local() and not settings.STREETBRAIN.get("DEMO"):
            # Each worker would count the rate limits on its own: N workers, N times the limit.
            raise CommandError(
                _(
                    "The cache lives in each process, so %(workers)s workers would each count "
                    "the public report page's rate limit on their own. Set CACHE_URL to Redis "
                    "(e.g. rediscache://127.0.0.1:6379/1) or serve with --workers 1."
                )
                % {"workers": workers}
            )
        from gunicorn.app.base import BaseApplication

        from streetbrain.wsgi import application

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", f"{host}:{port}")
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("timeout", 60)
                self.cfg.set("accesslog", "-")
                self.cfg.set("forwarded_allow_ips", "127.0.0.1")

            def load(self):
                return application

        vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        if settings.CELERY_TASK_ALWAYS_EAGER:
            start_eager_scheduler(self.stdout)
        self.stdout.write(
            f"StreetBrain on http://{host}:{port}/ "
            f"({workers} workers × {threads} threads, database {vendor})"
        )
        Server().run()
