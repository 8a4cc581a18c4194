"""Bench-only settings: production's, plus ``bench_urls`` (the product's URLs and a minimal
insert-one-row view for the baseline). Used by ``bench/_stack.py`` with ``--pythonpath bench``;
never by the product. Everything secret comes from the environment as in production.

``BENCH_BARE=1`` drops every middleware: the floor of Django itself on this stack, to compare
the product's middleware with (the product's pages do not work then)."""

import os

from streetbrain.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_urls"

if os.environ.get("BENCH_BARE") == "1":
    MIDDLEWARE: list[str] = []
