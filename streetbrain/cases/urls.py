"""Pages of the cases app (namespace ``cases``): the case pages, the intake's desk and
configuration, and the evaluation. The residents' and the grid worker's pages are
``channels.urls`` (namespace ``report``)."""

from . import urls_staff
from .evaluation import urls as evaluation_urls
from .intake import urls as intake_urls

app_name = "cases"

urlpatterns = [
    *urls_staff.urlpatterns,
    *intake_urls.urlpatterns,
    *evaluation_urls.urlpatterns,
]
