"""WGS-84 → GCJ-02 (the "Mars" datum that 高德/Amap and Tencent tiles are drawn in).

Chinese law requires domestic web maps to use GCJ-02, an obfuscated datum about 300–600 m off
WGS-84 (≈ 490 m in Eastern New Town). We store WGS-84 and shift our vectors only for display
on a GCJ-02 base map, with the published forward transform (the same formula as the widely
used eviltransform / coordtransform libraries; accurate to about a metre). Outside mainland
China GCJ-02 equals WGS-84.
"""

from __future__ import annotations

import math

_A = 6378245.0  # Krasovsky 1940 semi-major axis
_EE = 0.00669342162296594323  # its first eccentricity squared


def out_of_china(lon: float, lat: float) -> bool:
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def from_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """(lon, lat) in WGS-84 → (lon, lat) in GCJ-02."""
    if out_of_china(lon, lat):
        return lon, lat
    dlat = _lat(lon - 105.0, lat - 35.0)
    dlon = _lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lon + dlon, lat + dlat


def to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """(lon, lat) in GCJ-02 → WGS-84, by iterating the forward transform (the shift changes
    slowly: three steps bring it well under a centimetre)."""
    x, y = lon, lat
    for _ in range(3):
        fx, fy = from_wgs84(x, y)
        x, y = x - (fx - lon), y - (fy - lat)
    return x, y


def _coords(value):
    if value and isinstance(value[0], (int, float)):
        lon, lat = from_wgs84(value[0], value[1])
        return [round(lon, 7), round(lat, 7), *value[2:]]
    return [_coords(v) for v in value]


def geometry_from_wgs84(geometry: dict) -> dict:
    """A GeoJSON geometry (any type, or a GeometryCollection) shifted to GCJ-02."""
    if geometry.get("type") == "GeometryCollection":
        return {
            "type": "GeometryCollection",
            "geometries": [geometry_from_wgs84(g) for g in geometry.get("geometries", [])],
        }
    return {**geometry, "coordinates": _coords(geometry["coordinates"])}
