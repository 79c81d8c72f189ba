"""Tuyên truyền: volume and reach over time, by channel, topic, unit and group;
top and bottom units; what changed since the previous range."""

import pandas as pd
import streamlit as st

from ui import charts, components, data, filters, tables
from ui.format import fmt_period_short, label, vocab_labels

f = components.page_start("Tuyên truyền")

h = data.headline(f)
prev = h.get("previous") or {}
c1, c2, c3 = st.columns(3)
components.metric_count(
    c1, "Tin, bài, buổi tuyên truyền", h.get("propaganda_quantity"), prev.get("propaganda_quantity")
)
components.metric_count(c2, "Lượt tiếp cận, người tham dự", h.get("propaganda_reach"), prev.get("propaganda_reach"))
by_unit = data.propaganda_by_unit(f)  # every unit in scope, 0 for those that reported nothing
active_units = int((by_unit["quantity"] > 0).sum()) if not by_unit.empty else 0
c3.metric("Đơn vị có tuyên truyền", f"{active_units}", border=True)

by_period = data.propaganda_by_period(f)
components.stop_if_empty(by_period)

CH = "Hình thức"
bp = by_period.assign(**{CH: by_period["channel"].map(lambda k: label("channel", k))})
bp["Tháng"] = bp["period"].map(fmt_period_short)
month_order = [fmt_period_short(p) for p in sorted(bp["period"].unique())]
channel_order = vocab_labels("channel")

left, right = st.columns(2)
with left:
    fig = charts.bar(
        bp,
        x="Tháng",
        y="quantity",
        color=CH,
        labels={"quantity": "Số lượng (tin, bài, buổi)"},
        title="Số lượng theo tháng và hình thức",
        category_orders={"Tháng": month_order, CH: channel_order},
    )
    fig.update_xaxes(type="category")
    charts.show(fig, key="prop_period")
with right:
    reach = bp.groupby(["period", "Tháng"], as_index=False)["reach"].sum().sort_values("period")
    fig = charts.line(
        reach,
        x="Tháng",
        y="reach",
        labels={"reach": "Lượt tiếp cận, người tham dự"},
        title="Lượt tiếp cận theo tháng",
    )
    charts.show(fig, key="prop_reach")

left, right = st.columns(2)
with left:
    ch = data.propaganda_by_channel(f)
    ch = ch.assign(**{CH: ch["channel"].map(lambda k: label("channel", k))}).sort_values("quantity")
    fig = charts.bar(
        ch,
        x="quantity",
        y=CH,
        orientation="h",
        labels={"quantity": "Số lượng"},
        title="Theo hình thức tuyên truyền",
        text_auto=",.0f",
        height=charts.horizontal_height(len(ch), 40),
    )
    charts.show(fig, key="prop_channel")
with right:
    tp = data.propaganda_by_topic(f)
    tp = tp.assign(**{"Nội dung": tp["topic"].map(lambda k: label("topic", k))}).sort_values("quantity")
    fig = charts.bar(
        tp,
        x="quantity",
        y="Nội dung",
        orientation="h",
        labels={"quantity": "Số lượng"},
        title="Theo nội dung tuyên truyền",
        text_auto=",.0f",
        height=charts.horizontal_height(len(tp), 40),
    )
    charts.show(fig, key="prop_topic")

# ------------------------------------------------------------------ units and groups

grp = data.propaganda_by_group(f).sort_values("quantity")
fig = charts.bar(
    grp.rename(columns={"group": "Khối"}),
    x="quantity",
    y="Khối",
    orientation="h",
    labels={"quantity": "Số lượng"},
    title="Theo khối đơn vị",
    text_auto=",.0f",
    height=charts.horizontal_height(len(grp), 50),
)
charts.show(fig, key="prop_group")
ranked = by_unit.sort_values(["quantity", "unit_name"], ascending=[True, True])
fig = charts.bar(
    ranked.rename(columns={"unit_name": "Đơn vị"}),
    x="quantity",
    y="Đơn vị",
    orientation="h",
    labels={"quantity": "Số lượng"},
    title="Theo đơn vị",
    height=charts.horizontal_height(len(ranked), 20),
)
charts.show(fig, key="prop_unit")

cols = {"unit_name": "Đơn vị", "quantity": "Số lượng", "reach": "Lượt tiếp cận"}
kinds = {"quantity": "int", "reach": "int"}
ends = [(False, "prop_top", "Đơn vị tuyên truyền nhiều nhất"), (True, "prop_bottom", "Đơn vị tuyên truyền ít nhất")]
for column, (ascending, key, title) in zip(st.columns(2), ends, strict=True):
    with column:
        st.markdown(f"**{title}**")
        tables.table(
            by_unit.sort_values("quantity", ascending=ascending).head(5),
            cols,
            kinds=kinds,
            unit_link=("unit_code", "unit_name"),
            key=key,
            title=title,
            download=False,
        )

# ------------------------------------------------------------------ change since previous range
st.subheader("Thay đổi so với kỳ trước")
before = filters.previous(f)
prev_ch = data.propaganda_by_channel(before) if before is not None else pd.DataFrame(columns=["channel", "quantity"])
change = ch[["channel", "quantity"]].merge(
    prev_ch[["channel", "quantity"]].rename(columns={"quantity": "previous"}), on="channel", how="outer"
)
change[["quantity", "previous"]] = change[["quantity", "previous"]].fillna(0).astype("int64")
change["delta"] = change["quantity"] - change["previous"]
change["channel_label"] = change["channel"].map(lambda k: label("channel", k))
tables.table(
    change.sort_values("delta"),
    {"channel_label": "Hình thức", "previous": "Kỳ trước", "quantity": "Kỳ này", "delta": "Tăng (+) / giảm (−)"},
    kinds={"previous": "int", "quantity": "int", "delta": "int"},
    key="prop_change",
    title="Thay đổi theo hình thức",
)

st.subheader("Số liệu theo đơn vị")
tables.table(
    by_unit.sort_values("quantity", ascending=False),
    {"unit_name": "Đơn vị", "group": "Khối", "quantity": "Số lượng", "reach": "Lượt tiếp cận"},
    kinds=kinds,
    unit_link=("unit_code", "unit_name"),
    key="prop_units",
    title="Tuyên truyền theo đơn vị",
)
