"""The read-only JSON API beside the app (``GET /api/v1/…``).

The answers are checked on the bundled data without a server (notices, paging, formula-safe CSV,
GeoJSON, refusals), then on the real server that ``streamlit run app.py`` starts: the pages still
answer, hostile queries get a 4xx with a plain message, and schemathesis fuzzes every endpoint
from the server's own OpenAPI description (no 5xx, every answer matching its schema, every
request that breaks the description refused with a 4xx).
"""

from __future__ import annotations

import csv
import io
import json
import urllib.error
import urllib.request

import pytest
import schemathesis

from appserver import running_app
from dashlib.api import API_PREFIX, ENDPOINTS, AtlasApi
from dashlib.api.openapi import openapi_document
from dashlib.api.params import MAX_LIMIT, MAX_QUERY_BYTES
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query import urlstate
from dashlib.query.filters import apply

DATASET = load_package(BUNDLED_DATA).dataset
API = AtlasApi(lambda: DATASET)


def get_json(endpoint: str, query: str = "") -> dict:
    answer = API.answer(endpoint, query)
    assert answer.status == 200, answer.body
    return json.loads(answer.body)


# -- answers, without a server ------------------------------------------------------------------


def test_index_lists_every_table_endpoint_with_its_row_count():
    index = get_json("")
    listed = {e["table"]: e for e in index["endpoints"]}
    assert set(listed) == set(ENDPOINTS)
    assert listed["events"]["rows"] == len(DATASET.events)
    assert listed["places"]["formats"] == ["json", "csv", "geojson"]
    assert index["openapi"] == f"{API_PREFIX}/openapi.json"


@pytest.mark.parametrize(("table", "query"), [
    ("organizations", "org_type=city_network"),
    ("events", "start=2024-11-21&end=2024-11-21"),
    ("relations", "relation_type=support"),
    ("participations", "q=Turku"),
    ("places", "country=CN"),
])
def test_a_table_is_what_the_explorers_filters_keep(table, query):
    params = {k: [v] for k, v in (pair.split("=") for pair in query.split("&"))}
    state = urlstate.parse(params, urlstate.vocabulary(DATASET))
    expected = apply(DATASET, state.filters).tables[table]
    page = get_json(table, query + f"&limit={MAX_LIMIT}")
    assert 0 < page["total"] == len(expected) < len(DATASET.tables[table])
    key = expected.columns[0]
    assert [row[key] for row in page["rows"]] == list(expected[key])
    assert page["notices"] == []


def test_unknown_parameters_and_values_give_the_explorers_notices_not_errors():
    query = "org_type=spaceship&start=yesterday&colour=red"
    page = get_json("events", query)
    params = {"org_type": ["spaceship"], "start": ["yesterday"], "colour": ["red"]}
    assert page["notices"] == list(urlstate.parse(params, urlstate.vocabulary(DATASET)).notices)
    assert len(page["notices"]) == 3
    assert page["total"] == len(DATASET.events)  # nothing was filtered by the ignored values
    answer = API.answer("events", query + "&format=csv")
    assert json.loads(answer.headers["X-Atlas-Notices"]) == page["notices"]


def test_pages_cover_the_table_once_and_link_to_the_next():
    seen, query = [], "limit=7"
    while True:
        page = get_json("events", query)
        seen += [row["event_id"] for row in page["rows"]]
        if page["next"] is None:
            break
        assert page["next"].startswith(f"{API_PREFIX}/events?")
        query = page["next"].split("?", 1)[1]
    assert seen == list(DATASET.events["event_id"])


def test_csv_is_formula_safe_and_keeps_numbers():
    orgs = DATASET.organizations.copy()
    orgs.loc[0, "name"] = '=HYPERLINK("http://evil.example","click")'
    places = DATASET.places.copy()
    places.loc[0, "lon"] = -12.5
    hostile = DATASET.with_tables(organizations=orgs, places=places)
    api = AtlasApi(lambda: hostile)

    answer = api.answer("organizations", "format=csv&limit=1")
    assert answer.status == 200 and answer.media_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.body.decode("utf-8-sig"))))
    assert rows[0]["name"] == "'" + orgs.loc[0, "name"]
    places_csv = api.answer("places", "format=csv&limit=1").body.decode("utf-8-sig")
    assert next(csv.DictReader(io.StringIO(places_csv)))["lon"] == "-12.5"


def test_places_as_geojson_have_real_points_and_list_the_unresolved():
    collection = get_json("places", f"format=geojson&limit={MAX_LIMIT}")
    assert collection["type"] == "FeatureCollection"
    ids = [f["id"] for f in collection["features"]] + collection["unresolved"]
    assert sorted(ids) == sorted(DATASET.places["place_id"])
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90 and (lon, lat) != (0, 0)


def test_an_unchanged_answer_is_not_sent_again():
    first = API.answer("events", "limit=5")
    again = API.answer("events", "limit=5", if_none_match=first.headers["ETag"])
    assert again.status == 304 and again.body == b""
    assert API.answer("events", "limit=6", if_none_match=first.headers["ETag"]).status == 200


@pytest.mark.parametrize(("endpoint", "query", "status", "says"), [
    ("events", "limit=0", 400, "limit"),
    ("events", f"limit={MAX_LIMIT + 1}", 400, "limit"),
    ("events", "limit=1e3", 400, "limit"),
    ("events", "limit=5&limit=6", 400, "once"),
    ("events", "offset=-1", 400, "offset"),
    ("events", "format=xml", 400, "format"),
    ("events", "format=", 400, "format"),
    ("events", "limit=", 400, "limit"),
    ("events", "format=geojson", 400, "format"),
    ("events", "q=%00DROP", 400, "control character"),
    ("events", "org_type=ngo%0Aset-cookie", 400, "control character"),
    ("events", "q=%FF%FE", 400, "UTF-8"),
    ("events", "&".join(f"org={i}" for i in range(101)), 400, "parameters"),
    ("events", "q=" + "a" * MAX_QUERY_BYTES, 414, "bytes"),
    ("../../etc/passwd", "", 404, "no endpoint"),
    ("geocache", "", 404, "no endpoint"),
])
def test_hostile_queries_are_refused_with_a_plain_message(endpoint, query, status, says):
    answer = API.answer(endpoint, query)
    assert answer.status == status
    assert answer.media_type == "application/problem+json"
    problem = json.loads(answer.body)
    assert problem["status"] == status and says in problem["detail"]
    assert "Traceback" not in problem["detail"]


def test_the_description_covers_every_endpoint_and_the_explorers_parameters():
    document = get_json("openapi.json")
    assert document["openapi"].startswith("3.1")
    for table in ENDPOINTS:
        operation = document["paths"][f"{API_PREFIX}/{table}"]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert set(urlstate.known_params()) | {"limit", "offset", "format"} == names
        assert {"200", "400", "414"} <= set(operation["responses"])


# -- the real server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_url():
    with running_app() as url:
        yield url


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_the_server_answers_the_api_beside_the_app(server_url):
    status, kind, body = fetch(f"{server_url}{API_PREFIX}/events?org_type=city_network&limit=3")
    assert status == 200 and kind == "application/json"
    page = json.loads(body)
    assert page["count"] <= 3 and page["filters"] == {"org_type": ["city_network"]}
    status, _, body = fetch(f"{server_url}{API_PREFIX}")  # redirected to /api/v1/
    assert status == 200 and json.loads(body)["name"] == "Climate Action Atlas API"
    assert fetch(f"{server_url}/_stcore/health")[2] == b"ok"
    status, kind, _ = fetch(server_url)
    assert status == 200 and kind.startswith("text/html")


def test_the_server_refuses_writes_and_hostile_queries(server_url):
    request = urllib.request.Request(f"{server_url}{API_PREFIX}/events", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 405
    status, kind, body = fetch(f"{server_url}{API_PREFIX}/events?limit=-5")
    assert status == 400 and kind == "application/problem+json"
    assert "limit must be a whole number" in json.loads(body)["detail"]


def test_the_server_serves_the_description_the_fuzzing_reads(server_url):
    status, kind, body = fetch(f"{server_url}{API_PREFIX}/openapi.json")
    assert status == 200 and kind == "application/json"
    assert json.loads(body) == openapi_document()


# The description the server serves (checked just above), loaded at collection time: schemathesis
# makes one test per endpoint and sends each case to the server the module fixture started.
schema = schemathesis.openapi.from_dict(openapi_document())
schema.config.generation.update(max_examples=25)


@schema.parametrize()
def test_every_answer_matches_the_description(case, server_url):
    case.call_and_validate(base_url=server_url)
