from django.urls import path

from . import views

urlpatterns = [
    path("layers/", views.LayerListView.as_view(), name="map-layers"),
    path("search/", views.PlaceSearchView.as_view(), name="map-search"),
    path("layers/<slug:name>/", views.LayerView.as_view(), name="map-layer"),
]
