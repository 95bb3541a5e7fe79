"""Interface text in English and French.

``t("key", lang, **values)`` looks a string up and fills ``{placeholders}``; a key missing in
French falls back to English, and a key missing everywhere shows as itself (a test checks
that both catalogues have the same keys). Enum values (organisation types, roles …) have their
own labels through :func:`label`.
"""

from __future__ import annotations

from collections.abc import Mapping

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "en": {
        "app.title": "Climate Action Atlas",
        "app.tagline": "City climate-action events: where, when, who takes part, and how partners are linked.",
        "nav.overview": "Overview",
        "nav.map": "Map",
        "nav.timeline": "Timeline",
        "nav.network": "Partner network",
        "nav.data": "Data & sources",
        "sidebar.filters": "Filters",
        "sidebar.start": "From",
        "sidebar.end": "To",
        "sidebar.org_types": "Organisation types",
        "sidebar.countries": "Countries",
        "sidebar.topics": "Topics",
        "sidebar.relation_types": "Relation types",
        "sidebar.orgs": "Organisations",
        "sidebar.places": "Places",
        "sidebar.search": "Search",
        "sidebar.search_help": "Words in titles, summaries, organisation or place names (English, French or local) "
                               "or topics",
        "sidebar.reset": "Reset filters",
        "engine.unavailable": "The database ({where}) does not answer right now, so these results were filtered from "
                              "the copy loaded at start-up. They may miss the latest changes; reload the page later.",
        "sidebar.all": "All",
        "sidebar.dataset": "Data: {name}",
        "sidebar.share": "The address bar holds this view: copy it to share it.",
        "notice.url": "Some parts of the link were ignored:",
        "empty.title": "Nothing matches these filters.",
        "empty.hint": "Widen the date range, remove a filter, or reset them all in the sidebar.",
        "overview.headline": "Headline event",
        "overview.dates": "Dates",
        "overview.place": "Place",
        "overview.organiser": "Organiser",
        "overview.organiser_none": "not stated in the sources",
        "overview.topics": "Topics",
        "overview.part_of": "Part of",
        "overview.participants": "Who took part",
        "overview.figures": "Key figures for the current filters",
        "overview.events": "Events",
        "overview.organizations": "Organisations",
        "overview.countries": "Countries",
        "overview.places": "Places",
        "overview.relations": "Relations",
        "overview.source_label": "Source:",
        "overview.provenance": "Published by {publisher} on {published}, in {language}.",
        "overview.quote": "What the source says",
        "overview.open_source": "Open the source",
        "quote.verbatim": "verbatim from the source",
        "quote.notes": "from the project's notes on a public source",
        # Provenance wherever a quote is shown (issue 12): the source, the kind of quote, its authority.
        "col.authority": "Authority",
        "col.quote_kind": "Kind of quote",
        "overview.participants_note": "Each row names the source its quote comes from, whether the quote is the "
        "source's own words or the project's notes on it, and how far the source can be relied on.",
        "overview.participants_more": "The first {shown} of {total} participants; the Data & sources page lists "
        "them all.",
        "data.authority_split": "Sources by authority: {split}.",
        "data.authority_help": "Official source: a public body, or an organisation on its own site. Press: news "
        "agencies, newspapers and news services. Reference work: encyclopedias and curated references. Secondary "
        "copy: blogs, copies, mirrors and pages of unestablished standing; check a fact elsewhere before citing it.",
        "map.title": "Where",
        "map.caption": "Places sized by how many events and organisations they hold; arcs link partners' places.",
        "map.points": "Places",
        "map.arcs": "Partner links",
        "map.labels": "Labels",
        "map.places_table": "Places and where their coordinates come from",
        "map.unresolved": "Not on the map (no coordinates found): {names}",
        "map.unresolved_more": "{names} and {more} more",
        "map.approximate": "Approximate: {names} (drawn around the point of the place they are in)",
        "map.select_hint": "Click a place, or choose it in the list above the map, to narrow every view to it. "
                           "Zoom in to tell apart places that stand close together.",
        "map.layers": "Layers",
        "map.pick_place": "Go to a place",
        "map.pick_help": "Narrows every view to the place, as a click on its point does.",
        "map.all_places": "All places",
        "map.credits": "Basemap © [OpenStreetMap contributors](https://www.openstreetmap.org/copyright) "
                       "© [CARTO](https://carto.com/attributions) (when online) · coastlines and borders: "
                       "[Natural Earth](https://www.naturalearthdata.com/) (public domain)",
        "map.credits_button": "Show or hide the basemap's credits",
        "map.zoom_in": "Zoom in",
        "map.zoom_out": "Zoom out",
        "map.alt": "Map of {n} places with {arcs} partner links",
        "map.nothing": "None of the places of the current selection has coordinates.",
        "timeline.title": "When",
        "timeline.caption": "Multi-day events as bars, one-day events as markers, coloured by event type.",
        "timeline.context": "Show COP sessions for context",
        "timeline.alt": "Timeline of {n} events from {first} to {last}",
        "timeline.alt_one": "Timeline of {n} event from {first} to {last}",
        "timeline.count": "{n} events",
        "timeline.context_hover": "Shown for context: the current filters leave it out.",
        "timeline.alt_context": "Faded for context, outside the current filters: {n}.",
        "timeline.count_one": "{n} event",
        "timeline.caption_aggregated": "Too many events to draw one by one: they are counted per {period} and "
        "stacked by event type.",
        "timeline.alt_aggregated": "{n} events from {first} to {last}: counted per {period}, as over {max} are "
        "too many to draw one by one; narrow the filters to see each event.",
        "timeline.alt_context_hidden": "COP sessions for context are shown only when each event is drawn.",
        "timeline.alt_context_skipped": "The {n} COP sessions of this span are too many to add for context.",
        "timeline.context_help": "Adds, faded, the COP sessions the filters leave out; only when each event is "
        "drawn (up to {max} events).",
        "timeline.bar_hover": "{period} · {type}: {count}",
        "timeline.axis_count": "Events per {period}",
        "timeline.week_of": "week of {date}",
        "timeline.period.year": "year",
        "timeline.period.month": "month",
        "timeline.period.week": "week",
        "timeline.period.day": "day",
        "network.title": "With whom",
        "network.caption": "Organisations coloured by type and sized by links; hover a link for the quote that "
        "states it.",
        "network.ranking": "Most connected partners",
        "network.select_hint": "Click an organisation, or choose it in the list above, to see its own network; "
        "every other page narrows to it.",
        "network.alt": "Network of {organisations} and {links}",
        "network.organisations": "{n} organisations",
        "network.organisations_one": "{n} organisation",
        "network.links": "{n} links",
        "network.links_one": "{n} link",
        "network.co_participation": "took part together in",
        "network.degree": "Links",
        "network.context": "Outside the current filters: shown as the partner of an organisation in them",
        "network.other_type": "Other",
        "network.shared_events": "{n} shared events",
        "network.shared_events_one": "{n} shared event",
        "network.relations_count": "{n} relations",
        "network.relations_count_one": "{n} relation",
        "network.example": "For example",
        "network.summary_nodes": "Showing the {shown} most connected of {total} organisations.",
        "network.summary_lines": "Each line stands for all the relations of one type, or all the shared events, "
        "of two organisations: the more there are, the wider it is. {lines} lines stand for {drawn} links; "
        "{hidden} more links are not drawn.",
        "network.ranking_top": "The {shown} most connected of {total} organisations.",
        "network.links_counted": "Links: each relation, and each other organisation met at a shared event, "
        "counts one.",
        # The network of a chosen organisation, the list beside the chart, image export (issue 12).
        "network.pick": "Show the network of",
        "network.pick_all": "All organisations",
        "network.pick_help": "Does what a click on an organisation in the chart does: shows its own network (its "
        "partners and the links among them) and narrows every other page to it.",
        "network.show_all": "Show every organisation",
        "network.ego": "**The network of {names}**: {partners} and the links among them. The other pages show only "
        "what concerns it.",
        "network.ego_several": "**The network of {names}**: {partners} and the links among them. The other pages show "
        "only what concerns them.",
        "network.partners": "{n} partners",
        "network.partners_one": "{n} partner",
        "network.unknown_source": "unknown source",
        "chart.image_format": "Save the chart as",
        "chart.image_help": "The camera button in the chart's toolbar (at its top right) saves the chart as an image "
        "in this format: PNG for a picture, SVG for a drawing that stays sharp at any size.",
        "timeline.range": "Show",
        "timeline.range_help": "The conference the headline event belongs to, a year around the headline event (six "
        "months either side), or every event the filters keep. The sidebar's dates do not change.",
        "timeline.range.year": "One year",
        "timeline.range.all": "All",
        "timeline.headline": "Headline event",
        "timeline.alt_headline": "The headline event is marked: {title} ({date}).",
        "data.title": "Data & sources",
        "data.tables": "Tables",
        "data.source_text": "Source text, with every quoted span highlighted",
        "data.quoted_by": "Quoted by",
        "data.downloads": "Download what you see",
        "data.upload": "Use your own data",
        "table.events": "Events",
        "table.organizations": "Organisations",
        "table.participations": "Participations",
        "table.relations": "Relations",
        "table.places": "Places",
        "table.sources": "Sources",
        "overview.events_help": "Events that meet every filter set: dates, topics, places, countries, "
                                "organisations, search.",
        "overview.organizations_help": "Organisations that meet the organisation, place and country filters; "
                                       "with a date, topic or relation filter, only those that took part in a "
                                       "kept event or are an end of a kept relation (links no event ties to stay "
                                       "for any topic).",
        "overview.countries_help": "Countries of the kept organisations and of the places where kept events happen.",
        "overview.places_help": "Places where kept events happen or kept organisations are based, and the areas "
                                "they lie in (the rows of the Places table on Data & sources).",
        "overview.relations_help": "Links between organisations with at least one end kept, of the chosen types, "
                                   "dated in the range (undated links count for any range).",
        "col.id": "Identifier",
        "col.publisher": "Publisher",
        "col.published": "Published",
        "col.url": "Address",
        "col.language": "Language",
        "data.pick_source": "Source",
        "upload.label": "A data package: one .zip, or its CSV files (with or without datapackage.json) and "
        "source texts",
        "upload.help": "Up to {mb} MB per file. It is checked before use and replaces the data for this browser "
        "session only; nothing is stored on the server.",
        "upload.ok": "Now showing your data ({names}). Only you see it, until you close this tab.",
        "upload.failed": "{names}: {n} problem(s) found, so nothing changed: the app still shows the data it had.",
        "upload.back": "Back to the bundled data",
        "upload.template": "Template package (the schema with example rows)",
        "upload.button": "Upload",
        "upload.input": "Choose the files to upload",
        "upload.add": "Add files",
        "upload.remove": "Remove {name}",
        "cite.title": "Cite this view",
        "cite.help": "The address keeps the view's filters and choices; the version names the data it shows (a "
        "digest of their content).",
        "cite.text": "{app} – {page}. Data: {data}, version {version}. {url} (accessed {accessed}).",
        "upload.limits": "{mb} MB per file • {types}",
        "upload.texts_note": "Loose CSV files need their source texts: add the files that sources.csv names in its "
        "file column (sources/…) to the upload, or upload the whole package as one .zip.",
        "upload.missing_texts": "The upload lacks source texts (listed last below). Add the files that sources.csv "
        "names in its file column, or upload the whole package as one .zip.",
        "problems.file": "File",
        "problems.column": "Column",
        "problems.problem": "Problem",
        "problems.count": "Times",
        "problems.rows": "First rows",
        "problems.also": "(also {values})",
        "map.lookup": "Look up {n} place(s) online",
        "map.lookup_help": "Asks Nominatim ({endpoint}) for the places found nowhere else, one request a second. "
        "The answers are kept for this session only.",
        "map.lookup_progress": "Looking up places…",
        "map.osm_attribution": "Some coordinates: © OpenStreetMap contributors (ODbL), found with Nominatim.",
        "overview.topic_help": "Click a topic to narrow every view to it.",
        "data.download_table": "Table to download",
        "data.csv_help": "For spreadsheets: cells that start like a formula (=, +, -, @) are prefixed with ' so "
        "they stay text.",
        "data.geojson_help": "The places of the view with their coordinates, for GIS tools.",
        "data.graphml_help": "The partner network, for Gephi or Cytoscape.",
        "data.package": "Data package",
        "data.package_help": "The filtered data as a data package (zip) that this app can load again.",
        "data.template": "Template",
        "map.hidden": "Showing the {shown} busiest places; {hidden} more are in the tables and downloads.",
        "data.truncated": "Showing the first {shown} of {total} rows; the downloads hold them all.",
        "extract.title": "Add a source",
        "extract.intro": "Paste or upload a press release, news item or report (English, French, Chinese …). The "
        "assistant proposes places, organisations, events, who took part and how partners are linked, each quoting "
        "its sentence. Nothing is added until you accept it; every quote is checked against the stored text.",
        "extract.paste": "Text of the source",
        "extract.file": "… or a file (.txt, .md, .html: HTML is turned into text, and that text is stored)",
        "extract.meta": "About the source",
        "extract.source_title": "Title (empty: its first line)",
        "extract.publisher": "Publisher",
        "extract.language": "Language, ISO 639-1 (empty: detected)",
        "extract.published": "Published on (dates without a year are read relative to it)",
        "extract.url": "Address (URL)",
        "extract.target": "Add to",
        "extract.target_current": "this session's package",
        "extract.target_empty": "a new, empty package",
        "extract.propose": "Propose facts",
        "extract.no_text": "Paste a text or choose a file first.",
        "extract.bad_file": "That file cannot be read: {error}",
        "extract.summary": "Source '{title}' ({language}): {counts}. Tick **accept** in the rows to keep; edit ids, "
        "types and roles in the tables; guesses and ambiguities are in the note column.",
        "extract.text": "The text, each proposal's words highlighted and numbered as in the tables (#)",
        "extract.dates": "Dates found (the events use them)",
        "extract.kind.places": "Places",
        "extract.kind.organizations": "Organisations",
        "extract.kind.events": "Events",
        "extract.kind.participations": "Participations",
        "extract.kind.relations": "Relations",
        "extract.none": "Nothing proposed.",
        "extract.accept_all": "Accept all",
        "extract.reject_all": "Reject all",
        "extract.check": "What would be added",
        "extract.nothing_accepted": "No row accepted yet: nothing would be added.",
        "extract.valid": "Valid: the package would gain the source and {n} accepted row(s).",
        "extract.invalid": "Not valid yet ({n} problem(s)): accept the rows these refer to, or edit them.",
        "extract.add": "Add the accepted rows to this session's package",
        "extract.added": "Added {n} row(s) from '{title}' to this session's package (the files on disk are unchanged).",
        "extract.download": "Download the package with them (zip)",
        "extract.discard": "Discard the proposals",
        "col.title": "Title",
        "col.table": "Table",
        "col.row": "Row",
        "col.found": "Found in the text",
        "col.name": "Name",
        "col.type": "Type",
        "col.start": "Start",
        "col.place": "Place",
        "col.role": "Role",
        "col.organisation": "Organisation",
        "col.country": "Country",
        "col.lat": "Latitude",
        "col.lon": "Longitude",
        "col.coord_source": "Coordinates from",
        "col.detail": "Detail",
        "col.source": "Source",
        "col.quote": "Quote",
        "col.event": "Event",
        "col.from": "From",
        "col.to": "To",
        "col.relation": "Relation",
    },
    "fr": {
        "app.title": "Atlas de l'action climatique",
        "app.tagline": "Les événements de l'action climatique des villes : où, quand, qui y participe, et comment "
        "les partenaires sont liés.",
        "nav.overview": "Vue d'ensemble",
        "nav.map": "Carte",
        "nav.timeline": "Chronologie",
        "nav.network": "Réseau des partenaires",
        "nav.data": "Données et sources",
        "sidebar.filters": "Filtres",
        "sidebar.start": "Du",
        "sidebar.end": "Au",
        "sidebar.org_types": "Types d'organisation",
        "sidebar.countries": "Pays",
        "sidebar.topics": "Thèmes",
        "sidebar.relation_types": "Types de relation",
        "sidebar.orgs": "Organisations",
        "sidebar.places": "Lieux",
        "sidebar.search": "Recherche",
        "sidebar.search_help": "Mots des titres, résumés, noms d'organisations ou de lieux (anglais, français ou "
                               "locaux) ou des thèmes",
        "sidebar.reset": "Réinitialiser les filtres",
        "engine.unavailable": "La base de données ({where}) ne répond pas pour le moment : ces résultats ont été "
                              "filtrés dans la copie chargée au démarrage. Ils peuvent ne pas refléter les dernières "
                              "modifications ; rechargez la page plus tard.",
        "sidebar.all": "Tous",
        "sidebar.dataset": "Données : {name}",
        "sidebar.share": "La barre d'adresse contient cette vue : copiez-la pour la partager.",
        "notice.url": "Une partie du lien a été ignorée :",
        "empty.title": "Aucun résultat pour ces filtres.",
        "empty.hint": "Élargissez les dates, retirez un filtre ou réinitialisez-les tous dans la barre latérale.",
        "overview.headline": "Événement principal",
        "overview.dates": "Dates",
        "overview.place": "Lieu",
        "overview.organiser": "Organisateur",
        "overview.organiser_none": "non précisé par les sources",
        "overview.topics": "Thèmes",
        "overview.part_of": "Dans le cadre de",
        "overview.participants": "Participants",
        "overview.figures": "Chiffres clés pour les filtres actuels",
        "overview.events": "Événements",
        "overview.organizations": "Organisations",
        "overview.countries": "Pays",
        "overview.places": "Lieux",
        "overview.relations": "Relations",
        "overview.source_label": "Source :",
        "overview.provenance": "Publié par {publisher} le {published}, en {language}.",
        "overview.quote": "Ce que dit la source",
        "overview.open_source": "Ouvrir la source",
        "quote.verbatim": "cité mot pour mot de la source",
        "quote.notes": "tiré des notes du projet sur une source publique",
        # Provenance wherever a quote is shown (issue 12): the source, the kind of quote, its authority.
        "col.authority": "Autorité",
        "col.quote_kind": "Nature de la citation",
        "overview.participants_note": "Chaque ligne nomme la source de sa citation, dit si la citation reprend les "
        "mots de la source ou les notes du projet, et jusqu'où la source fait foi.",
        "overview.participants_more": "Les {shown} premiers participants sur {total} ; la page Données et sources "
        "les liste tous.",
        "data.authority_split": "Sources par autorité : {split}.",
        "data.authority_help": "Source officielle : un organisme public, ou une organisation sur son propre site. "
        "Presse : agences de presse, journaux et services d'information. Ouvrage de référence : encyclopédies et "
        "références établies. Copie secondaire : blogs, copies, miroirs et pages de statut incertain ; vérifiez un "
        "fait ailleurs avant de le citer.",
        "map.title": "Où",
        "map.caption": "Lieux dimensionnés selon leurs événements et organisations ; les arcs relient les lieux "
        "des partenaires.",
        "map.points": "Lieux",
        "map.arcs": "Liens entre partenaires",
        "map.labels": "Étiquettes",
        "map.places_table": "Les lieux et l'origine de leurs coordonnées",
        "map.unresolved": "Absents de la carte (aucune coordonnée trouvée) : {names}",
        "map.unresolved_more": "{names} et {more} autres",
        "map.approximate": "Approximatifs : {names} (placés autour du point du lieu qui les contient)",
        "map.select_hint": "Cliquez sur un lieu, ou choisissez-le dans la liste au-dessus de la carte, pour y "
                           "restreindre toutes les vues. Zoomez pour distinguer les lieux proches les uns des autres.",
        "map.layers": "Couches",
        "map.pick_place": "Aller à un lieu",
        "map.pick_help": "Restreint toutes les vues au lieu, comme un clic sur son point.",
        "map.all_places": "Tous les lieux",
        "map.credits": "Fond de carte © [les contributeurs d'OpenStreetMap](https://www.openstreetmap.org/copyright) "
                       "© [CARTO](https://carto.com/attributions) (en ligne) · côtes et frontières : "
                       "[Natural Earth](https://www.naturalearthdata.com/) (domaine public)",
        "map.credits_button": "Afficher ou masquer les crédits du fond de carte",
        "map.zoom_in": "Zoom avant",
        "map.zoom_out": "Zoom arrière",
        "map.alt": "Carte de {n} lieux avec {arcs} liens entre partenaires",
        "map.nothing": "Aucun lieu de la sélection actuelle n'a de coordonnées.",
        "timeline.title": "Quand",
        "timeline.caption": "Les événements de plusieurs jours en barres, ceux d'un jour en points, colorés par "
        "type d'événement.",
        "timeline.context": "Afficher les sessions de la COP pour le contexte",
        "timeline.alt": "Chronologie de {n} événements du {first} au {last}",
        "timeline.alt_one": "Chronologie de {n} événement du {first} au {last}",
        "timeline.count": "{n} événements",
        "timeline.context_hover": "Affiché pour le contexte : les filtres actuels l'excluent.",
        "timeline.alt_context": "Estompés pour le contexte, hors des filtres actuels : {n}.",
        "timeline.count_one": "{n} événement",
        "timeline.caption_aggregated": "Trop d'événements pour les dessiner un à un : ils sont comptés par {period} "
        "et empilés par type d'événement.",
        "timeline.alt_aggregated": "{n} événements du {first} au {last} : comptés par {period}, car au-delà de "
        "{max} ils sont trop nombreux pour être dessinés un à un ; affinez les filtres pour voir chaque événement.",
        "timeline.alt_context_hidden": "Les sessions de la COP pour le contexte ne s'affichent que lorsque chaque "
        "événement est dessiné.",
        "timeline.alt_context_skipped": "Les {n} sessions de la COP de cette période sont trop nombreuses pour être "
        "ajoutées en contexte.",
        "timeline.context_help": "Ajoute, estompées, les sessions de la COP que les filtres excluent ; seulement "
        "quand chaque événement est dessiné (jusqu'à {max} événements).",
        "timeline.bar_hover": "{period} · {type} : {count}",
        "timeline.axis_count": "Événements par {period}",
        "timeline.week_of": "semaine du {date}",
        "timeline.period.year": "an",
        "timeline.period.month": "mois",
        "timeline.period.week": "semaine",
        "timeline.period.day": "jour",
        "network.title": "Avec qui",
        "network.caption": "Organisations colorées par type et dimensionnées par leurs liens ; survolez un lien "
        "pour lire la citation qui l'établit.",
        "network.ranking": "Partenaires les plus connectés",
        "network.select_hint": "Cliquez sur une organisation, ou choisissez-la dans la liste ci-dessus, pour voir "
        "son propre réseau ; toutes les autres pages s'y restreignent.",
        "network.alt": "Réseau de {organisations} et {links}",
        "network.organisations": "{n} organisations",
        "network.organisations_one": "{n} organisation",
        "network.links": "{n} liens",
        "network.links_one": "{n} lien",
        "network.co_participation": "ont participé ensemble à",
        "network.degree": "Liens",
        "network.context": "Hors des filtres actuels : affichée comme partenaire d'une organisation retenue",
        "network.other_type": "Autre",
        "network.shared_events": "{n} événements en commun",
        "network.shared_events_one": "{n} événement en commun",
        "network.relations_count": "{n} relations",
        "network.relations_count_one": "{n} relation",
        "network.example": "Par exemple",
        "network.summary_nodes": "Les {shown} organisations les plus connectées sur {total} sont affichées.",
        "network.summary_lines": "Chaque trait représente toutes les relations d'un type, ou tous les événements "
        "en commun, de deux organisations : plus ils sont nombreux, plus il est épais. {lines} traits représentent "
        "{drawn} liens ; {hidden} autres liens ne sont pas dessinés.",
        "network.ranking_top": "Les {shown} organisations les plus connectées sur {total}.",
        "network.links_counted": "Liens : chaque relation, et chaque autre organisation rencontrée lors d'un "
        "événement commun, compte pour un.",
        # The network of a chosen organisation, the list beside the chart, image export (issue 12).
        "network.pick": "Afficher le réseau de",
        "network.pick_all": "Toutes les organisations",
        "network.pick_help": "Fait ce que fait un clic sur une organisation du graphique : affiche son propre réseau "
        "(ses partenaires et les liens entre eux) et restreint toutes les autres pages à elle.",
        "network.show_all": "Afficher toutes les organisations",
        "network.ego": "**Le réseau de {names}** : {partners} et les liens entre eux. Les autres pages n'affichent "
        "que ce qui la concerne.",
        "network.ego_several": "**Le réseau de {names}** : {partners} et les liens entre eux. Les autres pages "
        "n'affichent que ce qui les concerne.",
        "network.partners": "{n} partenaires",
        "network.partners_one": "{n} partenaire",
        "network.unknown_source": "source inconnue",
        "chart.image_format": "Enregistrer le graphique en",
        "chart.image_help": "Le bouton appareil photo de la barre d'outils du graphique (en haut à droite) enregistre "
        "le graphique en image dans ce format : PNG pour une image, SVG pour un dessin qui reste net à toute taille.",
        "timeline.range": "Afficher",
        "timeline.range_help": "La conférence dont fait partie l'événement principal, une année autour de "
        "l'événement principal (six mois de part et d'autre), ou tous les événements retenus par les filtres. "
        "Les dates de la barre latérale ne changent pas.",
        "timeline.range.year": "Un an",
        "timeline.range.all": "Tout",
        "timeline.headline": "Événement principal",
        "timeline.alt_headline": "L'événement principal est mis en évidence : {title} ({date}).",
        "data.title": "Données et sources",
        "data.tables": "Tables",
        "data.source_text": "Texte de la source, chaque passage cité étant surligné",
        "data.quoted_by": "Cité par",
        "data.downloads": "Télécharger ce que vous voyez",
        "data.upload": "Utiliser vos propres données",
        "table.events": "Événements",
        "table.organizations": "Organisations",
        "table.participations": "Participations",
        "table.relations": "Relations",
        "table.places": "Lieux",
        "table.sources": "Sources",
        "overview.events_help": "Événements qui répondent à tous les filtres choisis : dates, thèmes, lieux, "
                                "pays, organisations, recherche.",
        "overview.organizations_help": "Organisations qui répondent aux filtres d'organisation, de lieu et de "
                                       "pays ; avec un filtre de dates, de thème ou de relation, seulement "
                                       "celles qui ont pris part à un événement retenu ou sont l'extrémité d'une "
                                       "relation retenue (les liens qu'aucun événement ne porte restent pour "
                                       "tout thème).",
        "overview.countries_help": "Pays des organisations retenues et des lieux où se tiennent les événements "
                                   "retenus.",
        "overview.places_help": "Lieux où se tiennent les événements retenus ou où sont établies les "
                                "organisations retenues, et les territoires qui les contiennent (les lignes de "
                                "la table Lieux de Données et sources).",
        "overview.relations_help": "Liens entre organisations dont au moins une extrémité est retenue, des types "
                                   "choisis, datés dans la période (un lien sans date compte pour toute période).",
        "col.id": "Identifiant",
        "col.publisher": "Éditeur",
        "col.published": "Publication",
        "col.url": "Adresse",
        "col.language": "Langue",
        "data.pick_source": "Source",
        "upload.label": "Un paquet de données : un .zip, ou ses fichiers CSV (avec ou sans datapackage.json) et "
        "les textes des sources",
        "upload.help": "Jusqu'à {mb} Mo par fichier. Il est vérifié avant usage et remplace les données pour cette "
        "session du navigateur seulement ; rien n'est conservé sur le serveur.",
        "upload.ok": "Vos données sont affichées ({names}). Vous seul les voyez, jusqu'à la fermeture de l'onglet.",
        "upload.failed": "{names} : {n} problème(s) trouvé(s), donc rien n'a changé : l'application montre toujours "
        "les mêmes données.",
        "upload.back": "Revenir aux données fournies",
        "upload.template": "Paquet modèle (le schéma avec des lignes d'exemple)",
        "upload.button": "Importer",
        "upload.input": "Choisir les fichiers à importer",
        "upload.add": "Ajouter des fichiers",
        "upload.remove": "Retirer {name}",
        "cite.title": "Citer cette vue",
        "cite.help": "L'adresse garde les filtres et les choix de la vue ; la version désigne les données qu'elle "
        "montre (une empreinte de leur contenu).",
        "cite.text": "{app} – {page}. Données : {data}, version {version}. {url} (consulté le {accessed}).",
        "upload.limits": "{mb} Mo par fichier • {types}",
        "upload.texts_note": "Des fichiers CSV seuls ont besoin des textes de leurs sources : ajoutez à l'envoi les "
        "fichiers que sources.csv nomme dans sa colonne file (sources/…), ou envoyez tout le paquet en un seul .zip.",
        "upload.missing_texts": "Il manque à l'envoi des textes de sources (listés en dernier ci-dessous). Ajoutez "
        "les fichiers que sources.csv nomme dans sa colonne file, ou envoyez tout le paquet en un seul .zip.",
        "problems.file": "Fichier",
        "problems.column": "Colonne",
        "problems.problem": "Problème",
        "problems.count": "Fois",
        "problems.rows": "Premières lignes",
        "problems.also": "(aussi {values})",
        "map.lookup": "Rechercher {n} lieu(x) en ligne",
        "map.lookup_help": "Interroge Nominatim ({endpoint}) pour les lieux introuvables ailleurs, une requête par "
        "seconde. Les réponses ne sont gardées que pour cette session.",
        "map.lookup_progress": "Recherche des lieux…",
        "map.osm_attribution": "Certaines coordonnées : © contributeurs d'OpenStreetMap (ODbL), trouvées avec "
        "Nominatim.",
        "overview.topic_help": "Cliquez sur un thème pour y restreindre toutes les vues.",
        "data.download_table": "Table à télécharger",
        "data.csv_help": "Pour les tableurs : les cellules qui commencent comme une formule (=, +, -, @) sont "
        "précédées de ' pour rester du texte.",
        "data.geojson_help": "Les lieux de la vue avec leurs coordonnées, pour les outils SIG.",
        "data.graphml_help": "Le réseau des partenaires, pour Gephi ou Cytoscape.",
        "data.package": "Paquet",
        "data.package_help": "Les données filtrées en paquet de données (zip) que cette application sait relire.",
        "data.template": "Modèle",
        "map.hidden": "Les {shown} lieux les plus actifs sont affichés ; {hidden} autres sont dans les tables "
        "et les téléchargements.",
        "data.truncated": "Les {shown} premières lignes sur {total} sont affichées ; les téléchargements les "
        "contiennent toutes.",
        "extract.title": "Ajouter une source",
        "extract.intro": "Collez ou déposez un communiqué, un article ou un rapport (anglais, français, chinois …). "
        "L'assistant propose des lieux, des organisations, des événements, qui y a pris part et comment les "
        "partenaires sont liés, chacun citant sa phrase. Rien n'est ajouté sans votre accord ; chaque citation est "
        "vérifiée dans le texte conservé.",
        "extract.paste": "Texte de la source",
        "extract.file": "… ou un fichier (.txt, .md, .html : le HTML est converti en texte, et ce texte est conservé)",
        "extract.meta": "À propos de la source",
        "extract.source_title": "Titre (vide : sa première ligne)",
        "extract.publisher": "Éditeur",
        "extract.language": "Langue, ISO 639-1 (vide : détectée)",
        "extract.published": "Publiée le (les dates sans année sont lues par rapport à elle)",
        "extract.url": "Adresse (URL)",
        "extract.target": "Ajouter à",
        "extract.target_current": "le paquet de cette session",
        "extract.target_empty": "un nouveau paquet vide",
        "extract.propose": "Proposer des faits",
        "extract.no_text": "Collez d'abord un texte ou choisissez un fichier.",
        "extract.bad_file": "Ce fichier ne peut pas être lu : {error}",
        "extract.summary": "Source « {title} » ({language}) : {counts}. Cochez **accept** dans les lignes à garder ; "
        "modifiez identifiants, types et rôles dans les tables ; suppositions et ambiguïtés sont dans la colonne note.",
        "extract.text": "Le texte, les mots de chaque proposition surlignés et numérotés comme dans les tables (#)",
        "extract.dates": "Dates trouvées (les événements les utilisent)",
        "extract.kind.places": "Lieux",
        "extract.kind.organizations": "Organisations",
        "extract.kind.events": "Événements",
        "extract.kind.participations": "Participations",
        "extract.kind.relations": "Relations",
        "extract.none": "Rien n'est proposé.",
        "extract.accept_all": "Tout accepter",
        "extract.reject_all": "Tout refuser",
        "extract.check": "Ce qui serait ajouté",
        "extract.nothing_accepted": "Aucune ligne acceptée : rien ne serait ajouté.",
        "extract.valid": "Valide : le paquet gagnerait la source et {n} ligne(s) acceptée(s).",
        "extract.invalid": "Pas encore valide ({n} problème(s)) : acceptez les lignes auxquelles elles renvoient, "
        "ou modifiez-les.",
        "extract.add": "Ajouter les lignes acceptées au paquet de cette session",
        "extract.added": "{n} ligne(s) de « {title} » ajoutée(s) au paquet de cette session (les fichiers sur disque "
        "ne changent pas).",
        "extract.download": "Télécharger le paquet avec elles (zip)",
        "extract.discard": "Abandonner les propositions",
        "col.title": "Titre",
        "col.table": "Table",
        "col.row": "Ligne",
        "col.found": "Trouvée dans le texte",
        "col.name": "Nom",
        "col.type": "Type",
        "col.start": "Début",
        "col.place": "Lieu",
        "col.role": "Rôle",
        "col.organisation": "Organisation",
        "col.country": "Pays",
        "col.lat": "Latitude",
        "col.lon": "Longitude",
        "col.coord_source": "Coordonnées issues de",
        "col.detail": "Détail",
        "col.source": "Source",
        "col.quote": "Citation",
        "col.event": "Événement",
        "col.from": "De",
        "col.to": "Vers",
        "col.relation": "Relation",
    },
}

ENUM_LABELS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "org_type": {
        "en": {"local_government": "Local government", "national_government": "National government",
               "international_organization": "International organisation", "city_network": "City network",
               "un_body": "UN body", "ngo": "NGO", "enterprise": "Enterprise", "community": "Community"},
        "fr": {"local_government": "Gouvernement local", "national_government": "Gouvernement national",
               "international_organization": "Organisation internationale", "city_network": "Réseau de villes",
               "un_body": "Organe des Nations unies", "ngo": "ONG", "enterprise": "Entreprise",
               "community": "Communauté"},
    },
    "event_type": {
        "en": {"conference": "Conference", "side_event": "Side event", "panel": "Panel", "report": "Report",
               "policy": "Policy", "agreement": "Agreement", "milestone": "Milestone"},
        "fr": {"conference": "Conférence", "side_event": "Session parallèle", "panel": "Table ronde",
               "report": "Rapport", "policy": "Politique", "agreement": "Accord", "milestone": "Jalon"},
    },
    "role": {
        "en": {"organizer": "Organiser", "host": "Host", "panelist": "Panellist", "participant": "Participant",
               "supporter": "Supporter"},
        "fr": {"organizer": "Organisateur", "host": "Hôte", "panelist": "Intervenant", "participant": "Participant",
               "supporter": "Soutien"},
    },
    "relation_type": {
        "en": {"cooperation": "Cooperation", "support": "Support", "recognition": "Recognition",
               "membership": "Membership", "affiliation": "Affiliation", "co_participation": "Took part together"},
        "fr": {"cooperation": "Coopération", "support": "Soutien", "recognition": "Reconnaissance",
               "membership": "Adhésion", "affiliation": "Affiliation", "co_participation": "Participation commune"},
    },
    "kind": {
        "en": {"venue": "Venue", "community": "Community", "town": "Town", "district": "District", "city": "City",
               "region": "Region", "country": "Country"},
        "fr": {"venue": "Site", "community": "Communauté", "town": "Bourg", "district": "District", "city": "Ville",
               "region": "Région", "country": "Pays"},
    },
    "authority": {
        "en": {"official": "Official source", "press": "Press", "reference": "Reference work",
               "secondary_copy": "Secondary copy"},
        "fr": {"official": "Source officielle", "press": "Presse", "reference": "Ouvrage de référence",
               "secondary_copy": "Copie secondaire"},
    },
    "coord_source": {
        "en": {"manual": "given in places.csv", "cache": "geocode cache", "gazetteer": "GeoNames gazetteer (offline)",
               "online": "Nominatim (online)", "parent": "approximate: the place it lies in",
               "unresolved": "not found"},
        "fr": {"manual": "indiquées dans places.csv", "cache": "cache de géocodage",
               "gazetteer": "répertoire GeoNames (hors ligne)", "online": "Nominatim (en ligne)",
               "parent": "approximatives : le lieu qui le contient", "unresolved": "introuvables"},
    },
}


def t(key: str, lang: str = "en", **values: object) -> str:
    """Return the interface text for a key in a language, with placeholders filled.

    Parameters
    ----------
    key : str
        Catalogue key, for example ``"nav.map"``.
    lang : str
        ``"en"`` or ``"fr"``; other values fall back to English.
    **values
        Values for the ``{placeholders}`` of the text.

    Returns
    -------
    str
        The text; the key itself if no catalogue has it.
    """
    text = MESSAGES.get(lang, MESSAGES["en"]).get(key) or MESSAGES["en"].get(key, key)
    return text.format(**values) if values else text


def label(kind: str, value: object, lang: str = "en") -> str:
    """Return the display label of an enum value (``label("org_type", "ngo", "fr") == "ONG"``).

    Parameters
    ----------
    kind : str
        The enum: ``org_type``, ``event_type``, ``role``, ``relation_type``, ``kind``, ``authority`` or
        ``coord_source``.
    value : object
        The stored value.
    lang : str
        ``"en"`` or ``"fr"``.

    Returns
    -------
    str
        The label, or the value itself when it has none (a value from someone else's data).
    """
    labels = ENUM_LABELS.get(kind, {})
    text = labels.get(lang, labels.get("en", {})).get(str(value))
    return text or str(value)
