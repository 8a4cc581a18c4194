from django.contrib.auth import authenticate, get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action, api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

import streetbrain

from .. import actions, filtersets
from ..geo_lookup import locate_point
from ..models import ApiToken, ChangeLogEntry, Department, OrgUnit
from ..search import search
from . import serializers
from .authentication import ApiTokenAuthentication
from .viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet


class GeometryOnRequestMixin:
    """``?geometry=1`` adds each unit's outline (GeoJSON); lists stay light without it."""

    def get_serializer_class(self):
        if self.request.query_params.get("geometry") in ("1", "true"):
            return serializers.OrgUnitGeoSerializer
        return super().get_serializer_class()


class OrgUnitViewSet(GeometryOnRequestMixin, ScopedModelViewSet):
    """All org units of the caller's subtree (street, communities, grid cells), and the
    units above it as read-only context."""

    model = OrgUnit
    select_related = ("parent",)
    serializer_class = serializers.OrgUnitSerializer
    filterset_class = filtersets.OrgUnitFilterSet
    ordering_fields = ["code", "name", "path"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    @extend_schema(
        parameters=[
            OpenApiParameter("lon", OpenApiTypes.DOUBLE, required=True),
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, required=True),
        ],
        responses=serializers.LocateResultSerializer,
    )
    @action(detail=False, methods=["get"])
    def locate(self, request):
        """The grid cell and community containing a WGS-84 point (within the caller's scope)."""
        try:
            lon = float(request.query_params["lon"])
            lat = float(request.query_params["lat"])
        except (KeyError, ValueError) as exc:
            raise exceptions.ValidationError(
                {"lon": _("Give lon and lat as decimal degrees (WGS-84).")}
            ) from exc
        grid = locate_point(lon, lat)
        visible = self.get_queryset()
        if grid is not None and not visible.filter(pk=grid.pk).exists():
            grid = None
        community = grid.parent if grid is not None else None
        data = {
            "grid": serializers.OrgUnitBriefSerializer(grid).data if grid else None,
            "community": serializers.OrgUnitBriefSerializer(community).data if community else None,
        }
        return Response(data)


class LevelViewSet(GeometryOnRequestMixin, ScopedReadOnlyViewSet):
    model = OrgUnit
    level = None
    select_related = ("parent",)
    serializer_class = serializers.OrgUnitSerializer
    filterset_class = filtersets.OrgUnitFilterSet
    ordering_fields = ["code", "name"]

    def get_queryset(self):
        return super().get_queryset().filter(level=self.level)


class CommunityViewSet(LevelViewSet):
    """Communities (社区) in the caller's scope."""

    level = OrgUnit.Level.COMMUNITY


class GridViewSet(LevelViewSet):
    """Unit grid cells (单元网格, GB/T 30428.1 codes) in the caller's scope."""

    level = OrgUnit.Level.GRID


class DepartmentViewSet(ScopedModelViewSet):
    """Departments (条) serving the caller's unit."""

    model = Department
    select_related = ("org_unit",)
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filtersets.DepartmentFilterSet
    ordering_fields = ["code", "name", "sort_order"]


class UserViewSet(ScopedReadOnlyViewSet):
    """Staff accounts in the caller's scope; ``/me/`` is always the caller."""

    model = get_user_model()
    select_related = ("org_unit", "department")
    serializer_class = serializers.UserSerializer
    filterset_class = filtersets.UserFilterSet
    ordering_fields = ["username"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("groups")

    @action(detail=False, methods=["get"], permission_classes=[IsAuthenticated])
    def me(self, request):
        return Response(self.get_serializer(request.user).data)


class ChangeLogViewSet(ScopedReadOnlyViewSet):
    """The change log (变更记录) of objects in the caller's scope. Read-only: nobody can
    edit or delete its entries."""

    model = ChangeLogEntry
    select_related = ("content_type",)
    serializer_class = serializers.ChangeLogEntrySerializer
    filterset_class = filtersets.ChangeLogFilterSet
    ordering_fields = ["time"]


class TokenThrottle(AnonRateThrottle):
    scope = "token"


@extend_schema(
    request=serializers.TokenRequestSerializer,
    responses=serializers.NewApiTokenSerializer,
    auth=[],
)
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([TokenThrottle])
def obtain_token(request):
    """Exchange a user name and password for a new API token (``Authorization: Token …``),
    named ``name``. Every call makes a new one, which works ``API_TOKEN_TTL_DAYS`` days: get
    one and keep it until it expires. Failed attempts count towards the same lockout as the
    login page (429 with Retry-After once locked)."""
    data = serializers.TokenRequestSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    name = data.validated_data.pop("name", "") or _("Token from the API login")
    # Pass the request so django-axes counts failures and enforces the lockout.
    user = authenticate(request._request, **data.validated_data)
    if user is None or not user.is_active:
        raise exceptions.AuthenticationFailed(_("Wrong user name or password."))
    token, key = actions.create_api_token(user, name)
    token.token = key
    return Response(serializers.NewApiTokenSerializer(token).data, status=status.HTTP_200_OK)


class NotWithAToken(BasePermission):
    """Making a token takes a password (the token endpoint) or a signed-in page session:
    a token that could make tokens would never expire."""

    message = gettext_lazy(
        "A token cannot make API tokens: use POST /api/auth/token/ with your password."
    )

    def has_permission(self, request, view):
        if view.action != "create":
            return True
        return not isinstance(request.successful_authenticator, ApiTokenAuthentication)


class ApiTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own API tokens: list them (never their keys), make one (``name``; its
    key is in the answer, this once), revoke one (DELETE). Every make and revoke is in the
    change log."""

    serializer_class = serializers.ApiTokenSerializer
    permission_classes = [IsAuthenticated, NotWithAToken]
    filter_backends = []
    pagination_class = None

    queryset = ApiToken.objects.none()  # the schema's; a request gets its user's

    def get_queryset(self):
        user = self.request.user
        return ApiToken.objects.filter(user=user) if user.is_authenticated else self.queryset

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.NewApiTokenSerializer
        return super().get_serializer_class()

    def perform_create(self, serializer):
        token, key = actions.create_api_token(
            self.request.user, serializer.validated_data.get("name", "")
        )
        token.token = key
        serializer.instance = token

    def perform_destroy(self, instance):
        actions.revoke_api_token(instance, self.request.user)


def migrations_applied() -> bool:
    executor = MigrationExecutor(connection)
    return not executor.migration_plan(executor.loader.graph.leaf_nodes())


def healthz(request):
    """Liveness and readiness for load balancers: no login, no personal data."""
    try:
        applied = migrations_applied()
        database_ok = True
    except Exception:  # a down database must answer 503, not crash
        applied, database_ok = False, False
    ok = database_ok and applied
    return JsonResponse(
        {
            "status": "ok" if ok else "unavailable",
            "version": streetbrain.__version__,
            "database": connection.vendor,
            "database_ok": database_ok,
            "migrations_applied": applied,
        },
        status=200 if ok else 503,
    )


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request):
    """Where things are: the schema, the docs, the token endpoint and each app's endpoints
    (every app's API root under ``/api/``, found in the URL configuration, and any other
    service root such as Open311's)."""
    from django.urls import NoReverseMatch, get_resolver, reverse

    def url(name):
        return request.build_absolute_uri(reverse(name))

    out = {
        "schema": url("schema"),
        "docs": url("api-docs"),
        "token": url("api:token"),
        "core": {
            name: url(f"api:core:{name}-list")
            for name in (
                "orgunit",
                "community",
                "grid",
                "department",
                "user",
                "changelog",
                "apitoken",
            )
        },
    }
    _prefix, api = get_resolver().namespace_dict["api"]
    for namespace in sorted(api.namespace_dict):
        try:
            out.setdefault(namespace, url(f"api:{namespace}:api-root"))
        except NoReverseMatch:
            continue
    for namespace in sorted(get_resolver().namespace_dict):
        try:
            out.setdefault(namespace, url(f"{namespace}:root"))
        except NoReverseMatch:
            continue
    return Response(out)


@extend_schema(
    parameters=[OpenApiParameter("q", OpenApiTypes.STR, required=True)],
    responses=inline_serializer(
        "SearchResponse",
        {
            "q": drf_serializers.CharField(),
            "groups": drf_serializers.ListField(child=drf_serializers.DictField()),
        },
    ),
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def global_search(request):
    """Search everything the caller may see: residents by name or exact ID number/phone,
    houses, buildings, shops, facilities, org units. Grouped by type, 10 per type."""
    q = request.query_params.get("q", "")
    groups = search(request.user, q)
    return Response(
        {
            "q": q,
            "groups": [
                {
                    "type": g["key"],
                    "label": str(g["label"]),
                    "more": g["more"],
                    "results": [
                        {
                            "id": r["object"].pk,
                            "title": r["title"],
                            "description": r["description"],
                            "url": request.build_absolute_uri(r["url"]),
                        }
                        for r in g["results"]
                    ],
                }
                for g in groups
            ],
        }
    )
