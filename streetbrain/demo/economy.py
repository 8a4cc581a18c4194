"""The economy's part of the demo district, declared for the ``demo`` command."""

from streetbrain.core.extension_points import DemoLoader
from streetbrain.economy import demo

LOADER = DemoLoader("economy", demo.load, demo.is_loaded, depends_on=("core", "registry"), order=40)
