"""Pages of the cases app (namespace ``cases``): the case pages, the intake's desk and
configuration, and the evaluation. The residents' and the grid worker's pages are
``channels.urls`` (namespace ``report``)."""

from .evaluation import urls as evaluation_urls
from .intake import urls as intake_urls
from .workflow import urls as workflow_urls

app_name = "cases"

urlpatterns = [
    *workflow_urls.urlpatterns,
    *intake_urls.urlpatterns,
    *evaluation_urls.urlpatterns,
]
