"""StreetBrain (街道大脑): a digital governance platform for a Chinese sub-district."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("streetbrain")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

# Load the Celery app whenever Django starts, so @shared_task binds to it.
from streetbrain.celery import app as celery_app

__all__ = ["__version__", "celery_app"]
