"""The filters, declared once: one entry per filter, read by everything that deals with filters.

Each :class:`FilterSpec` says where one filter lives in every layer::

    field       org_types            the attribute of :class:`~dashlib.query.filters.Filters`
    param       org_type             the URL query parameter (public: shared links use it)
    widget_key  f_org_types          the sidebar widget's session-state key (tests, the benchmark)
    kind        list                 a date-range bound, a list of values, or free text
    label_key   sidebar.org_types    the message key of the widget's label (:mod:`dashlib.i18n`)
    vocabulary  organizations.org_type, the schema's enum, shown with its labels
    narrows     organizations.org_type: keep the organisations whose org_type is chosen

The sidebar (:mod:`dashlib.ui.sidebar`), the URL state (:mod:`dashlib.query.urlstate`: parsing,
writing, vocabulary), the filter function (:func:`dashlib.query.filters.apply`), the CLI's
``--query``, the chart selections (:mod:`dashlib.ui.selection`) and the benchmark all read
:data:`FILTERS`; ``Filters`` is checked against it when it is imported.

``narrows`` is either ``"table.column"``, for a filter that keeps the rows of ``events``,
``organizations`` or ``relations`` whose column holds one of the chosen values (the rest of the
dataset follows, see :mod:`dashlib.query.filters`), or the name of a rule in
:data:`dashlib.query.filters.RULES` for anything else (the date range, topics, places inside
places, countries, text search).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import pandas as pd

from dashlib.model import Dataset, enum_values

MAX_TEXT = 200


class Kind(StrEnum):
    """What a filter holds: one end of the date range, a list of values, or free text."""

    DATE_FROM = "date_from"
    DATE_TO = "date_to"
    LIST = "list"
    TEXT = "text"


# The value of a filter nobody set, by kind (also the Filters field's default).
EMPTY = {Kind.DATE_FROM: None, Kind.DATE_TO: None, Kind.LIST: (), Kind.TEXT: ""}


def _table_column(dotted: str) -> tuple[str, str]:
    table, _, column = dotted.partition(".")
    return table, column


@dataclass(frozen=True)
class Vocabulary:
    """Where a list filter's values come from, their order, and how a value reads.

    Attributes
    ----------
    column : str
        ``"table.column"`` holding the values, for example ``"organizations.org_id"``.
    order : str
        ``"enum"``: the values rows use, in the order of the column's enum in the schema (a
        menu offers no value that would show nothing); ``"table"``: as the table lists them;
        ``"value"``: sorted; ``"label"``: sorted by how they read (by the ``shown_as`` column
        here, by the shown text in the sidebar).
    shown_as : str
        How the sidebar shows a value: ``"enum"`` (the catalogue's label of the enum value),
        ``"country"`` (the country's name), ``"value"`` (as stored), or a column of the values'
        table that names them (``"name"``; ``"label_{lang}"`` picks the interface language's).
    also : tuple of str
        More ``"table.column"`` whose values join the list (countries of places as well as of
        organisations).
    busiest : tuple of str
        ``"table.column"`` whose occurrences rank the values when a list is too long to offer
        whole: the sidebar then offers the busiest ones.
    """

    column: str
    order: str = "table"
    shown_as: str = "value"
    also: tuple[str, ...] = ()
    busiest: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        """Return the table the values come from."""
        return _table_column(self.column)[0]

    def values(self, dataset: Dataset) -> list[str]:
        """Return the values a dataset allows, in this vocabulary's order.

        Parameters
        ----------
        dataset : Dataset
            The whole dataset.

        Returns
        -------
        list of str
            Without duplicates or missing values.
        """
        table, column = _table_column(self.column)
        frame = dataset.tables[table]
        if self.order == "enum":
            used = {str(v) for v in pd.concat([frame[column], *(dataset.tables[t][c]
                                                                for t, c in map(_table_column, self.also))])
                    .dropna().unique()}
            return [value for value in enum_values(table, column) if value in used]
        by_name = self.order == "label" and self.shown_as in frame.columns
        if by_name:
            frame = frame.sort_values(self.shown_as, kind="stable")
        found = [frame[column], *(dataset.tables[t][c] for t, c in map(_table_column, self.also))]
        # Distinct values first (in order of appearance): a column of a million rows holds a few thousand.
        values = list(dict.fromkeys(str(v) for v in pd.concat(found).dropna().unique()))
        return values if self.order == "table" or by_name else sorted(values)

    def busy_counts(self, dataset: Dataset) -> pd.Series:
        """Return how often each value occurs in the :attr:`busiest` columns, most first."""
        found = [dataset.tables[t][c] for t, c in map(_table_column, self.busiest)]
        return pd.concat(found).dropna().astype("str").value_counts() if found else pd.Series(dtype="int64")


@dataclass(frozen=True)
class FilterSpec:
    """One filter, everywhere it appears (see the module docstring for an example).

    Attributes
    ----------
    field : str
        The attribute of :class:`~dashlib.query.filters.Filters` that holds its value.
    param : str
        The URL query parameter (repeated for a list).
    widget_key : str
        The session-state key of its sidebar widget.
    kind : Kind
        ``DATE_FROM``/``DATE_TO`` (the two ends of the one date range, ``datetime.date``),
        ``LIST`` (a tuple of values from :attr:`vocabulary`) or ``TEXT`` (a string).
    label_key : str
        The message key of the widget's label.
    narrows : str
        ``"table.column"`` or the name of a rule in :data:`dashlib.query.filters.RULES`.
    vocabulary : Vocabulary or None
        The values a list filter allows; None for the other kinds.
    help_key : str or None
        The message key of the widget's help text, if it has one.
    """

    field: str
    param: str
    widget_key: str
    kind: Kind
    label_key: str
    narrows: str
    vocabulary: Vocabulary | None = None
    help_key: str | None = None

    def __post_init__(self) -> None:
        if (self.kind is Kind.LIST) != (self.vocabulary is not None):
            raise ValueError(f"filter {self.field!r}: a vocabulary is needed by list filters, and only by them")

    @property
    def list_vocabulary(self) -> Vocabulary:
        """Return the vocabulary of a list filter (one whose ``kind`` is ``LIST``).

        Raises
        ------
        ValueError
            For a filter of another kind, which has none.
        """
        if self.vocabulary is None:
            raise ValueError(f"filter {self.field!r} is not a list filter: it has no vocabulary")
        return self.vocabulary

    @property
    def empty(self) -> object:
        """Return the value that means "not set" (``None``, ``()`` or ``""``)."""
        return EMPTY[self.kind]


# In the order of the public URL parameters.
FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("start", "start", "f_start", Kind.DATE_FROM, "sidebar.start", narrows="date_from"),
    FilterSpec("end", "end", "f_end", Kind.DATE_TO, "sidebar.end", narrows="date_to"),
    FilterSpec("org_types", "org_type", "f_org_types", Kind.LIST, "sidebar.org_types",
               narrows="organizations.org_type",
               vocabulary=Vocabulary("organizations.org_type", order="enum", shown_as="enum")),
    FilterSpec("countries", "country", "f_countries", Kind.LIST, "sidebar.countries", narrows="countries",
               vocabulary=Vocabulary("organizations.country_code", order="label", shown_as="country",
                                     also=("places.country_code",))),
    FilterSpec("topics", "topic", "f_topics", Kind.LIST, "sidebar.topics", narrows="topics",
               vocabulary=Vocabulary("topics.topic_id", shown_as="label_{lang}")),
    FilterSpec("relation_types", "relation_type", "f_relation_types", Kind.LIST, "sidebar.relation_types",
               narrows="relations.relation_type",
               vocabulary=Vocabulary("relations.relation_type", order="enum", shown_as="enum")),
    FilterSpec("orgs", "org", "f_orgs", Kind.LIST, "sidebar.orgs", narrows="organizations.org_id",
               vocabulary=Vocabulary("organizations.org_id", order="label", shown_as="name",
                                     busiest=("participations.org_id", "relations.from_org_id",
                                              "relations.to_org_id"))),
    FilterSpec("places", "place", "f_places", Kind.LIST, "sidebar.places", narrows="places",
               vocabulary=Vocabulary("places.place_id", order="label", shown_as="name",
                                     busiest=("events.place_id",))),
    FilterSpec("text", "q", "f_text", Kind.TEXT, "sidebar.search", narrows="text", help_key="sidebar.search_help"),
)


def by_field(name: str, spec: Iterable[FilterSpec] = FILTERS) -> FilterSpec:
    """Return the entry of the filter held in the ``Filters`` attribute ``name``.

    Parameters
    ----------
    name : str
        A ``Filters`` field, for example ``"places"``.
    spec : iterable of FilterSpec
        The filter table; the app's by default.

    Returns
    -------
    FilterSpec
        The entry; ``KeyError`` when no filter has that field.
    """
    for entry in spec:
        if entry.field == name:
            return entry
    raise KeyError(f"no filter holds {name!r}")


def widget_keys(spec: Iterable[FilterSpec] = FILTERS) -> dict[str, str]:
    """Return each filter's widget key by its ``Filters`` field (``{"org_types": "f_org_types", …}``)."""
    return {entry.field: entry.widget_key for entry in spec}
