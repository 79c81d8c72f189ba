"""Vietnamese for the words Streamlit and plotly write themselves.

Three mechanisms, smallest first (docs/I18N.md explains the choice):

1. What the API allows is set where the widget is made (selectbox ``placeholder``,
   uploader label and help, our own download buttons).
2. Plotly: the chart ``config`` carries a ``vi`` locale (``PLOTLY_LOCALE``), so the
   modebar tooltips, the "Double-click to zoom back out" hint and month names of
   date axes are Vietnamese. Plotly reads locales from the config, nothing is fetched.
3. The rest (uploader button and size line, "No results", the dataframe toolbar and
   column menu, the status widget, Streamlit's dialogs): ``install()`` puts one small
   script in the page that rewrites those exact strings -- text nodes and the
   ``title``/``aria-label``/``placeholder``/``data-title`` attributes -- as they
   appear (a MutationObserver, so text drawn later, like a tooltip, is rewritten
   before it is painted). Only whole strings from ``STREAMLIT_TEXT`` and the
   anchored ``STREAMLIT_PATTERNS`` are touched; a page's own text never matches them.

``ENGLISH_STRINGS`` is the list the browser test looks for on every page.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

# The browser-tab icon, served by the app itself (a ":material/..." icon is fetched from a font server).
FAVICON = Path(__file__).resolve().parents[1] / "assets" / "favicon.png"

# ----------------------------------------------------------------------------- plotly

PLOTLY_DICTIONARY = {
    "Autoscale": "Tự co giãn",
    "Box Select": "Chọn vùng chữ nhật",
    "Click to enter Colorscale title": "Bấm để nhập tiêu đề thang màu",
    "Click to enter Plot title": "Bấm để nhập tiêu đề biểu đồ",
    "Click to enter Plot subtitle": "Bấm để nhập tiêu đề phụ",
    "Click to enter X axis title": "Bấm để nhập tên trục X",
    "Click to enter Y axis title": "Bấm để nhập tên trục Y",
    "Compare data on hover": "So sánh số liệu khi di chuột",
    "Double-click on legend to isolate one trace": "Bấm đúp vào chú giải để chỉ xem một chuỗi",
    "Double-click to zoom back out": "Bấm đúp để thu nhỏ lại",
    "Download plot as a PNG": "Tải biểu đồ (ảnh PNG)",
    "Download plot as a png": "Tải biểu đồ (ảnh PNG)",
    "Download plot": "Tải biểu đồ",
    "Download plot as JSON": "Tải biểu đồ (JSON)",
    "Draw circle": "Vẽ hình tròn",
    "Draw closed freeform": "Vẽ hình kín tự do",
    "Draw line": "Vẽ đường thẳng",
    "Draw open freeform": "Vẽ đường tự do",
    "Draw rectangle": "Vẽ hình chữ nhật",
    "Erase active shape": "Xóa hình đang chọn",
    "Image download succeeded": "Đã tải ảnh",
    "JSON download succeeded": "Đã tải JSON",
    "Lasso Select": "Chọn tự do",
    "Orbital rotation": "Xoay quanh quỹ đạo",
    "Pan": "Kéo biểu đồ",
    "Preparing image - this may take a few seconds": "Đang chuẩn bị ảnh, vui lòng đợi vài giây",
    "Reset": "Đặt lại",
    "Reset axes": "Đặt lại trục",
    "Reset camera to default": "Đặt lại góc nhìn mặc định",
    "Reset camera to last save": "Đặt lại góc nhìn đã lưu",
    "Reset view": "Đặt lại khung nhìn",
    "Reset views": "Đặt lại các khung nhìn",
    "Show closest data on hover": "Hiện số liệu gần nhất khi di chuột",
    "Snapshot succeeded": "Đã chụp ảnh",
    "Sorry, there was a problem downloading your image!": "Không tải được ảnh biểu đồ.",
    "Sorry, there was a problem downloading your JSON file!": "Không tải được tệp JSON.",
    "Taking snapshot - this may take a few seconds": "Đang chụp ảnh, vui lòng đợi vài giây",
    "Toggle Spike Lines": "Bật/tắt đường gióng",
    "Toggle show closest data on hover": "Bật/tắt hiện số liệu gần nhất",
    "Turntable rotation": "Xoay bàn xoay",
    "Zoom": "Phóng to vùng chọn",
    "Zoom in": "Phóng to",
    "Zoom out": "Thu nhỏ",
    "trace": "chuỗi",
}

PLOTLY_FORMAT = {
    "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
    "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
    "months": [f"Tháng {m}" for m in range(1, 13)],
    "shortMonths": [f"Th{m}" for m in range(1, 13)],
    "periods": ["SA", "CH"],
    "dateTime": "%H:%M:%S %d/%m/%Y",
    "date": "%d/%m/%Y",
    "time": "%H:%M:%S",
    "decimal": ",",
    "thousands": ".",
    "grouping": [3],
    "currency": ["", " ₫"],
    "year": "%Y",
    "month": "%m/%Y",
    "dayMonth": "%d/%m",
    "dayMonthYear": "%d/%m/%Y",
}

PLOTLY_LOCALE = {"vi": {"dictionary": PLOTLY_DICTIONARY, "format": PLOTLY_FORMAT}}
PLOTLY_LOCALE_CONFIG = {"locale": "vi", "locales": PLOTLY_LOCALE}

# ----------------------------------------------------------------------------- Streamlit

# Whole strings Streamlit 1.67's frontend writes (exact text, after trimming spaces).
STREAMLIT_TEXT = {
    # file uploader
    "Upload": "Chọn tệp",
    "Upload directories": "Chọn thư mục",
    "Browse files": "Chọn tệp",
    "Drag and drop files here": "Kéo và thả tệp vào đây",
    "Drag and drop a file here": "Kéo và thả tệp vào đây",
    "Drag and drop directories here": "Kéo và thả thư mục vào đây",
    "Add files": "Thêm tệp",
    "file upload": "chọn tệp tải lên",
    "Upload failed": "Tải lên không thành công",
    "Click to retry upload": "Bấm để thử tải lên lại",
    "Too many files": "Quá nhiều tệp",
    "Error uploading file": "Lỗi khi tải tệp lên",
    "Error deleting file": "Lỗi khi xóa tệp",
    "Previous page": "Trang trước",
    "Next page": "Trang sau",
    "Previous": "Trước",
    "Next": "Sau",
    # select boxes
    "Choose an option": "Chọn một mục",
    "Choose options": "Chọn các mục",
    "Choose or add an option": "Chọn hoặc thêm một mục",
    "Choose or add options": "Chọn hoặc thêm các mục",
    "Add an option": "Thêm một mục",
    "Add options": "Thêm các mục",
    "No options to select": "Không có mục nào để chọn",
    "No options": "Không có mục nào",
    "No results": "Không tìm thấy",
    "Clear value": "Xóa lựa chọn",
    "Clear all": "Xóa tất cả",
    "Select all": "Chọn tất cả",
    "Selected values": "Các mục đã chọn",
    "Open": "Mở",
    "Selectbox options": "Danh sách lựa chọn",
    "Multiselect options": "Danh sách lựa chọn",
    "Clear entry": "Xóa nội dung",
    "Show password": "Hiện mật khẩu",
    "Hide password": "Ẩn mật khẩu",
    # dataframe toolbar, search and column menu
    "Show/hide columns": "Ẩn/hiện cột",
    "Download as CSV": "Tải CSV",
    "Search": "Tìm trong bảng",
    "Type to search": "Gõ để tìm",
    "Close Search": "Đóng ô tìm",
    "Next Result": "Kết quả sau",
    "Previous Result": "Kết quả trước",
    "Fullscreen": "Toàn màn hình",
    "Close fullscreen": "Thoát toàn màn hình",
    "Exit fullscreen": "Thoát toàn màn hình",
    "Clear selection": "Bỏ chọn",
    "Add row": "Thêm dòng",
    "Delete row(s)": "Xóa dòng",
    "Dataframe column menu": "Trình đơn của cột",
    "Copy column name": "Chép tên cột",
    "Sort ascending": "Sắp xếp tăng dần",
    "Sort descending": "Sắp xếp giảm dần",
    "Format": "Định dạng",
    "Autosize": "Tự co giãn cột",
    "Pin column": "Ghim cột",
    "Unpin column": "Bỏ ghim cột",
    "Hide column": "Ẩn cột",
    "Automatic": "Tự động",
    "Localized": "Theo ngôn ngữ",
    "Plain": "Số thường",
    "Percent": "Phần trăm",
    "Scientific": "Dạng khoa học",
    "Accounting": "Kế toán",
    "Compact": "Rút gọn",
    "Calendar": "Lịch",
    "Relative": "Tương đối",
    "Distance": "Khoảng cách",
    "Duration": "Khoảng thời gian",
    "Dollar": "Đô la",
    "Euro": "Euro",
    "Yen": "Yên",
    "Sum": "Tổng",
    "Average": "Trung bình",
    "Median": "Trung vị",
    "Minimum": "Nhỏ nhất",
    "Maximum": "Lớn nhất",
    "Count": "Số lượng",
    "Distinct": "Số giá trị khác nhau",
    "Empty": "Trống",
    "Values": "Giá trị",
    "Range": "Khoảng",
    "Standard deviation": "Độ lệch chuẩn",
    "Average length": "Độ dài trung bình",
    "Minimum length": "Độ dài nhỏ nhất",
    "Maximum length": "Độ dài lớn nhất",
    "Based on sample": "Tính trên mẫu",
    "No data": "Không có dữ liệu",
    "No content": "Không có nội dung",
    "empty": "trống",
    # status widget, dialogs, sidebar, menus
    "Running...": "Đang chạy…",
    "Stop": "Dừng",
    "Stopping...": "Đang dừng…",
    "Rerun": "Chạy lại",
    "Please wait...": "Vui lòng đợi…",
    "Connecting": "Đang kết nối",
    "Connection error": "Mất kết nối",
    "Connection lost. Please wait for the app to reconnect, then try again.": (
        "Mất kết nối với máy chủ. Đợi ứng dụng kết nối lại rồi thử lại."
    ),
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:": (
        "Máy chủ của ứng dụng có thể đã dừng. Báo cho người quản trị để khởi động lại."
    ),
    "Page not found": "Không tìm thấy trang",
    "Error": "Lỗi",
    "Unknown error": "Lỗi không xác định",
    "Script execution error": "Lỗi khi chạy trang",
    "Close": "Đóng",
    "Dismiss": "Bỏ qua",
    "Copy": "Chép",
    "Copy to clipboard": "Chép vào bộ nhớ tạm",
    "Collapse sidebar": "Thu gọn thanh bên",
    "Expand sidebar": "Mở thanh bên",
    "View less": "Thu gọn",
    "Main menu": "Trình đơn chính",
    "Settings": "Cài đặt",
    "Print": "In",
    "Navigate to home page": "Về trang chủ",
    "App pages": "Các trang",
    "Previous month": "Tháng trước",
    "Next month": "Tháng sau",
}

# Strings with a variable part: (anchored JavaScript regular expression, replacement).
STREAMLIT_PATTERNS = [
    (r"^(?:Limit )?(\S+) per file$", "Tối đa $1 mỗi tệp"),
    (r"^Remove (.+)$", "Bỏ $1"),
    (r"^View (\d+) more$", "Xem thêm $1"),
    (r"^Select (\d+) matches$", "Chọn $1 kết quả"),
    (r"^Add: (.+)$", "Thêm: $1"),
    (
        r"^You have requested page /(.*), but no corresponding file was found in the app's pages/ directory\. "
        r"Running the app's main page\.$",
        "Không có trang /$1. Đang mở trang chính của ứng dụng.",
    ),
    (
        r"^The page that you have requested does not seem to exist\. Running the app's main page\.$",
        "Không có trang bạn yêu cầu. Đang mở trang chính của ứng dụng.",
    ),
    (
        r"^This app has encountered an error\..*$",
        "Trang gặp lỗi ngoài dự kiến; lỗi đã được ghi lại để người quản trị xử lý. Hãy tải lại trang.",
    ),
]

# What the browser test looks for in the page text and in tooltips: English that
# Streamlit or plotly writes on their own (never part of the app's Vietnamese text).
ENGLISH_STRINGS = sorted(
    {
        *(k for k in STREAMLIT_TEXT if len(k) > 4 and k not in {"Euro"}),
        *(k for k in PLOTLY_DICTIONARY if len(k) > 4),
        "per file",
        "Browse files",
        "Choose an option",
        "Page not found",
        "Running the app's main page",
        "This app has encountered an error",
        "Made with Streamlit",
    }
)

_SCRIPT = """
<div id="ward-vi-i18n" style="display:none"></div>
<style>div[data-testid="stElementContainer"]:has(#ward-vi-i18n){display:none}</style>
<script>
(function () {
  var EXACT = __EXACT__;
  var PATTERNS = __PATTERNS__.map(function (p) { return [new RegExp(p[0]), p[1]]; });
  var ATTRS = ["title", "aria-label", "placeholder", "data-title"];
  if (window.__wardVi) { return; }
  window.__wardVi = true;
  document.documentElement.lang = "vi";
  function tr(s) {
    if (!s) return null;
    var t = s.trim();
    if (!t) return null;
    var v = Object.prototype.hasOwnProperty.call(EXACT, t) ? EXACT[t] : null;
    if (v === null) {
      for (var i = 0; i < PATTERNS.length; i++) {
        if (PATTERNS[i][0].test(t)) { v = t.replace(PATTERNS[i][0], PATTERNS[i][1]); break; }
      }
    }
    return v === null ? null : s.replace(t, v);
  }
  function fixElement(el) {
    for (var i = 0; i < ATTRS.length; i++) {
      var a = el.getAttribute(ATTRS[i]);
      var v = tr(a);
      if (v !== null && v !== a) el.setAttribute(ATTRS[i], v);
    }
  }
  function fixText(node) {
    var v = tr(node.nodeValue);
    if (v !== null && v !== node.nodeValue) node.nodeValue = v;
  }
  function walk(root) {
    if (root.nodeType === 3) { fixText(root); return; }
    if (root.nodeType !== 1) return;
    var tag = root.tagName;
    if (tag === "SCRIPT" || tag === "STYLE") return;
    fixElement(root);
    var w = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    var n;
    while ((n = w.nextNode())) {
      if (n.nodeType === 3) fixText(n); else fixElement(n);
    }
  }
  walk(document.body);
  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      var r = records[i];
      if (r.type === "childList") { r.addedNodes.forEach(walk); }
      else if (r.type === "characterData") { fixText(r.target); }
      else if (r.type === "attributes") { fixElement(r.target); }
    }
  }).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS
  });
})();
</script>
"""


def script() -> str:
    """The page script that rewrites Streamlit's own English (see the module docstring)."""
    return _SCRIPT.replace("__EXACT__", json.dumps(STREAMLIT_TEXT, ensure_ascii=False)).replace(
        "__PATTERNS__", json.dumps(STREAMLIT_PATTERNS, ensure_ascii=False)
    )


def install() -> None:
    """Put the translating script in the page (once per run of app.py; the script itself
    starts only once per browser tab). Draws nothing."""
    st.html(script(), unsafe_allow_javascript=True)
