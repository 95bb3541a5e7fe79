"""What the server adds beside the pages: the read-only JSON API and one log line per failed run.

``app.py`` hands both to ``st.App`` when ``streamlit run app.py`` builds the server.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from typing import Any

from starlette.routing import BaseRoute
from streamlit.logger import get_logger
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from dashlib.api import ApiError, api_routes
from dashlib.model import Dataset
from dashlib.package.load import default_source
from dashlib.ui.loading import default_result

# Streamlit's log format and level (``logger.level``), on the server's stderr.
LOGGER = get_logger("dashlib.app")


def _served_dataset() -> Dataset:
    # The same shared, cached copy the sessions read (st.cache_resource): no second copy in memory.
    result = default_result()
    if not result.ok:
        raise ApiError(503, f"The data package {default_source().name} has {len(result.problems)} problem(s); "
                            "the app shows them.")
    return result.loaded


def routes() -> list[BaseRoute]:
    """Return the routes to mount beside the app: ``GET /api/v1/…`` over the default data package."""
    return api_routes(_served_dataset)


def _where(exc: BaseException) -> str:
    """Return the innermost frame of the traceback as ``file:line in function``."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno} in {frame.name}"


def log_failed_run(exc: BaseException) -> None:
    """Log one line for a session run that raised: session, page, exception and where it was raised.

    Streamlit calls this (``st.App(on_script_error=...)``) for an uncaught exception in a run or in
    a widget callback, then shows the exception to the user as usual (this returns None).

    Parameters
    ----------
    exc : BaseException
        The exception that ended the run.
    """
    ctx = get_script_run_ctx(suppress_warning=True)
    session = ctx.session_id if ctx else "?"
    page = "?"
    if ctx is not None:
        info: Mapping[str, Any] = ctx.pages_manager.get_pages().get(ctx.page_script_hash, {})
        page = info.get("url_pathname") or info.get("page_name") or ctx.page_script_hash or "?"
    cause = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    LOGGER.error("run failed: session=%s page=%s cause=%s at %s", session, page, cause, _where(exc))
