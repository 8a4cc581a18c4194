from django.urls import path

from . import views

app_name = "cockpit"

urlpatterns = [
    path("map/", views.MapView.as_view(), name="map"),
    path("cockpit/", views.CockpitView.as_view(), name="index"),
    path("cockpit/feed/", views.FeedView.as_view(), name="feed"),
]
