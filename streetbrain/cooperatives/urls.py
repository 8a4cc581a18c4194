from django.urls import path

from . import views

app_name = "cooperatives"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="index"),
    path("list/", views.CooperativeListView.as_view(), name="cooperative_list"),
    path("<int:pk>/", views.CooperativeDetailView.as_view(), name="cooperative_detail"),
    path("<int:pk>/grade/", views.GradeView.as_view(), name="cooperative_grade"),
    path("<int:pk>/override/", views.OverrideView.as_view(), name="cooperative_override"),
    path("<int:pk>/exit/", views.OpenExitView.as_view(), name="cooperative_open_exit"),
    path("exits/<int:pk>/<str:name>/", views.ExitStepView.as_view(), name="exit_step"),
    path("measures/<int:pk>/done/", views.MeasureDoneView.as_view(), name="measure_done"),
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("members/<int:pk>/", views.MemberDetailView.as_view(), name="member_detail"),
    path("members/<int:pk>/reveal/", views.MemberRevealView.as_view(), name="member_reveal"),
]
