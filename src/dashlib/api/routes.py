"""The API as Starlette routes, to mount beside the app (``st.App(..., routes=...)``) or on any ASGI server."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from dashlib.api.answers import AtlasApi
from dashlib.api.endpoints import API_PREFIX
from dashlib.model import Dataset

#: Headers every answer carries: the data is public and read-only, so any page may fetch it.
COMMON_HEADERS = {"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache",
                  "X-Content-Type-Options": "nosniff"}


def api_routes(dataset_source: Callable[[], Dataset]) -> list[BaseRoute]:
    """Return the routes of the read-only API, ``GET /api/v1/…``.

    Parameters
    ----------
    dataset_source : callable
        Returns the dataset to serve (see :class:`dashlib.api.answers.AtlasApi`).

    Returns
    -------
    list of starlette.routing.BaseRoute
        ``/api/v1`` (redirects to ``/api/v1/``), ``/api/v1/`` and ``/api/v1/{endpoint}``, for
        GET and HEAD. The handlers are plain functions: Starlette runs them in its thread pool,
        so a slow query never blocks the app's websockets.
    """
    api = AtlasApi(dataset_source)

    def endpoint(request: Request) -> Response:
        answer = api.answer(request.path_params.get("endpoint", ""), request.scope.get("query_string", b""),
                            request.headers.get("if-none-match"))
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type or None,
                        headers={**COMMON_HEADERS, **answer.headers})

    def to_index(request: Request) -> Response:
        return RedirectResponse(f"{API_PREFIX}/", status_code=308)

    return [
        Route(API_PREFIX, to_index, methods=["GET"]),
        Route(f"{API_PREFIX}/", endpoint, methods=["GET"]),
        Route(f"{API_PREFIX}/{{endpoint}}", endpoint, methods=["GET"]),
    ]
