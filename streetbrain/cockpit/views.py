"""The one map's page and its layer endpoints."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from streetbrain.core.models import OrgUnit

from . import basemaps, figures, layers, places

FEED_SIZE = 12


def basemap() -> dict:
    return basemaps.config(
        settings.MAP_BASEMAP,
        tianditu_key=settings.MAP_TIANDITU_KEY,
        xyz_url=settings.MAP_XYZ_URL,
        xyz_attribution=settings.MAP_XYZ_ATTRIBUTION,
    )


class MapView(LoginRequiredMixin, TemplateView):
    """一图通览: every layer the user may see, toggled on one map."""

    template_name = "cockpit/map.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        available = layers.available(user)
        if not available:
            raise PermissionDenied
        units = OrgUnit.objects.restrict(user).filter(
            level__in=[OrgUnit.Level.COMMUNITY, OrgUnit.Level.GRID]
        )
        ctx.update(
            layers=available,
            default_on={"street", "grids", "buildings", "cases"},
            communities=units.filter(level=OrgUnit.Level.COMMUNITY).order_by("path"),
            grids=units.filter(level=OrgUnit.Level.GRID).select_related("parent").order_by("path"),
            basemap=basemap(),
            case_point_zoom=settings.COCKPIT_CASE_POINT_ZOOM,
            states=_case_states(),
        )
        return ctx


def _case_states() -> list[tuple[str, str]]:
    try:
        from streetbrain.cases.models import State
    except ImportError:  # the case engine is not installed
        return []
    return list(State.choices)


class CockpitView(LoginRequiredMixin, TemplateView):
    """驾驶舱: the leader's and the command centre's dashboard; ``?wall=1`` for the wall
    screen (1920×1080, no menus)."""

    template_name = "cockpit/index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cockpit = figures.gather(self.request.user)
        if cockpit is None or not (cockpit.cases or cockpit.economy or cockpit.people):
            raise PermissionDenied
        ctx.update(
            cockpit=cockpit,
            charts=cockpit.charts(),
            wall=self.request.GET.get("wall") == "1",
            now=timezone.localtime(),
        )
        return ctx


class FeedView(LoginRequiredMixin, TemplateView):
    """The newest reports in the user's scope (the cockpit polls it)."""

    template_name = "cockpit/_feed.html"

    def get_context_data(self, **kwargs):
        from streetbrain.cases.models import Report

        ctx = super().get_context_data(**kwargs)
        ctx["reports"] = list(
            Report.objects.restrict(self.request.user)
            .select_related("case__org_unit")
            .order_by("-received_at", "-pk")[:FEED_SIZE]
        )
        return ctx


class LayerListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["map"],
        operation_id="map_layers_list",
        summary="The map layers the user may see",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response(
            {
                "layers": [
                    {
                        "name": layer.name,
                        "label": str(layer.label),
                        "attribution": layer.attribution,
                    }
                    for layer in layers.available(request.user)
                ],
                "basemap": basemap(),
            }
        )


LAYER_PARAMETERS = [
    OpenApiParameter(
        "bbox", str, description="min_lon,min_lat,max_lon,max_lat (in the datum of coords)"
    ),
    OpenApiParameter("zoom", float, description="the map's zoom; decides the bin size"),
    OpenApiParameter("community", str, description="a community's code"),
    OpenApiParameter("grid", str, description="a grid cell's code"),
    OpenApiParameter("class", str, description="a GB/T 47678.5 class code (facilities, cases)"),
    OpenApiParameter("state", str, description="case states, comma-separated"),
    OpenApiParameter("since", OpenApiTypes.DATE, description="cases reported on or after"),
    OpenApiParameter("until", OpenApiTypes.DATE, description="cases reported on or before"),
    OpenApiParameter("history", bool, description="cases: every case in the period, binned"),
    OpenApiParameter("coords", str, enum=["wgs84", "gcj02"], description="datum to draw in"),
]


class LayerView(APIView):
    """``/api/map/layers/<name>/``: the layer's features in the user's scope."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["map"],
        operation_id="map_layer_geojson",
        summary="One map layer as a GeoJSON FeatureCollection",
        parameters=LAYER_PARAMETERS,
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, name: str):
        layer = layers.LAYERS.get(name)
        if layer is None:
            raise Http404
        user = request.user
        if not (user.is_superuser or user.has_perm(layer.permission)):
            raise PermissionDenied
        try:
            params = layers.Params.parse(request.query_params)
        except ValidationError as exc:
            return Response(exc.message_dict, status=400)
        data = layer.build(user, params)
        if layer.attribution:
            data.setdefault("attribution", layer.attribution)
        response = Response(data)
        response["Cache-Control"] = "private, max-age=30"
        return response


class PlaceSearchQuery(serializers.Serializer):
    """The search's query parameters (DRF's field messages come in the user's language)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        max_length=places.MAX_QUERY,
        help_text="a place's name, address or code, a credit code, a case number",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=places.MAX_LIMIT,
        default=places.DEFAULT_LIMIT,
        help_text="at most this many results",
    )
    coords = serializers.ChoiceField(
        choices=["wgs84", "gcj02"], required=False, default="wgs84", help_text="datum to draw in"
    )


class PlaceSchema(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(places.KINDS))
    kind_label = serializers.CharField()
    name = serializers.CharField()
    detail = serializers.CharField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    bbox = serializers.ListField(
        child=serializers.FloatField(), min_length=4, max_length=4, required=False,
        help_text="areas: min_lon,min_lat,max_lon,max_lat in the same datum",
    )  # fmt: skip
    url = serializers.CharField(help_text="the place's page; empty when it has none")


class PlaceSearchSchema(serializers.Serializer):
    q = serializers.CharField()
    results = PlaceSchema(many=True)


class PlaceSearchView(APIView):
    """``/api/map/search/?q=``: places to fly to on the one map, of the kinds and in the
    scope the user may see (``places.py``)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["map"],
        operation_id="map_place_search",
        summary="Find places for the map: areas, buildings, shops, facilities, cases…",
        parameters=[PlaceSearchQuery],
        responses={200: PlaceSearchSchema},
    )
    def get(self, request):
        query = PlaceSearchQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data.get("q", "")
        results = places.search(
            request.user,
            q,
            limit=query.validated_data["limit"],
            gcj=query.validated_data["coords"] == "gcj02",
        )
        response = Response({"q": q, "results": results})
        response["Cache-Control"] = "private, max-age=30"
        return response
