"""Public pages (namespace ``report``): citizens report without logging in and follow their
report by its tracking number. The grid worker's phone page lives here too (``report:grid``,
login required): it is the field side of reporting, and shares the report form and map."""

from django.urls import path

from . import views

app_name = "report"

urlpatterns = [
    path("", views.ReportView.as_view(), name="new"),
    path("thanks/<uuid:token>/", views.thanks, name="thanks"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<uuid:token>/", views.track, name="track"),
    path("track/<uuid:token>/confirm/", views.confirm, name="confirm"),
    path("grid/", views.GridWorkerPage.as_view(), name="grid"),
    path("grid/cases/<int:pk>/", views.GridTaskActionView.as_view(), name="grid_act"),
]
