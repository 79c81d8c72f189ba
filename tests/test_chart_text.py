"""Every chart in words: the one-sentence reading and the data table come from the figure's own numbers."""

from __future__ import annotations

import plotly.graph_objects as go

from presentation.chart_text import CATEGORY, figure_summary, figure_table


def _fig(*traces, title="Tin, bài theo tháng", context="Tháng 11/2026 · Toàn phường"):
    fig = go.Figure(list(traces))
    fig.update_layout(meta={"title": title, "context": context})
    return fig


def test_trend_reads_last_point_and_change():
    fig = _fig(
        go.Scatter(x=["09/2026", "10/2026", "11/2026"], y=[300, 331, 195], mode="lines+markers", name="Tin, bài")
    )
    text = figure_summary(fig)
    assert text.startswith("Tin, bài theo tháng (Tháng 11/2026 · Toàn phường).")
    assert "11/2026 là 195, giảm 136 so với 10/2026" in text
    table = figure_table(fig)
    assert list(table.columns) == [CATEGORY, "Tin, bài"]
    assert table.to_dict("records")[-1] == {CATEGORY: "11/2026", "Tin, bài": "195"}


def test_unchanged_trend_says_so():
    fig = _fig(go.Scatter(x=["10/2026", "11/2026"], y=[5, 5], mode="lines"))
    assert "không đổi so với 10/2026" in figure_summary(fig)


def test_bars_name_highest_lowest_and_total_in_vietnamese_numbers():
    fig = _fig(
        go.Bar(x=[1200, 35.5, 80], y=["Cổng TTĐT", "Mạng xã hội", "Hội nghị"], orientation="h", name="Số lượng"),
        title="Theo kênh",
    )
    text = figure_summary(fig)
    assert "3 hạng mục, tổng 1.315,5" in text
    assert "cao nhất Cổng TTĐT (1.200)" in text
    assert "thấp nhất Mạng xã hội (35,5)" in text
    assert figure_table(fig)["Số lượng"].tolist() == ["1.200", "35,5", "80"]


def test_tied_highest_is_not_one_arbitrary_unit():
    fig = _fig(go.Bar(x=["KDC01", "KDC02", "KDC03"], y=[0, 0, 0], name="Tỷ lệ"))
    text = figure_summary(fig)
    assert "3 hạng mục bằng nhau" in text
    assert "KDC01" not in text


def test_several_series_share_one_table():
    fig = _fig(
        go.Bar(x=["KDC01", "KDC02"], y=[10, 8], name="Có mặt"),
        go.Bar(x=["KDC01", "KDC03"], y=[2, 1], name="Vắng"),
    )
    table = figure_table(fig)
    assert table.to_dict("records") == [
        {CATEGORY: "KDC01", "Có mặt": "10", "Vắng": "2"},
        {CATEGORY: "KDC02", "Có mặt": "8", "Vắng": ""},
        {CATEGORY: "KDC03", "Có mặt": "", "Vắng": "1"},
    ]


def test_heatmap_table_uses_the_shown_text_and_counts_cells():
    fig = _fig(
        go.Heatmap(
            x=["10/2026", "11/2026"],
            y=["KDC01", "KDC02"],
            z=[[1, 0], [1, 1]],
            text=[["Đúng hạn", "Chưa nộp"], ["Đúng hạn", "Đúng hạn"]],
        ),
        title="Nộp báo cáo",
    )
    table = figure_table(fig)
    assert table.to_dict("records")[0] == {CATEGORY: "KDC01", "10/2026": "Đúng hạn", "11/2026": "Chưa nộp"}
    text = figure_summary(fig)
    assert "2 hàng × 2 cột" in text and "Đúng hạn: 3 ô" in text and "Chưa nộp: 1 ô" in text


def test_empty_chart_says_no_data():
    assert figure_summary(_fig(title="Trống")).endswith("chưa có số liệu.")
