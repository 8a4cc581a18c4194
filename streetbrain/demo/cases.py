"""The cases' part of the demo district, declared for the ``demo`` command."""

from streetbrain.cases import demo
from streetbrain.core.extension_points import DemoLoader

LOADER = DemoLoader("cases", demo.load, demo.is_loaded, depends_on=("core", "registry"), order=30)
