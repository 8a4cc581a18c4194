from django.urls import path

from . import views

app_name = "exampleapp"

urlpatterns = [
    path("", views.WellListView.as_view(), name="index"),
    path("<int:pk>/", views.WellDetailView.as_view(), name="well_detail"),
]
