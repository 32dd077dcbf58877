"""`hf-audiosr upsample` and `benchmark` split their work across processes (two CPU processes)."""

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]


def launch(args, tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
        "OMP_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
    }
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    cmd += ["-m", "hf_audiosr.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)


@pytest.fixture
def folder(tmp_path):
    rng = np.random.default_rng(0)
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    for i in range(5):
        sub = src / "sub" if i % 2 else src
        sf.write(
            sub / f"clip{i}.wav",
            (0.1 * rng.standard_normal(4000 + 500 * i)).astype(np.float32),
            8000,
        )
    return src


def test_upsample_splits_files_between_two_processes(folder, tmp_path):
    out = tmp_path / "out"
    result = launch(["upsample", str(folder), "-o", str(out), "--quiet"], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    shares = sorted(re.findall(r"process \d/2: \d of 5 files", result.stdout))
    assert shares == ["process 0/2: 3 of 5 files", "process 1/2: 2 of 5 files"]
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.wav"))
    assert written == ["clip0.wav", "clip2.wav", "clip4.wav", "sub/clip1.wav", "sub/clip3.wav"]
    for i, name in enumerate(["clip0", "sub/clip1", "clip2", "sub/clip3", "clip4"]):
        info = sf.info(out / f"{name}.wav")
        assert (info.samplerate, info.frames) == (48000, 6 * (4000 + 500 * i))  # full band
    assert result.stdout.count(" -> ") == 5  # every file processed exactly once


def test_benchmark_shards_clips_and_gathers_one_table(tmp_path):
    manifest = ROOT.parent / "shared" / "data" / "eval" / "MANIFEST.csv"
    if not manifest.is_file():
        pytest.skip(f"evaluation data not found at {manifest}")
    out = tmp_path / "bench"
    args = ["benchmark", "--data", str(manifest), "--source", "kuleshov_tfilm_vctk_piano"]
    args += ["--condition", "8k->16k", "--out", str(out)]
    result = launch(args, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.count("### 8k->16k") == 1  # only the main process prints
    with open(out / "summary.csv") as f:
        rows = {r["system"]: r for r in csv.DictReader(f)}
    # the 5 clips of this condition were split 3 + 2 and gathered back into one table
    assert rows["audiounet-speech-8k-16k"]["n"] == "5"
    assert rows["cubic spline (baseline)"]["n"] == "5"
