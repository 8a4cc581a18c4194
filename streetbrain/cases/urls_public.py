"""Public pages (namespace ``report``): citizens report without logging in and follow their
report by its tracking number. The grid worker's phone page lives here too (``report:grid``,
login required): it is the field side of reporting, and shares the report form and map."""

from django.urls import path

from . import views_mobile, views_public

app_name = "report"

urlpatterns = [
    path("", views_public.ReportView.as_view(), name="new"),
    path("thanks/<uuid:token>/", views_public.thanks, name="thanks"),
    path("track/", views_public.track_lookup, name="track_lookup"),
    path("track/<uuid:token>/", views_public.track, name="track"),
    path("track/<uuid:token>/confirm/", views_public.confirm, name="confirm"),
    path("grid/", views_mobile.GridWorkerPage.as_view(), name="grid"),
    path("grid/cases/<int:pk>/", views_mobile.GridTaskActionView.as_view(), name="grid_act"),
]
