"""Settings modules: ``base`` (shared, read from the environment), and the overlays
``production``, ``demo`` and ``test``. See ``.env.example`` for every variable."""
