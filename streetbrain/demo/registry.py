"""The registry's part of the demo district, declared for the ``demo`` command."""

from streetbrain.core.extension_points import DemoLoader
from streetbrain.registry import demo

LOADER = DemoLoader("registry", demo.load, demo.is_loaded, depends_on=("core",), order=20)
