"""Where each place is: the geocoding chain and what it asks.

- :mod:`dashlib.geo.chain`: the chain (manual → cache → gazetteer → online when asked → parent,
  approximate → unresolved), :func:`~dashlib.geo.chain.resolve_places`, the result types;
- :mod:`dashlib.geo.gazetteer`: the offline GeoNames gazetteer;
- :mod:`dashlib.geo.nominatim`: the online look-up (Nominatim through geopy, within its usage policy);
- :mod:`dashlib.geo.geocache`: the ``geocache.csv`` table, read, merged and written atomically;
- :mod:`dashlib.geo.hits`: what a look-up answers, shared by the others.

The ``dashlib geocode`` command is :mod:`dashlib.cli.geocode`. Nothing here imports streamlit.
"""
