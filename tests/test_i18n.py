"""Both interface languages say everything: same keys, same placeholders, every enum labelled."""

import re

import pytest

from dashlib.i18n import ENUM_LABELS, MESSAGES, label, t
from dashlib.model import enum_values

PLACEHOLDER = re.compile(r"{(\w+)")


def test_catalogues_have_the_same_keys_and_placeholders():
    assert set(MESSAGES["en"]) == set(MESSAGES["fr"])
    for key, english in MESSAGES["en"].items():
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(MESSAGES["fr"][key])), key


@pytest.mark.parametrize(("kind", "table", "column"), [
    ("org_type", "organizations", "org_type"), ("event_type", "events", "event_type"),
    ("role", "participations", "role"), ("relation_type", "relations", "relation_type"),
    ("kind", "places", "kind"),
])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_enum_value_has_a_label(kind, table, column, lang):
    for value in enum_values(table, column):
        assert value in ENUM_LABELS[kind][lang], (kind, value, lang)


def test_lookups():
    assert t("nav.map", "fr") == "Carte"
    assert t("map.alt", "en", n=3, arcs=2) == "Map of 3 places with 2 partner links"
    assert t("no.such.key", "fr") == "no.such.key"
    assert label("org_type", "ngo", "fr") == "ONG"
    assert label("org_type", "someone_elses_type", "fr") == "someone_elses_type"
