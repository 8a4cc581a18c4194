"""urls_evaluation (filled in by its module's work)."""

urlpatterns: list = []
