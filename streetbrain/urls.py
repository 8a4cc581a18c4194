"""The project's URLs: the core's pages and API, the schema and the admin; every app's pages
and API where it mounts them (``UrlMount`` in its ``extensions.py``)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from streetbrain.core import extension_points as ep
from streetbrain.core import views as core_views
from streetbrain.core.api import views as core_api

admin.site.site_header = "StreetBrain 街道大脑"
admin.site.site_title = "StreetBrain"

mounts = ep.items(ep.UrlMount)

api_patterns = [
    path("", core_api.api_root, name="root"),
    path("auth/token/", core_api.obtain_token, name="token"),
    path("search/", core_api.global_search, name="search"),
    path("core/", include("streetbrain.core.api.urls")),
    *(path(m.prefix, include(m.urls)) for m in mounts if m.api),
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
    path("accounts/tokens/", core_views.ApiTokenListView.as_view(), name="api_tokens"),
    path(
        "accounts/tokens/<int:pk>/revoke/",
        core_views.ApiTokenRevokeView.as_view(),
        name="api_token_revoke",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("core/", include("streetbrain.core.urls")),
    *(path(m.prefix, include(m.urls)) for m in mounts if not m.api),
    path("api/", include((api_patterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path(settings.ADMIN_URL if hasattr(settings, "ADMIN_URL") else "admin/", admin.site.urls),
]

handler400 = "streetbrain.core.views.bad_request"
handler403 = "streetbrain.core.views.permission_denied"
handler404 = "streetbrain.core.views.page_not_found"
handler500 = "streetbrain.core.views.server_error"
