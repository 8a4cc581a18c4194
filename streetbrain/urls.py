from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from streetbrain.core import views as core_views
from streetbrain.core.api import views as core_api

admin.site.site_header = "StreetBrain 街道大脑"
admin.site.site_title = "StreetBrain"

api_patterns = [
    path("", core_api.api_root, name="root"),
    path("auth/token/", core_api.obtain_token, name="token"),
    path("search/", core_api.global_search, name="search"),
    path("core/", include("streetbrain.core.api.urls")),
    path("registry/", include("streetbrain.registry.api.urls")),
    path("cases/", include("streetbrain.cases.api.urls")),
    path("map/", include("streetbrain.cockpit.api_urls")),
    path("economy/", include("streetbrain.economy.api.urls")),
]

urlpatterns = [
    path("", core_views.HomeView.as_view(), name="home"),
    path("healthz", core_api.healthz, name="healthz"),
    path("search/", core_views.SearchView.as_view(), name="search"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("core/", include("streetbrain.core.urls")),
    path("registry/", include("streetbrain.registry.urls")),
    path("cases/", include("streetbrain.cases.urls")),
    path("", include("streetbrain.cockpit.urls")),
    path("economy/", include("streetbrain.economy.urls")),
    path("report/", include("streetbrain.cases.channels.urls")),
    path("open311/v2/", include("streetbrain.cases.channels.open311.urls")),
    path("api/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path(settings.ADMIN_URL if hasattr(settings, "ADMIN_URL") else "admin/", admin.site.urls),
]

handler403 = "streetbrain.core.views.permission_denied"
handler404 = "streetbrain.core.views.page_not_found"
handler500 = "streetbrain.core.views.server_error"
