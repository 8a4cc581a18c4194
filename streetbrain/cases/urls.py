"""Pages of the cases app (namespace ``cases``): the staff pages and the evaluation."""

from . import urls_staff
from .evaluation import urls as evaluation_urls

app_name = "cases"

urlpatterns = [*urls_staff.urlpatterns, *evaluation_urls.urlpatterns]
