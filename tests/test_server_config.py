"""The server settings in .streamlit/config.toml, read as TOML and as Streamlit reads them."""

from __future__ import annotations

import tomllib

import pytest
from streamlit import config as st_config

from loaders.forms import LIMITS

EXPECTED = {
    "server.headless": True,
    "server.maxUploadSize": 20,
    "server.enableXsrfProtection": True,
    "server.enableCORS": True,
    "client.showErrorDetails": "none",
}


@pytest.fixture()
def config_file(project_root):
    return project_root / ".streamlit" / "config.toml"


def test_config_file_as_toml(config_file):
    data = tomllib.loads(config_file.read_text(encoding="utf-8"))
    for dotted, expected in EXPECTED.items():
        section, name = dotted.split(".")
        assert data[section][name] == expected, dotted


def test_upload_limit_matches_the_loaders_limit(config_file):
    data = tomllib.loads(config_file.read_text(encoding="utf-8"))
    assert data["server"]["maxUploadSize"] * 1024 * 1024 == LIMITS.max_file_bytes


def test_show_error_details_is_an_accepted_value(config_file):
    data = tomllib.loads(config_file.read_text(encoding="utf-8"))
    accepted = {o.value for o in st_config.ShowErrorDetailsConfigOptions}
    assert data["client"]["showErrorDetails"] in accepted
    # "none" is the most restrictive: no type, no message, no traceback in the browser.
    assert data["client"]["showErrorDetails"] == st_config.ShowErrorDetailsConfigOptions.NONE.value


def test_config_as_streamlit_reads_it(project_root, monkeypatch):
    # Streamlit reads ./.streamlit/config.toml relative to the working directory.
    monkeypatch.chdir(project_root)
    try:
        st_config.get_config_options(force_reparse=True)
        for dotted, expected in EXPECTED.items():
            assert st_config.get_option(dotted) == expected, dotted
            where = st_config.get_where_defined(dotted)
            assert where.endswith(".streamlit/config.toml"), (dotted, where)
    finally:
        st_config.get_config_options(force_reparse=True)
