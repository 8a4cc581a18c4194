"""urls_staff (filled in by its module's work)."""

urlpatterns: list = []
