"""The naive baseline of ``python scripts/bench.py``: this dashboard as most Streamlit dashboards are written.

Run it like any app (``DASHLIB_DATA=/path/to/package streamlit run scripts/st_naive_app.py``).
It is what a tutorial would build from the same CSV files, with nothing deliberately slow:

- every rerun reads every table with ``pandas.read_csv`` (no ``st.cache_data``, no Parquet);
- filters are applied by merging the tables and filtering the merged frame;
- the map has one point per event, the timeline one marker per event, the data page shows every
  filtered event;
- the network is the top 200 organisations by links (a tutorial would cap it too: a spring layout
  of every organisation never finishes at scale).

Its sidebar uses the atlas's widget keys for the date range, organisation types and countries
(read from the filter spec, :mod:`dashlib.query.spec`, its only import from dashlib) with the same
meaning, so the benchmark drives both apps with the same filters; the page is a radio (key
``naive_page``). It never validates the package: it trusts the files, as tutorials do.

It is a script, not a module: nothing imports it.
"""

import os
from pathlib import Path

import networkx as nx
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

from dashlib.query.spec import widget_keys

DATA = Path(os.environ.get("DASHLIB_DATA") or Path(__file__).resolve().parents[1] / "data")
PAGES = ["Overview", "Map", "Timeline", "Network", "Data"]
TOP_ORGANISATIONS = 200
KEYS = widget_keys()

st.set_page_config(page_title="Climate action events", layout="wide")

# Load the data (on every rerun: this is what the baseline measures).
events = pd.read_csv(DATA / "events.csv", parse_dates=["start_date", "end_date"])
organizations = pd.read_csv(DATA / "organizations.csv")
participations = pd.read_csv(DATA / "participations.csv")
relations = pd.read_csv(DATA / "relations.csv")
places = pd.read_csv(DATA / "places.csv")
geocache = pd.read_csv(DATA / "geocache.csv")

# Coordinates: the place's own, else the geocode cache's.
places = places.merge(geocache[["query", "lat", "lon"]], on="query", how="left", suffixes=("", "_geo"))
places["lat"] = places["lat"].fillna(places["lat_geo"])
places["lon"] = places["lon"].fillna(places["lon_geo"])

# Sidebar.
page = st.sidebar.radio("Page", PAGES, key="naive_page")
first = events["start_date"].min().date()
last = events["end_date"].fillna(events["start_date"]).max().date()
start = st.sidebar.date_input("From", first, min_value=first, max_value=last, key=KEYS["start"])
end = st.sidebar.date_input("To", last, min_value=first, max_value=last, key=KEYS["end"])
org_types = st.sidebar.multiselect("Organisation types", sorted(organizations["org_type"].dropna().unique()),
                                   key=KEYS["org_types"])
all_countries = set(organizations["country_code"].dropna()) | set(places["country_code"].dropna())
countries = st.sidebar.multiselect("Countries", sorted(all_countries), key=KEYS["countries"])

# Filter: one merged frame of events with their places, narrowed by the sidebar.
where = places[["place_id", "name", "country_code", "lat", "lon"]].rename(columns={"name": "place",
                                                                                  "country_code": "country"})
df = events.merge(where, on="place_id", how="left")
ends = df["end_date"].fillna(df["start_date"])
df = df[(ends >= pd.Timestamp(start)) & (df["start_date"] <= pd.Timestamp(end))]
who = participations.merge(organizations, on="org_id", how="left")
if org_types:
    who = who[who["org_type"].isin(org_types)]
if countries:
    who = who[who["country_code"].isin(countries)]
if org_types or countries:
    keep = df["event_id"].isin(who["event_id"])
    if countries and not org_types:
        keep |= df["country"].isin(countries)
    df = df[keep]
who = who[who["event_id"].isin(df["event_id"])]

st.title("Climate action events")
st.caption(f"{len(df):,} of {len(events):,} events")

if page == "Overview":
    cols = st.columns(4)
    cols[0].metric("Events", f"{len(df):,}")
    cols[1].metric("Organisations", f"{who['org_id'].nunique():,}")
    cols[2].metric("Countries", f"{df['country'].nunique():,}")
    cols[3].metric("Places", f"{df['place_id'].nunique():,}")
    st.subheader("Events per year")
    st.bar_chart(df.groupby(df["start_date"].dt.year).size())
    st.subheader("Latest events")
    st.dataframe(df.sort_values("start_date", ascending=False).head(10), hide_index=True)

elif page == "Map":
    points = df.dropna(subset=["lat", "lon"]).copy()
    points["date"] = points["start_date"].dt.strftime("%Y-%m-%d")
    layer = pdk.Layer(
        "ScatterplotLayer", data=points[["title", "place", "date", "lat", "lon"]], get_position="[lon, lat]",
        get_radius=20000, get_fill_color=[0, 114, 178, 140], pickable=True,
    )
    view = pdk.ViewState(latitude=20, longitude=0, zoom=1)
    st.pydeck_chart(pdk.Deck(layers=[layer], initial_view_state=view, tooltip={"text": "{title}\n{place}, {date}"}))

elif page == "Timeline":
    fig = px.scatter(df, x="start_date", y="event_type", color="event_type", hover_name="title",
                     hover_data=["place"])
    st.plotly_chart(fig)

elif page == "Network":
    kept_orgs = set(who["org_id"])
    links = relations[relations["from_org_id"].isin(kept_orgs) | relations["to_org_id"].isin(kept_orgs)]
    graph = nx.from_pandas_edgelist(links, "from_org_id", "to_org_id")
    top = sorted(graph.degree, key=lambda item: item[1], reverse=True)[:TOP_ORGANISATIONS]
    sub = graph.subgraph([node for node, _ in top])
    pos = nx.spring_layout(sub, seed=1)
    names = organizations.set_index("org_id")["name"]
    edge_x, edge_y = [], []
    for a, b in sub.edges():
        edge_x += [pos[a][0], pos[b][0], None]
        edge_y += [pos[a][1], pos[b][1], None]
    nodes = list(sub.nodes())
    fig = go.Figure([
        go.Scatter(x=edge_x, y=edge_y, mode="lines", line={"width": 0.5, "color": "#999"}, hoverinfo="none"),
        go.Scatter(x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers",
                   text=[names.get(n, n) for n in nodes], marker={"size": 8}),
    ])
    fig.update_layout(showlegend=False)
    st.plotly_chart(fig)
    st.subheader("Most connected")
    st.dataframe(pd.DataFrame(top[:20], columns=["org_id", "links"]).assign(name=lambda t: t["org_id"].map(names)),
                 hide_index=True)

else:
    st.dataframe(df, hide_index=True)
