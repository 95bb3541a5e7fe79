import streamlit as st

dataset = st.session_state["dataset"]
st.title("Network")
st.caption(f"{len(dataset.events)} events, {len(dataset.organizations)} organisations")
