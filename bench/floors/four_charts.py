"""Floor for in-app navigation (bench/bench_feel.py): a bare multipage Streamlit app; its
"Bốn biểu đồ" page draws four plotly charts of the size a dashboard page draws (40 units)."""

import plotly.graph_objects as go
import streamlit as st

UNITS = [f"Đơn vị {i:02d}" for i in range(1, 41)]


def home() -> None:
    st.title("Trang đầu")
    st.write("Chọn một trang bên trái.")


def charts() -> None:
    st.title("Bốn biểu đồ")
    left, right = st.columns(2)
    for i, col in enumerate((left, right, left, right)):
        fig = go.Figure(go.Bar(x=UNITS, y=[(j * 7 + i * 3) % 23 + 1 for j in range(len(UNITS))]))
        fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10}, title=f"Biểu đồ {i + 1}")
        col.plotly_chart(fig, key=f"chart_{i}")


page = st.navigation(
    [st.Page(home, title="Trang đầu", default=True), st.Page(charts, title="Bốn biểu đồ", url_path="bon-bieu-do")]
)
page.run()
