"""Climate Action Atlas: load, validate, geocode, filter and chart city climate-action events."""

__version__ = "0.1.0"
