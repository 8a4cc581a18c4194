"""Bench-only settings: production's, plus ``bench_urls`` (the product's URLs and a minimal
insert-one-row view for the baseline). Used by ``bench/_stack.py`` with ``--pythonpath bench``;
never by the product. Everything secret comes from the environment as in production."""

from streetbrain.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_urls"
