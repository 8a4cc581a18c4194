"""The channels reports arrive by, each turning what it receives into the intake's
``ReportInput``: Open311 GeoReport v2 (``open311/``, through the intake queue), sensor and
camera alarms over MQTT (``mqtt``), and the report pages at /report/ (``views``, ``forms``,
``urls``): the residents' page (rate-limited, ``ratelimit``) with its tracking pages, and the
grid worker's phone page."""
