"""Public pages (namespace ``report``): citizens report without logging in and follow their
report by its tracking number."""

app_name = "report"

urlpatterns: list = []
