from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path(
        "filter-choices/<str:key>/<str:name>/",
        views.FilterChoicesView.as_view(),
        name="filter_choices",
    ),
    path("org-units/", views.OrgUnitListView.as_view(), name="orgunit_list"),
    path("org-units/add/", views.OrgUnitEditView.as_view(), name="orgunit_add"),
    path("org-units/<int:pk>/", views.OrgUnitDetailView.as_view(), name="orgunit_detail"),
    path("org-units/<int:pk>/edit/", views.OrgUnitEditView.as_view(), name="orgunit_edit"),
    path("communities/", views.CommunityListView.as_view(), name="community_list"),
    path("grids/", views.GridListView.as_view(), name="grid_list"),
    path("departments/", views.DepartmentListView.as_view(), name="department_list"),
    path("departments/add/", views.DepartmentEditView.as_view(), name="department_add"),
    path("departments/<int:pk>/", views.DepartmentDetailView.as_view(), name="department_detail"),
    path("departments/<int:pk>/edit/", views.DepartmentEditView.as_view(), name="department_edit"),
    path(
        "departments/<int:pk>/delete/",
        views.DepartmentDeleteView.as_view(),
        name="department_delete",
    ),
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("changelog/", views.ChangeLogListView.as_view(), name="changelog_list"),
    path("changelog/<int:pk>/", views.ChangeLogDetailView.as_view(), name="changelog_detail"),
]
