"""The one map's machinery, shared by every app that draws on it: the map's query
(``layers.Params``), GeoJSON helpers and bins (``layers``), the datum shift to GCJ-02
(``gcj02``), base maps (``basemaps``, plain Python: the settings read it). The layers
themselves are declared by the apps (``MapLayer`` in their ``extensions.py``)."""
