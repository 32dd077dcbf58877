"""Shared setup for the Space demo tests: the ``browser`` marker and the app module."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP_FILE = REPO / "spaces" / "app.py"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: end-to-end test driving the Space in a real headless Chromium"
    )


@pytest.fixture(scope="session")
def app():
    """``spaces/app.py`` imported as a module (it is not part of the package)."""
    pytest.importorskip("gradio", reason="gradio is not installed (pip install -e '.[space]')")
    spec = importlib.util.spec_from_file_location("hf_audiosr_space_app", APP_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
