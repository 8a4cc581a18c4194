from django.urls import path

from . import views

app_name = "party"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation_list"),
    path(
        "organisations/<int:pk>/",
        views.OrganisationDetailView.as_view(),
        name="organisation_detail",
    ),
    path("members/", views.PartyMemberListView.as_view(), name="partymember_list"),
    path("members/<int:pk>/", views.PartyMemberDetailView.as_view(), name="partymember_detail"),
    path(
        "members/<int:pk>/reveal/",
        views.PartyMemberRevealView.as_view(),
        name="partymember_reveal",
    ),
    path("alliances/", views.AllianceListView.as_view(), name="alliance_list"),
    path("alliances/<int:pk>/", views.AllianceDetailView.as_view(), name="alliance_detail"),
]
