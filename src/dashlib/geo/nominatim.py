"""The online step: a Nominatim server asked through geopy, politely, only when the user asks.

:class:`NominatimLookup` follows the Nominatim usage policy (an identifying User-Agent, at most one
request a second, a timeout, answers kept) and turns every failure into :class:`LookupFailed`;
:func:`geocode_online` runs the chain with it. The endpoint is configurable
(``$DASHLIB_NOMINATIM_URL``), which is how tests point it at a local server on 127.0.0.1.
"""

from __future__ import annotations

import os
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from dashlib import __version__
from dashlib.geo.chain import GeocodeResult, Progress, geocode_places
from dashlib.geo.hits import GeoHit, Lookup, LookupFailed
from dashlib.text import cell_or_none

DEFAULT_ENDPOINT = "https://nominatim.openstreetmap.org"
DEFAULT_TIMEOUT = 10.0
ENDPOINT_ENV = "DASHLIB_NOMINATIM_URL"
USER_AGENT_ENV = "DASHLIB_GEOCODER_USER_AGENT"
# The policy's limit is 1 request/s; the margin keeps the spacing the server sees above 1 s even
# when the first request pays for a connection the next one reuses, or the machine is busy.
MIN_DELAY_SECONDS = 1.0
DELAY_MARGIN_SECONDS = 0.25
MAX_CONSECUTIVE_TIMEOUTS = 3


def _project_url() -> str | None:
    try:
        meta = metadata.metadata("dashlib")
    except metadata.PackageNotFoundError:
        return None
    urls = [u.split(",", 1)[-1].strip() for u in meta.get_all("Project-URL") or ()]
    urls += meta.get_all("Home-page") or []
    return urls[0] if urls else None


def default_user_agent() -> str:
    """Return the User-Agent that identifies this application to Nominatim.

    Returns
    -------
    str
        ``$DASHLIB_GEOCODER_USER_AGENT`` if set, else ``"climate-action-atlas/<version>"``
        followed by ``" (+<project URL>)"`` when the installed package declares one.
    """
    configured = cell_or_none(os.environ.get(USER_AGENT_ENV))
    if configured:
        return configured
    url = _project_url()
    return f"climate-action-atlas/{__version__}" + (f" (+{url})" if url else "")


def default_endpoint() -> str:
    """Return the Nominatim endpoint: ``$DASHLIB_NOMINATIM_URL`` if set, else the public server."""
    return cell_or_none(os.environ.get(ENDPOINT_ENV)) or DEFAULT_ENDPOINT


def parse_endpoint(endpoint: str) -> tuple[str, str]:
    """Split a Nominatim endpoint URL into geopy's ``scheme`` and ``domain``.

    Parameters
    ----------
    endpoint : str
        For example ``"https://nominatim.openstreetmap.org"`` or ``"http://127.0.0.1:8080/nominatim"``.

    Returns
    -------
    tuple of str
        ``(scheme, domain)``; the domain keeps the port and any path prefix.

    Raises
    ------
    ValueError
        When the URL is not http(s) with a host.
    """
    parts = urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the Nominatim endpoint must be an http(s) URL such as {DEFAULT_ENDPOINT}, "
                         f"not {endpoint!r}")
    return parts.scheme, parts.netloc + parts.path.rstrip("/")


class NominatimLookup:
    """Ask a Nominatim server, politely, for the places the offline steps do not know.

    Follows the usage policy: an identifying User-Agent, at most one request per second
    (geopy's ``RateLimiter``), a timeout, and every answer kept (in memory here; the caller
    writes the hits to ``geocache.csv``). After a refusal (HTTP 429 or 403, connection refused,
    server unavailable) or repeated timeouts it stops asking; it never raises anything but
    :class:`LookupFailed`.

    Parameters
    ----------
    endpoint : str, optional
        The server (:func:`default_endpoint` by default).
    user_agent : str, optional
        The User-Agent (:func:`default_user_agent` by default).
    timeout : float, optional
        Seconds to wait for each answer.
    min_delay_seconds : float, optional
        Spacing between requests; never below 1 s.

    Raises
    ------
    ValueError
        When the endpoint is not an http(s) URL.
    """

    name = "Nominatim"

    def __init__(self, endpoint: str | None = None, user_agent: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, min_delay_seconds: float = MIN_DELAY_SECONDS) -> None:
        # geopy's geocoders take about 0.1 s to import; only a look-up the user asked for pays it.
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        self.endpoint = endpoint or default_endpoint()
        scheme, domain = parse_endpoint(self.endpoint)
        self.user_agent = user_agent or default_user_agent()
        self.timeout = timeout
        self.stopped: str | None = None
        self.requests = 0
        self._answers: dict[tuple[str, str | None], GeoHit | None] = {}
        self._timeouts = 0
        geocoder = Nominatim(user_agent=self.user_agent, domain=domain, scheme=scheme, timeout=timeout,
                             adapter_factory=_adapter_without_retries)
        # Nominatim usage policy (https://operations.osmfoundation.org/policies/nominatim/): max 1 request/s.
        self._geocode = RateLimiter(geocoder.geocode,
                                    min_delay_seconds=max(min_delay_seconds, MIN_DELAY_SECONDS)
                                    + DELAY_MARGIN_SECONDS,
                                    max_retries=0, swallow_exceptions=False)

    def __call__(self, query: str, country_code: str | None = None) -> GeoHit | None:
        """Return Nominatim's best hit for ``query``, None when it has none.

        Parameters
        ----------
        query : str
            Free-form query.
        country_code : str, optional
            ISO 3166-1 alpha-2; limits the search to that country.

        Returns
        -------
        GeoHit or None
            The hit, with ``provider="nominatim"`` and the OSM id.

        Raises
        ------
        LookupFailed
            When the server could not answer, or look-ups stopped earlier; the text says why.
        """
        key = (query, country_code)
        if key in self._answers:
            return self._answers[key]
        if self.stopped:
            raise LookupFailed(f"not asked: {self.stopped}")
        hit = self._ask(query, country_code)
        self._answers[key] = hit
        return hit

    def _ask(self, query: str, country_code: str | None) -> GeoHit | None:
        from geopy import exc  # loaded with geopy's geocoders in __init__

        self.requests += 1
        try:
            location = self._geocode(query, exactly_one=True,
                                     country_codes=country_code.lower() if country_code else None)
        except exc.GeocoderRateLimited as error:
            wait = f" (it asks to wait {error.retry_after:.0f} s)" if error.retry_after else ""
            self.stopped = f"{self.endpoint} answered HTTP 429 Too Many Requests{wait}; stopped asking, try later"
        except (exc.GeocoderInsufficientPrivileges, exc.GeocoderAuthenticationFailure) as error:
            self.stopped = (f"{self.endpoint} refused access ({error}); check the user agent "
                            f"{self.user_agent!r} against the usage policy")
        except exc.GeocoderUnavailable as error:
            self.stopped = f"cannot reach {self.endpoint} ({_reason(error)}); working offline"
        except exc.GeocoderTimedOut:
            self._timeouts += 1
            message = f"no answer from {self.endpoint} within {self.timeout:g} s"
            if self._timeouts >= MAX_CONSECUTIVE_TIMEOUTS:
                self.stopped = f"{message}, {self._timeouts} times in a row; stopped asking"
            raise LookupFailed(message) from None
        except exc.GeopyError as error:
            raise LookupFailed(f"{self.endpoint} could not answer {query!r}: {_reason(error)}") from None
        except Exception as error:  # a bug below geopy must not crash the app's button
            self.stopped = f"unexpected error asking {self.endpoint}: {type(error).__name__}: {error}"
        else:
            self._timeouts = 0
            return _nominatim_hit(location)
        raise LookupFailed(self.stopped)


def _adapter_without_retries(*, proxies: Any, ssl_context: Any) -> Any:
    """Return geopy's HTTP adapter with urllib3's own retries off.

    geopy's default ``RequestsAdapter`` retries twice below the rate limiter, and urllib3 honours
    ``Retry-After`` on HTTP 429 by sleeping and asking again: unthrottled requests, and a minute's
    hang. Here every request goes through the ``RateLimiter`` once, and a 429 stops the run.
    """
    from geopy.adapters import RequestsAdapter, URLLibAdapter  # loaded with geopy's geocoders

    if RequestsAdapter.is_available:
        return RequestsAdapter(proxies=proxies, ssl_context=ssl_context, max_retries=0)
    return URLLibAdapter(proxies=proxies, ssl_context=ssl_context)


def _reason(error: BaseException) -> str:
    """Return the innermost cause of an error, shortly."""
    while error.__cause__ is not None:
        error = error.__cause__
    text = str(error) or type(error).__name__
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if "Name or service not known" in text or "Temporary failure in name resolution" in text:
        return "no network: the host name does not resolve"
    return text if len(text) <= 160 else text[:160] + "…"


def _nominatim_hit(location: Any) -> GeoHit | None:
    """Turn geopy's ``Location`` into a hit with the OSM id (``"R146656"``), None for no location."""
    if location is None:
        return None
    raw = getattr(location, "raw", None) or {}
    osm_type, osm_id = cell_or_none(raw.get("osm_type")), cell_or_none(raw.get("osm_id"))
    ident = f"{osm_type[0].upper()}{osm_id}" if osm_type and osm_id else ""
    return GeoHit(float(location.latitude), float(location.longitude), "nominatim", ident,
                  location.address or "")


def geocode_online(places: pd.DataFrame, geocache: pd.DataFrame | None = None, *,
                   endpoint: str | None = None, user_agent: str | None = None,
                   timeout: float = DEFAULT_TIMEOUT, progress: Progress | None = None,
                   lookup: Lookup | None = None) -> GeocodeResult:
    """Run the chain, asking Nominatim for the places the offline steps do not place exactly.

    Call it only when the user asks: it sends up to one request a second. It never raises;
    whatever goes wrong ends up in the result's ``messages`` and ``stopped``.

    Parameters
    ----------
    places, geocache, progress
        As for :func:`dashlib.geo.chain.geocode_places`.
    endpoint, user_agent, timeout
        As for :class:`NominatimLookup`.
    lookup : callable, optional
        A look-up to use instead of a new :class:`NominatimLookup` (for example one kept for
        the session, so that its answers are reused).

    Returns
    -------
    GeocodeResult
        The resolved table, the cache rows to keep, and the messages.
    """
    if lookup is None:
        try:
            lookup = NominatimLookup(endpoint, user_agent, timeout)
        except ValueError as exc:
            result = geocode_places(places, geocache, progress=progress)
            return GeocodeResult(result.resolved, result.new_cache_rows, {}, str(exc), 0)
    return geocode_places(places, geocache, lookup=lookup, progress=progress)
