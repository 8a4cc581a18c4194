from django.urls import path

from . import views

app_name = "cockpit"

urlpatterns = [
    path("map/", views.MapView.as_view(), name="map"),
    path("cockpit/", views.CockpitView.as_view(), name="index"),
    # A polling panel's body, e.g. /cockpit/feed/ (the new reports).
    path("cockpit/<slug:key>/", views.PanelView.as_view(), name="panel"),
]
