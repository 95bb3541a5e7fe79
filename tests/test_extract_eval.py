"""Honest evaluation: the extractor, with no package of known names, against facts the texts are known to state.

The bundled press release is the gold standard: its facts are in data/, each with its quote. Two
more texts, in English and Chinese, were written for these tests from checked context facts, with
their expected facts beside them (tests/fixtures/extract/). The figures are printed in the test
output; the issue's targets are asserted for the press release, and a floor for the others.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dashlib.extract import SourceMeta, propose
from dashlib.extract.evaluate import gold_from_dataset, gold_from_fixture, report, score
from dashlib.model import BUNDLED_DATA
from dashlib.package.load import load_package

FIXTURES = Path(__file__).parent / "fixtures" / "extract"
TARGET_RECALL = {"organizations": 0.9, "places": 0.9, "dates": 0.9, "participations": 0.8}
TARGET_PRECISION = 0.7


def show(capsys, text: str) -> None:
    with capsys.disabled():
        print("\n" + text)


def test_press_release_meets_the_targets(capsys):
    package = load_package(BUNDLED_DATA).dataset
    source = package.sources.set_index("source_id").loc["press-release-fr"]
    gold = gold_from_dataset(package, "press-release-fr")
    # The gold standard is what data/ records from this source: 7 places, 9 organisations, 2 events …
    assert (len(gold.places), len(gold.organizations), len(gold.events), len(gold.participations)) == (7, 9, 2, 4)
    found = propose(package.source_texts["press-release-fr"],
                    SourceMeta(source_id="eval", title=source["title"], published=source["published"].date()))
    scores = score(found, gold)
    show(capsys, report("press release (fr), no known names", scores))
    for kind, floor in TARGET_RECALL.items():
        assert scores[kind].recall >= floor, scores[kind]
    for kind in ("organizations", "places", "dates", "participations", "events"):
        assert scores[kind].precision >= TARGET_PRECISION, scores[kind]


@pytest.mark.parametrize("name", ["partners-en", "side-event-zh"])
def test_own_texts(name, capsys):
    gold, fixture = gold_from_fixture(FIXTURES / f"{name}.json")
    meta = fixture["source"]
    text = (FIXTURES / fixture["text"]).read_text(encoding="utf-8")
    found = propose(text, SourceMeta(source_id=meta["source_id"], title=meta["title"],
                                     published=date.fromisoformat(meta["published"])))
    assert found.source.language == meta["language"]
    scores = score(found, gold)
    show(capsys, report(f"{name} ({meta['language']}), no known names", scores))
    # A floor against regressions, below the press release's targets: these texts were not tuned for.
    for kind in ("dates", "places", "organizations", "events", "participations"):
        assert scores[kind].recall >= 0.6, scores[kind]
        assert scores[kind].precision >= 0.6, scores[kind]
