"""A loopback STAC API and asset server on 127.0.0.1, standing in for the network boundary.

The public Landsat catalogue cannot be reached from here. This server implements what the real
``pystac-client`` and GDAL (through rasterio) ask of it, after the STAC API specification
(https://github.com/radiantearth/stac-api-spec): a landing page whose ``conformsTo`` declares
core and item search; item search by ``GET /search`` and ``POST /search`` filtering on
``collections``, ``bbox`` and ``datetime``, paged by ``limit`` with a ``next`` link (a GET link
with a ``token``, or a POST link whose ``body`` carries it, ``merge: true``); and assets by
``GET``/``HEAD /assets/NAME`` honouring ``Range`` (RFC 9110), as object stores serve COGs.

Items are shaped like the USGS LandsatLook ``landsat-c2l1`` items (``landsat:*``, ``eo:*``,
``view:*``, ``proj:*`` properties, band 8 as asset ``pan``) over cloud-optimised copies of the
bundled scenes. ``faults`` makes an asset answer 404, 500 or a truncated body;
``bytes_served`` counts what each asset sent.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import rasterio
from rasterio.warp import transform_bounds

CONFORMANCE = [
    "https://api.stacspec.org/v1.0.0/core",
    "https://api.stacspec.org/v1.0.0/item-search",
]


def write_cog(scene, path: Path) -> None:
    """A cloud-optimised GeoTIFF copy of a scene (256 px tiles, deflate)."""
    profile = {"driver": "COG", "compress": "deflate", "blocksize": 256}
    height, width = scene.image.shape
    with rasterio.open(
        path,
        "w",
        height=height,
        width=width,
        count=1,
        dtype=scene.image.dtype,
        crs=scene.crs,
        transform=rasterio.Affine(*scene.transform),
        **profile,
    ) as dataset:
        dataset.write(scene.image, 1)


def landsat_item(item_id: str, scene, href: str, date: str, **properties) -> dict:
    """A STAC item shaped like LandsatLook's ``landsat-c2l1`` ones, for one scene."""
    height, width = scene.image.shape
    a, _, c, _, e, f = scene.transform
    west, south, east, north = transform_bounds(
        scene.crs, "EPSG:4326", c, f + e * height, c + a * width, f
    )
    path, row = item_id.split("_")[2][:3], item_id.split("_")[2][3:]
    return {
        "type": "Feature",
        "stac_version": "1.0.0",
        "stac_extensions": [],
        "id": item_id,
        "collection": "landsat-c2l1",
        "bbox": [west, south, east, north],
        "geometry": {
            "type": "Polygon",
            "coordinates": [
                [[west, south], [east, south], [east, north], [west, north], [west, south]]
            ],
        },
        "properties": {
            "datetime": f"{date}T18:00:00Z",
            "platform": "LANDSAT_8",
            "instruments": ["OLI", "TIRS"],
            "eo:cloud_cover": 2.0,
            "landsat:cloud_cover_land": 2.0,
            "landsat:wrs_type": "2",
            "landsat:wrs_path": path,
            "landsat:wrs_row": row,
            "landsat:correction": item_id.split("_")[1],
            "landsat:collection_category": item_id.split("_")[-1],
            "landsat:collection_number": "02",
            "view:sun_elevation": 45.0,
            "view:sun_azimuth": 150.0,
            "proj:epsg": int(scene.crs.split(":")[1]),
            "proj:shape": [height, width],
            "proj:transform": list(scene.transform),
            **properties,
        },
        "links": [],
        "assets": {
            "pan": {
                "href": href,
                "type": "image/vnd.stac.geotiff; cloud-optimized=true",
                "title": "Panchromatic Band (B8)",
                "eo:bands": [{"name": "B8", "common_name": "pan"}],
                "roles": ["data"],
            }
        },
    }


def _overlaps(item: dict, bbox: list[float]) -> bool:
    w, s, e, n = item["bbox"]
    return not (e < bbox[0] or w > bbox[2] or n < bbox[1] or s > bbox[3])


def _in_interval(item: dict, interval: str) -> bool:
    start, _, end = interval.partition("/")
    date = item["properties"]["datetime"]
    return (start in ("", "..") or date >= start) and (
        end in ("", "..") or date <= end + "T23:59:59Z"
    )


class LocalStac:
    """Serve ``items`` and the ``assets`` files (``{name: path}``); use as a context manager."""

    def __init__(self, assets: dict[str, Path], page_size: int = 3) -> None:
        self.items: list[dict] = []
        self.assets = assets
        self.page_size = page_size
        self.faults: dict[str, str] = {}
        self.bytes_served: Counter = Counter()
        self.searches: list[str] = []
        stac = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _send(self, status, body=b"", headers=None, length=None) -> None:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _json(self, value) -> None:
                self._send(200, json.dumps(value).encode(), {"Content-Type": "application/json"})

            def _route(self) -> None:
                url = urllib.parse.urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if url.path in ("", "/"):
                    return self._json(stac.landing())
                if url.path == "/search":
                    if self.command == "POST":
                        params = json.loads(body or b"{}")
                    else:
                        query = urllib.parse.parse_qs(url.query)
                        params = {key: values[0] for key, values in query.items()}
                        for key in ("bbox", "collections"):
                            if key in params:
                                params[key] = params[key].split(",")
                    stac.searches.append(self.command)
                    return self._json(stac.search(params, self.command))
                if url.path.startswith("/assets/"):
                    return self._asset(url.path[len("/assets/") :])
                return self._send(404, b'{"code": "NotFound"}')

            def _asset(self, name: str) -> None:
                fault = stac.faults.get(name)
                if name not in stac.assets or fault == "404":
                    return self._send(404, b"not found")
                if fault == "500":
                    return self._send(500, b"server error")
                data = stac.assets[name].read_bytes()
                headers = {"Accept-Ranges": "bytes", "Content-Type": "image/tiff"}
                ranged = self.headers.get("Range")
                status, first, stop = 200, 0, len(data)
                if ranged and ranged.startswith("bytes="):
                    start, _, end = ranged[len("bytes=") :].split(",")[0].partition("-")
                    first = int(start) if start else max(len(data) - int(end), 0)
                    stop = min(int(end) + 1, len(data)) if start and end else len(data)
                    status = 206
                    headers["Content-Range"] = f"bytes {first}-{stop - 1}/{len(data)}"
                chunk = data[first:stop]
                if fault == "truncate" and self.command != "HEAD":
                    # Promise the whole range, send half of it, and hang up.
                    stac.bytes_served[name] += len(chunk) // 2
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(chunk)))
                    self.end_headers()
                    self.wfile.write(chunk[: len(chunk) // 2])
                    self.close_connection = True
                    return None
                if self.command != "HEAD":
                    stac.bytes_served[name] += len(chunk)
                return self._send(status, chunk, headers)

            do_GET = do_HEAD = do_POST = _route

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def asset_url(self, name: str) -> str:
        return f"{self.endpoint}/assets/{name}"

    def landing(self) -> dict:
        root = self.endpoint
        return {
            "type": "Catalog",
            "stac_version": "1.0.0",
            "id": "loopback",
            "description": "Loopback STAC API (tests)",
            "conformsTo": CONFORMANCE,
            "links": [
                {"rel": "self", "href": root, "type": "application/json"},
                {"rel": "root", "href": root, "type": "application/json"},
                {
                    "rel": "search",
                    "href": f"{root}/search",
                    "type": "application/geo+json",
                    "method": "GET",
                },
                {
                    "rel": "search",
                    "href": f"{root}/search",
                    "type": "application/geo+json",
                    "method": "POST",
                },
            ],
        }

    def search(self, params: dict, method: str) -> dict:
        found = [
            item
            for item in self.items
            if (not params.get("collections") or item["collection"] in params["collections"])
            and (not params.get("bbox") or _overlaps(item, [float(v) for v in params["bbox"]]))
            and (not params.get("datetime") or _in_interval(item, params["datetime"]))
        ]
        limit = int(params.get("limit") or self.page_size)
        limit = min(limit, self.page_size)
        start = int(params.get("token") or 0)
        page = found[start : start + limit]
        links = []
        if start + limit < len(found):
            token = str(start + limit)
            if method == "POST":
                links.append(
                    {
                        "rel": "next",
                        "href": f"{self.endpoint}/search",
                        "method": "POST",
                        "body": {"token": token},
                        "merge": True,
                    }
                )
            else:
                query = {k: ",".join(v) if isinstance(v, list) else v for k, v in params.items()}
                query["token"] = token
                href = f"{self.endpoint}/search?{urllib.parse.urlencode(query)}"
                links.append({"rel": "next", "method": "GET", "href": href})
        return {
            "type": "FeatureCollection",
            "features": page,
            "links": links,
            "numberMatched": len(found),
            "numberReturned": len(page),
        }

    def __enter__(self) -> LocalStac:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
