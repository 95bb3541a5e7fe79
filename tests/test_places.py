"""The places hierarchy (PlaceTree): walks up and down, loop-safe, as tables of cases."""

from __future__ import annotations

import pandas as pd
import pytest

from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package
from dashlib.query.places import Ancestry, PlaceTree

# Beijing's districts down to a community; a venue inside a venue in Baku; two towns that name each
# other as parent (a loop); a venue whose parent is no place of the table.
PLACES = pd.DataFrame(
    [
        ("beijing", "Beijing", "city", None),
        ("shunyi", "Shunyi District", "district", "beijing"),
        ("houshayu", "Houshayu", "town", "shunyi"),
        ("jiangshanfu", "Jiangshanfu", "community", "houshayu"),
        ("azerbaijan", "Azerbaijan", "country", None),
        ("baku", "Baku", "city", "azerbaijan"),
        ("stadium", "Baku Olympic Stadium", "venue", "baku"),
        ("pavilion", "China Pavilion", "venue", "stadium"),
        ("loop-a", "Town A", "town", "loop-b"),
        ("loop-b", "Town B", "town", "loop-a"),
        ("orphan", "Orphan Hall", "venue", "nowhere"),
        ("self", "Itself", "town", "self"),
    ],
    columns=["place_id", "name", "kind", "parent_place_id"],
)
TREE = PlaceTree(PLACES)


@pytest.mark.parametrize(("place", "expected"), [
    ("jiangshanfu", Ancestry(("houshayu", "shunyi", "beijing"))),
    ("beijing", Ancestry(())),
    ("pavilion", Ancestry(("stadium", "baku", "azerbaijan"))),
    ("loop-a", Ancestry(("loop-b",), loop="loop-a")),
    ("self", Ancestry((), loop="self")),
    ("orphan", Ancestry((), unknown="nowhere")),
    ("mars", Ancestry(())),
])
def test_ancestry(place, expected):
    assert TREE.ancestry(place) == expected
    assert TREE.ancestors(place) == expected.ids


@pytest.mark.parametrize(("roots", "expected"), [
    (["shunyi"], {"shunyi", "houshayu", "jiangshanfu"}),
    (["beijing"], {"beijing", "shunyi", "houshayu", "jiangshanfu"}),
    (["jiangshanfu"], {"jiangshanfu"}),
    (["azerbaijan", "houshayu"], {"azerbaijan", "baku", "stadium", "pavilion", "houshayu", "jiangshanfu"}),
    (["loop-a"], {"loop-a", "loop-b"}),
    (["self"], {"self"}),
    ([], set()),
])
def test_descendants(roots, expected):
    assert TREE.descendants(roots) == expected


@pytest.mark.parametrize(("ids", "expected"), [
    ({"jiangshanfu"}, {"jiangshanfu", "houshayu", "shunyi", "beijing"}),
    ({"houshayu", "jiangshanfu"}, {"jiangshanfu", "houshayu", "shunyi", "beijing"}),
    ({"pavilion", "shunyi"}, {"pavilion", "stadium", "baku", "azerbaijan", "shunyi", "beijing"}),
    ({"loop-b"}, {"loop-a", "loop-b"}),
    ({"orphan"}, {"orphan"}),
    (set(), set()),
])
def test_with_ancestors(ids, expected):
    assert TREE.with_ancestors(ids) == expected


@pytest.mark.parametrize(("place", "kinds", "expected"), [
    ("jiangshanfu", None, "Jiangshanfu, Houshayu, Shunyi District, Beijing"),
    # A venue inside a venue: the stadium is no area, so it is left out.
    ("pavilion", None, "China Pavilion, Baku, Azerbaijan"),
    ("jiangshanfu", ("city",), "Jiangshanfu, Beijing"),
    ("pavilion", ("venue", "city"), "China Pavilion, Baku Olympic Stadium, Baku"),
    ("loop-a", None, "Town A, Town B"),
    ("orphan", None, "Orphan Hall"),
    ("mars", None, ""),
    (None, None, ""),
    (float("nan"), None, ""),
])
def test_chain(place, kinds, expected):
    chain = TREE.chain(place) if kinds is None else TREE.chain(place, kinds)
    assert chain == expected


def test_chains_name_every_place_or_the_ones_asked():
    chains = TREE.chains()
    assert set(chains) == set(PLACES["place_id"])
    assert chains["houshayu"] == "Houshayu, Shunyi District, Beijing"
    assert TREE.chains(["baku", "mars"]) == {"baku": "Baku, Azerbaijan"}


def test_rollup_counts_each_place_for_every_place_it_lies_in():
    total = TREE.rollup({"jiangshanfu": 2, "shunyi": 1, "pavilion": 3, "loop-a": 1, "orphan": 4, "mars": 5})
    assert total["jiangshanfu"] == 2
    assert (total["houshayu"], total["shunyi"], total["beijing"]) == (2, 3, 3)
    assert (total["stadium"], total["baku"], total["azerbaijan"]) == (3, 3, 3)
    assert (total["loop-a"], total["loop-b"]) == (1, 1)  # counted once each, despite the loop
    assert total["orphan"] == 4
    assert "mars" not in total and "nowhere" not in total
    assert total["self"] == 0


def test_missing_parents_of_a_loaded_table():
    # The loader's typed places: parent_place_id is missing (not "") for top-level places.
    places = load_package(BUNDLED_DATA).dataset.places
    tree = PlaceTree(places)
    assert tree.descendants(["shunyi"]) == {"shunyi", "houshayu", "jiangshanfu"}
    assert tree.chain("jiangshanfu") == "Jiangshanfu, Houshayu, Shunyi District, Beijing"
    roots = {p for p in places["place_id"] if not tree.ancestors(p)}
    assert roots and all(tree.ancestry(p).unknown is None for p in roots)
