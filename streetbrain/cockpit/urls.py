from django.urls import path

from . import views

app_name = "cockpit"

urlpatterns = [
    path("map/", views.MapView.as_view(), name="map"),
]
