"""Browser tests: the real app (`streamlit run app.py`) driven in Debian's Chromium with Playwright."""
