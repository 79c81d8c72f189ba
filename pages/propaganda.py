"""Tuyên truyền: volume and reach over time, by channel, topic, unit and group;
top and bottom units; what changed since the previous range."""

import streamlit as st

from ui import charts, components, data, figures, filters, tables, trends
from ui.format import fmt_period_short, label, vocab_labels

f = components.page_start("Tuyên truyền")

h = data.headline(f)
components.range_status(h, filters.current_label())
c1, c2, c3 = st.columns(3)
components.figure_card(c1, "propaganda_quantity", h)
components.figure_card(c2, "propaganda_reach", h)
by_unit = data.propaganda_by_unit(f)  # every unit in scope, 0 for those that reported nothing
active_units = int((by_unit["quantity"] > 0).sum()) if not by_unit.empty else 0
c3.metric("Đơn vị có tuyên truyền", f"{active_units}/{len(by_unit)}", border=True)

by_period = data.propaganda_by_period(f)
components.stop_if_empty(by_period)

CH = "Hình thức"
channel_order = vocab_labels("channel")
# over time: the 12 months (at least) ending at the chosen period, every month present
window = trends.month_filters(f)
months = trends.months_of(f)
wp = data.propaganda_by_period(window)
channels = sorted(
    set(wp["channel"]),
    key=lambda c: channel_order.index(label("channel", c)) if label("channel", c) in channel_order else 99,
)
grid = (
    wp.pivot_table(index="period", columns="channel", values="quantity", aggfunc="sum")
    .reindex(index=months, columns=channels)
    .rename_axis("period")
    .reset_index()
    .melt(id_vars="period", var_name="channel", value_name="quantity")
)
grid[CH] = grid["channel"].map(lambda k: label("channel", k))
grid["Tháng"] = grid["period"].map(fmt_period_short)
month_order = [fmt_period_short(p) for p in months]

left, right = st.columns(2)
with left:
    fig = charts.bar(
        grid,
        x="Tháng",
        y="quantity",
        color=CH,
        labels={"quantity": "Số lượng (tin, bài, buổi)"},
        title="Số lượng theo tháng và hình thức",
        category_orders={"Tháng": month_order, CH: channel_order},
    )
    trends.mark_months(fig, f, months)
    trends.legend_below(fig, rows=3)
    fig.update_layout(height=480)
    charts.show(fig, key="prop_period")
with right:
    tr = trends.trend_frame(f)
    charts.show(trends.chart(tr, "propaganda_reach"), key="prop_reach")
note = trends.months_note(f, months, data.compliance(window))
if note:
    st.caption(note)

left, right = st.columns(2)
with left:
    ch = data.propaganda_by_channel(f)
    charts.show(figures.propaganda_by_channel(ch), key="prop_channel")
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
comparable = components.comparable("propaganda_quantity", h)  # the cards' rule, for the table too
if before is None or not comparable.shown:
    components.note(f"Không so sánh theo hình thức ({comparable.text}).")
else:
    prev_ch = data.propaganda_by_channel(before)
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
