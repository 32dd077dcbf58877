"""The benchmark scripts run end to end (tiny sizes; the real figures are in the README)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_script(name, *args, cwd):
    env = dict(os.environ, HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=600,
    )


def test_benchmark_speed_reports_rtf_against_sinc(tmp_path):
    out = tmp_path / "speed.json"
    result = run_script(
        "benchmark_speed.py", "--durations", "2", "--repeats", "1", "--train-steps", "1",
        "--models", "audiounet-speech-8k-16k", "--presets", "audiounet:tiny",
        "--json", str(out), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(out.read_text())["rows"]
    timed = [r for r in rows if "fp32_rtf" in r and "model" in r]
    assert timed and all(r["fp32_rtf"] > 0 and r["fp32_vs_sinc"] > 0 for r in timed)
    assert any(r.get("train_steps_per_s", 0) > 0 for r in rows)
    assert any(r.get("preset") == "audiounet:tiny" for r in rows)


@pytest.mark.skipif(not Path("/usr/bin/time").exists(), reason="/usr/bin/time is not installed")
def test_benchmark_memory_measures_peak_rss(tmp_path):
    result = run_script(
        "benchmark_memory.py", "--minutes", "0.5", "--workdir", str(tmp_path / "m"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["output_seconds"] == pytest.approx(30.0, abs=0.01)
    assert report["output_rate"] == 16000
    assert report["peak_rss_mb_long"] > 50 and report["peak_rss_mb_10s"] > 50
