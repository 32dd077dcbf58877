"""End to end: start the Space on localhost and use it from a real headless Chromium.

The setup installs Debian's ``chromium`` with apt-get when it is missing and we are root (Playwright
drives that binary; its own browser download is never used). The test is skipped, with the reason,
only where Chromium cannot be found or installed.
"""

from __future__ import annotations

import importlib.util
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import soundfile as sf

import hf_audiosr

REPO = Path(__file__).resolve().parents[2]
APP_FILE = REPO / "spaces" / "app.py"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 120
OUTPUT_TIMEOUT_S = 90
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def find_chromium() -> str | None:
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def install_chromium() -> tuple[str | None, str]:
    """Install Debian's chromium with apt-get when we can; ``(path or None, what happened)``."""
    if find_chromium():
        return find_chromium(), "already installed"
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None, "chromium is not installed and we are not root, so apt-get cannot install it"
    apt = shutil.which("apt-get")
    if apt is None:
        return None, "chromium is not installed and there is no apt-get to install it"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = [apt, "install", "-y", "--no-install-recommends", "chromium"]
    log = []
    for step in (install, [apt, "update"], install):
        done = subprocess.run(step, env=env, capture_output=True, text=True, timeout=900)
        log.append(f"$ {' '.join(step)} -> exit {done.returncode}\n{done.stderr[-2000:]}")
        if step is install and done.returncode == 0 and find_chromium():
            return find_chromium(), "installed with apt-get"
    return None, "apt-get could not install chromium:\n" + "\n".join(log)


@pytest.fixture(scope="session")
def chromium():
    path, how = install_chromium()
    if path is None:
        reason = f"Chromium unavailable: {how}"
        print(reason, file=sys.stderr)
        pytest.skip(reason)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def space_url(tmp_path_factory):
    """The demo running in a subprocess on a free localhost port; killed after this module."""
    if importlib.util.find_spec("gradio") is None:
        pytest.fail("gradio is not installed: pip install -e '.[dev]'")
    port = free_port()
    scratch = tmp_path_factory.mktemp("space")
    log_path = scratch / "server.log"
    src = str(REPO / "src")
    env = {
        **os.environ,
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "OMP_NUM_THREADS": "1",
        # the app's results and Gradio's file cache go to pytest's scratch folder, not /tmp
        "TMPDIR": str(scratch),
        "GRADIO_TEMP_DIR": str(scratch / "gradio"),
        "PYTHONPATH": os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")])),
    }
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            [sys.executable, str(APP_FILE), "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                pytest.fail(
                    f"the app exited with {server.returncode}:\n{log_path.read_text()[-4000:]}"
                )
            try:
                with urllib.request.urlopen(url + "/", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the app did not answer on {url} in {SERVER_START_TIMEOUT_S} s")
            time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


@pytest.fixture(scope="module")
def browser(chromium):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[dev]'")
    with sync_playwright() as p:
        # Playwright gives every launch a fresh temporary profile (user-data-dir)
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, space_url):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(OUTPUT_TIMEOUT_S * 1000)
    page.goto(space_url)
    page.locator("#run-button").wait_for(state="visible")
    yield page
    context.close()


def upload(page, path: Path) -> None:
    """Put a file into the input audio component and wait until the upload is done."""
    page.locator("#input-audio input[type=file]").set_input_files(str(path))
    page.locator('#input-audio a[data-testid="download-link"][href]').wait_for(state="attached")


@pytest.mark.browser
def test_upload_process_and_download_in_chromium(page, space_url, tmp_path):
    upload(page, hf_audiosr.EXAMPLE_AUDIO)
    page.locator("#run-button").click()

    # the output audio (with its download link) and the spectrogram appear
    download = page.locator('#output-audio a[data-testid="download-link"][href]')
    download.wait_for(state="attached", timeout=OUTPUT_TIMEOUT_S * 1000)
    page.locator("#output-audio .waveform-container").wait_for(state="visible")
    spectrogram = page.locator("#spectrogram img[src]").first
    spectrogram.wait_for(state="visible", timeout=OUTPUT_TIMEOUT_S * 1000)
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 500", arg=spectrogram.element_handle()
    )
    status = page.locator("#status")
    page.wait_for_function(
        "el => el.innerText.includes('processed in')", arg=status.element_handle()
    )
    text = status.inner_text()
    assert "Input: 8000 Hz, 1 channel, 10.41 s" in text and "Output: 48000 Hz" in text, text

    # fetch the produced file over HTTP from the local server and decode it
    url = download.get_attribute("href")
    assert url.startswith(space_url + "/") and url.endswith("_48k.wav"), url
    assert download.get_attribute("download").endswith("_48k.wav")
    with urllib.request.urlopen(url, timeout=30) as response:
        data, sampling_rate = sf.read(io.BytesIO(response.read()))
    n_input = sf.info(str(hf_audiosr.EXAMPLE_AUDIO)).frames
    assert sampling_rate == 48000  # auto: the full-band model
    assert abs(len(data) - 6 * n_input) <= 12
    assert data.ndim == 1 and 0.01 < abs(data).max() <= 1.0

    shot = tmp_path / "space_after_processing.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert shot.read_bytes()[:8] == PNG_MAGIC


@pytest.mark.browser
def test_corrupt_upload_shows_an_error_message_not_a_traceback(page, tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio")
    upload(page, bad)
    page.locator("#run-button").click()
    toast = page.locator('[data-testid="toast-body"]').first
    toast.wait_for(state="visible", timeout=OUTPUT_TIMEOUT_S * 1000)
    text = toast.inner_text()
    assert "Could not read the audio: broken.wav: not a readable audio file" in text, text
    assert "Traceback" not in text
    assert page.locator('#output-audio a[data-testid="download-link"]').count() == 0
