"""Pages of the cases app (namespace ``cases``): the staff pages and the evaluation."""

from . import urls_evaluation, urls_staff

app_name = "cases"

urlpatterns = [*urls_staff.urlpatterns, *urls_evaluation.urlpatterns]
