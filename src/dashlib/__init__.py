"""Climate Action Atlas: load, validate, geocode, filter and chart city climate-action events."""

from importlib import metadata


def _installed_version() -> str:
    """Return the version pyproject.toml gave this install (the one place it is written)."""
    try:
        return metadata.version("dashlib")
    except metadata.PackageNotFoundError:  # a source tree on sys.path that pip never installed
        return "0+unknown"


__version__ = _installed_version()
