"""Chart builders: each returns a ``pydeck.Deck`` or a plotly figure from a Dataset and never calls streamlit."""
