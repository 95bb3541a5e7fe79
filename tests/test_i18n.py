"""Both interface languages say everything: same keys, same placeholders, every enum labelled, no dead key."""

import ast
import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import pytest

from conftest import ROOT
from dashlib.charts.tables import TABLE_ORDER
from dashlib.i18n import ENUM_LABELS, MESSAGES, label, t
from dashlib.model import enum_values
from dashlib.query.summary import KeyFigures
from dashlib.query.timeline import COUNT_PERIODS

PLACEHOLDER = re.compile(r"{(\w+)")


def test_catalogues_have_the_same_keys_and_placeholders():
    assert set(MESSAGES["en"]) == set(MESSAGES["fr"])
    for key, english in MESSAGES["en"].items():
        assert set(PLACEHOLDER.findall(english)) == set(PLACEHOLDER.findall(MESSAGES["fr"][key])), key


@pytest.mark.parametrize(("kind", "table", "column"), [
    ("org_type", "organizations", "org_type"), ("event_type", "events", "event_type"),
    ("role", "participations", "role"), ("relation_type", "relations", "relation_type"),
    ("kind", "places", "kind"), ("authority", "sources", "authority"),
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


# --- Every key is used by some code path, and every key the code names exists -------------------------

CODE = [path for path in (*sorted((ROOT / "src" / "dashlib").rglob("*.py")), ROOT / "app.py",
                          *sorted((ROOT / "pages").glob("*.py")))
        if path != ROOT / "src" / "dashlib" / "i18n.py"]
NAMESPACES = {key.split(".")[0] for key in MESSAGES["en"]}
DOTTED = re.compile(r"[a-z_]+(?:\.[a-z0-9_]+)+")
# count_text(key, n) picks key_<CLDR category> when the language has that form (charts/locale.py).
PLURAL_SUFFIXES = ("_zero", "_one", "_two", "_few", "_many")
# Keys the code builds from a prefix (f"table.{name}"): where the values come from. A prefix not listed
# here takes the string literals of the widget call it sits in (st.pills(..., ["points", "arcs"],
# format_func=lambda v: view.t(f"map.{v}"))); a prefix with neither fails the test, so that a key
# hidden behind a prefix is never taken as used just because of its prefix.
KEY_FAMILIES: dict[str, tuple[str, ...]] = {
    "overview.": tuple(figure.name for figure in fields(KeyFigures)),  # pages/overview.py: one metric each
    "table.": TABLE_ORDER,  # ui/datainout.py: the table to download
    "quote.": tuple(enum_values("sources", "text_kind")),  # ui/widgets.py: verbatim or notes
    "timeline.period.": tuple(name for name, _ in COUNT_PERIODS),  # charts/timeline.py
}


@dataclass
class KeyUse:
    """What the code says about message keys: literal keys, and keys built from a prefix."""

    literals: dict[str, str] = field(default_factory=dict)  # key -> where
    families: dict[str, set[str]] = field(default_factory=dict)  # prefix -> values seen beside it
    undeclared: list[str] = field(default_factory=list)


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body and isinstance(node.body[0], ast.Expr)}


def _string_lists(call: ast.Call) -> set[str]:
    return {element.value for argument in call.args if isinstance(argument, ast.List | ast.Tuple)
            for element in argument.elts if isinstance(element, ast.Constant) and isinstance(element.value, str)}


def scan(paths: list[Path]) -> KeyUse:
    use = KeyUse()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        skip = _docstrings(tree)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        for node in ast.walk(tree):
            where = f"{shown}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                if DOTTED.fullmatch(node.value) and node.value.split(".")[0] in NAMESPACES:
                    use.literals.setdefault(node.value, where)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                prefix = node.values[0].value
                if not any(key.startswith(prefix) for key in MESSAGES["en"]) or "." not in prefix:
                    continue
                beside = set().union(*(_string_lists(call) for call in calls
                                       if any(inner is node for inner in ast.walk(call))))
                if prefix in KEY_FAMILIES:
                    use.families.setdefault(prefix, set()).update(KEY_FAMILIES[prefix])
                elif beside:
                    use.families.setdefault(prefix, set()).update(beside)
                else:
                    use.undeclared.append(f"{where}: f\"{prefix}{{…}}\"")
    return use


def used_keys(use: KeyUse) -> set[str]:
    keys = set(use.literals) | {prefix + value for prefix, values in use.families.items() for value in values}
    return keys | {key + suffix for key in keys for suffix in PLURAL_SUFFIXES}


def test_every_key_built_from_a_prefix_says_where_its_values_come_from():
    assert scan(CODE).undeclared == []


def test_every_message_key_is_used_by_some_code_path():
    unused = sorted(set(MESSAGES["en"]) - used_keys(scan(CODE)))
    assert not unused, f"message keys no code uses (remove them, or use them): {unused}"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_key_the_code_names_exists(lang):
    use = scan(CODE)
    missing = {key: where for key, where in use.literals.items() if key not in MESSAGES[lang]}
    missing |= {prefix + value: "built from a prefix" for prefix, values in use.families.items()
                for value in values if prefix + value not in MESSAGES[lang]}
    assert missing == {}


def test_the_scan_sees_keys_built_from_a_prefix_and_dead_keys_behind_it(tmp_path):
    page = tmp_path / "page.py"
    page.write_text('import streamlit as st\n'
                    'st.pills("Layers", ["points", "arcs"], format_func=lambda v: view.t(f"map.{v}"))\n'
                    'view.t(f"overview.{key}")\n'
                    'text = view.t("nav.map")  # a literal key\n'
                    'other = view.t(f"{key}.title")  # no prefix: says nothing\n', encoding="utf-8")
    use = scan([page])
    keys = used_keys(use)
    assert {"map.points", "map.arcs", "nav.map", "overview.events"} <= keys
    assert "map.labels" not in keys and "overview.headline" not in keys
    assert use.undeclared == []
