"""The one map's page, its layer and search endpoints, and the cockpit: all of them read the
apps' declarations (``core.extension_points``), never an app's models."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.generic import TemplateView, View
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from streetbrain.core import extension_points as ep
from streetbrain.core import search
from streetbrain.core.maps import basemaps, layers
from streetbrain.core.models import OrgUnit

from . import panels


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
        for layer in available:
            if layer.controls_context is not None:
                ctx.update(layer.controls_context())
        ctx.update(
            layers=available,
            default_on={layer.key for layer in available if layer.default_on},
            controls=[layer.controls for layer in available if layer.controls],
            legends=[layer.legend for layer in available if layer.legend],
            # Names and codes only: a district's 2,400 outlines are the layers' to send.
            communities=units.filter(level=OrgUnit.Level.COMMUNITY)
            .only("code", "name")
            .order_by("path"),
            grids=units.filter(level=OrgUnit.Level.GRID)
            .select_related("parent")
            .only("code", "name", "parent__code")
            .order_by("path"),
            basemap=basemap(),
            case_point_zoom=settings.COCKPIT_CASE_POINT_ZOOM,
        )
        return ctx


class CockpitView(LoginRequiredMixin, TemplateView):
    """驾驶舱: the leader's and the command centre's dashboard; ``?wall=1`` for the wall
    screen (1920×1080, no menus). Its panels are the apps' (``CockpitPanel``)."""

    template_name = "cockpit/index.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        unit, shown = panels.gather(self.request.user, self.request)
        if unit is None or not shown:
            raise PermissionDenied
        ctx.update(
            unit=unit,
            panels=shown,
            cockpit_charts=panels.charts(shown),
            wall=self.request.GET.get("wall") == "1",
            now=timezone.localtime(),
        )
        return ctx


class PanelView(LoginRequiredMixin, View):
    """One cockpit panel's body, for the panels that poll (``/cockpit/feed/``: the new
    reports every 15 seconds)."""

    def get(self, request, key: str):
        declared = ep.registry.get(ep.CockpitPanel, key)
        if declared is None:
            raise Http404
        if not ep.may(request.user, declared.permission):
            raise PermissionDenied
        unit = panels.home_unit(request.user)
        panel = (
            panels.render(declared, request.user, unit, timezone.localdate(), request)
            if unit is not None
            else None
        )
        if panel is None:
            raise Http404
        return HttpResponse(panel.html)


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
                        "name": layer.key,
                        "label": str(layer.label),
                        "attribution": layer.attribution,
                        "style": layer.style,
                        "color": layer.color,
                        "default_on": layer.default_on,
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
        layer = layers.layer(name)
        if layer is None:
            raise Http404
        user = request.user
        if not ep.may(user, layer.permission):
            raise PermissionDenied
        try:
            params = layers.Params.parse(request.query_params)
        except ValidationError as exc:
            return Response(exc.message_dict, status=400)
        return Response(layers.build(layer, user, params))


class PlaceSearchQuery(serializers.Serializer):
    """The search's query parameters (DRF's field messages come in the user's language)."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        max_length=search.MAX_QUERY,
        help_text="a place's name, address or code, a credit code, a case number",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=search.MAP_MAX_LIMIT,
        default=search.MAP_DEFAULT_LIMIT,
        help_text="at most this many results",
    )
    coords = serializers.ChoiceField(
        choices=["wgs84", "gcj02"], required=False, default="wgs84", help_text="datum to draw in"
    )


def _map_kinds() -> list[str]:
    kinds = [p for p in ep.items(ep.SearchProvider) if p.map_kind]
    return [p.map_kind for p in sorted(kinds, key=lambda p: (p.map_order or p.order, p.key))]


class PlaceSchema(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[])
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The kinds are the apps' (their search providers on the map), known after start-up.
        self.fields["kind"].choices = _map_kinds()


class PlaceSearchSchema(serializers.Serializer):
    q = serializers.CharField()
    results = PlaceSchema(many=True)


class PlaceSearchView(APIView):
    """``/api/map/search/?q=``: places to fly to on the one map, of the kinds and in the
    scope the user may see (``core/search.py``)."""

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
        results = search.places(
            request.user,
            q,
            limit=query.validated_data["limit"],
            gcj=query.validated_data["coords"] == "gcj02",
        )
        return Response({"q": q, "results": results})
