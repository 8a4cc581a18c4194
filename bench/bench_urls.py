"""Bench-only URLs: the product's, plus ``/bench/ping/`` (POST: insert one row into the table
``bench_ping`` the bench creates with raw SQL). The view runs through the same middleware,
gunicorn workers and database connections as the product, so its rate is the stack's limit
for "one request, one insert"."""

from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from streetbrain.urls import handler403, handler404, handler500  # noqa: F401
from streetbrain.urls import urlpatterns as product_urlpatterns

PING_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS bench_ping (
    id bigserial PRIMARY KEY,
    marker varchar(64) NOT NULL,
    body text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
)
"""


@csrf_exempt
def ping(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_ping (marker, body) VALUES (%s, %s) RETURNING id",
            [request.POST.get("device_id", "")[:64], request.POST.get("description", "")],
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [path("bench/ping/", ping, name="bench-ping"), *product_urlpatterns]
