"""A read-only JSON API beside the app: the data package's tables, narrowed by the explorer's URL parameters.

::

    GET /api/v1/                         the endpoints, the data package, the parameters
    GET /api/v1/openapi.json             the OpenAPI 3.1 description
    GET /api/v1/events?org_type=ngo&start=2024-11-01&limit=50&offset=0
    GET /api/v1/places?format=geojson    (also organizations, relations, participations, topics, sources)

- :mod:`~dashlib.api.params`: the query, checked (what is refused with a 4xx, what becomes a notice);
- :mod:`~dashlib.api.answers`: from endpoint and query to status, media type and body;
- :mod:`~dashlib.api.openapi`: the description, built from the Table Schemas;
- :mod:`~dashlib.api.routes`: the Starlette routes (``st.App(..., routes=...)`` mounts them).

Nothing here imports streamlit.
"""

from dashlib.api.answers import Answer, AtlasApi
from dashlib.api.endpoints import API_PREFIX, ENDPOINTS
from dashlib.api.params import ApiError
from dashlib.api.routes import api_routes

__all__ = ["API_PREFIX", "ENDPOINTS", "Answer", "ApiError", "AtlasApi", "api_routes"]
