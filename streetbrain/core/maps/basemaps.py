"""Base maps under the one map's vector layers, chosen in settings (``MAP_BASEMAP``).

Plain Python (read by the settings too, for the content security policy's image hosts).
``none`` draws the vectors on a plain background, so the map works with no tile service at
all (the default, and what an offline deployment uses).
"""

from __future__ import annotations

from urllib.parse import urlsplit

TIANDITU_VEC = (
    "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
    "&TILECOL={x}&tk={key}"
)
AMAP = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
KINDS = ("none", "tianditu", "amap", "xyz")


def config(kind: str, *, tianditu_key: str = "", xyz_url: str = "", xyz_attribution: str = ""):
    """What the map page needs: tile layers (url, subdomains, attribution) and the datum the
    vectors must be drawn in (``wgs84``, or ``gcj02`` for 高德's tiles)."""
    if kind == "tianditu" and tianditu_key:
        layers = [
            {
                "url": TIANDITU_VEC.replace("{layer}", layer).replace("{key}", tianditu_key),
                "subdomains": "01234567",
                "attribution": "天地图 © 国家地理信息公共服务平台",
            }
            for layer in ("vec", "cva")
        ]
        return {"kind": kind, "datum": "wgs84", "layers": layers}
    if kind == "amap":
        return {
            "kind": kind,
            "datum": "gcj02",
            "layers": [{"url": AMAP, "subdomains": "1234", "attribution": "© 高德地图"}],
        }
    if kind == "xyz" and xyz_url:
        return {
            "kind": kind,
            "datum": "wgs84",
            "layers": [{"url": xyz_url, "subdomains": "abc", "attribution": xyz_attribution}],
        }
    return {"kind": "none", "datum": "wgs84", "layers": []}


def image_hosts(cfg: dict) -> list[str]:
    """The origins the tiles come from (for the content security policy's img-src)."""
    hosts = []
    for layer in cfg["layers"]:
        parts = urlsplit(layer["url"])
        host = parts.netloc
        if "{s}" in host:
            hosts.extend(f"{parts.scheme}://{host.replace('{s}', s)}" for s in layer["subdomains"])
        else:
            hosts.append(f"{parts.scheme}://{host}")
    return sorted(set(hosts))
