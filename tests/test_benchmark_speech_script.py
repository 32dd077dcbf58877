"""scripts/benchmark_speech.py on a tiny evaluation folder: which clips and peers it takes, one
table per degradation, the JSON it writes (a stub recognizer; the real run is in the README)."""

import csv
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from hf_audiosr.dsp import resample
from tests.test_benchmark_speech import voiced

ROOT = Path(__file__).resolve().parents[1]


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "benchmark_speech", ROOT / "scripts" / "benchmark_speech.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _voice(sr, seconds=1.5, f0=130.0, seed=0):
    return voiced(sr, seconds=seconds, f0=f0, seed=seed)


@pytest.fixture
def eval_folder(tmp_path):
    data = tmp_path / "eval"
    rows = []

    def add(path, audio, sr, **row):
        (data / path).parent.mkdir(parents=True, exist_ok=True)
        sf.write(data / path, audio, sr, subtype="FLOAT")
        rows.append({"path": path, "file_rate_hz": sr, "duration_s": len(audio) / sr, **row})

    ref48 = _voice(48000, seed=1)
    add("set/8kto48k/wideband.wav", ref48, 48000, role="reference", input_rate_hz=8000,
        target_rate_hz=48000, transcript="one two three four")  # fmt: skip
    add("set/8kto48k/peer.wav", 0.9 * ref48, 48000, role="system_output", system="Peer",
        input_rate_hz=8000, target_rate_hz=48000)  # fmt: skip
    add("set/8kto48k/peer_variant.wav", ref48, 48000, role="system_output",
        system="Peer ablation: variant", input_rate_hz=8000, target_rate_hz=48000)  # fmt: skip
    add("set/8kto48k/sinc.wav", 0.8 * ref48, 48000, role="baseline_interp",
        system="sinc interpolation (baseline)", input_rate_hz=8000, target_rate_hz=48000)  # fmt: skip
    ref16 = _voice(16000, f0=170.0, seed=2)
    add("set/4kto16k/wideband.wav", ref16, 16000, role="reference", input_rate_hz=4000,
        target_rate_hz=16000, utterance_id="p999_002")  # fmt: skip
    add("set/4kto16k/peer.wav", ref16, 16000, role="system_output", system="Peer",
        input_rate_hz=4000, target_rate_hz=16000)  # 4 kHz input: not this benchmark  # fmt: skip
    add("other/untranscribed.wav", ref16, 16000, role="reference", input_rate_hz=8000,
        target_rate_hz=16000)  # fmt: skip
    add("other/narrow.wav", resample(ref16, 16000, 8000).astype(np.float32), 8000,
        role="reference", input_rate_hz=4000, target_rate_hz=8000, transcript="too narrow")  # fmt: skip
    fields = ["path", "source", "role", "system", "input_rate_hz", "target_rate_hz"]
    fields += ["file_rate_hz", "duration_s", "utterance_id", "transcript"]
    with open(data / "MANIFEST.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows([{k: r.get(k, "") for k in fields} for r in rows])
    (data / "transcripts").mkdir()
    (data / "transcripts" / "vctk_transcripts.tsv").write_text("p999_002\tfive six seven\n")
    return data


def test_speech_manifest_takes_transcribed_wideband_references_and_their_8k_peers(
    eval_folder, tmp_path
):
    script = _load_script()
    manifest, clips = script.speech_manifest(eval_folder, tmp_path / "out")
    assert [c["path"] for c in clips] == ["set/8kto48k/wideband.wav", "set/4kto16k/wideband.wav"]
    assert clips[1]["transcript"] == "five six seven"  # from the transcripts file
    assert set(clips[0]["peers"]) == {"Peer", "sinc interpolation (their file)"}
    assert clips[1]["peers"] == {}  # its peer was made from a 4 kHz input
    with open(manifest, newline="") as f:
        rows = list(csv.DictReader(f))
    refs = [r for r in rows if r["role"] == "reference"]
    assert all(r["input_rate_hz"] == "" and r["target_rate_hz"] == "16000" for r in refs)
    assert all(Path(r["path"]).is_absolute() for r in rows)


def test_script_writes_one_table_per_degradation(eval_folder, tmp_path, monkeypatch, capsys):
    pytest.importorskip("pesq")
    pytest.importorskip("pystoi")
    pytest.importorskip("jiwer")
    import hf_audiosr.metrics.asr as asr

    class Stub:
        calls = 0

        def transcribe(self, audio, sampling_rate):
            Stub.calls += 1
            return "one two three" if sampling_rate == 16000 else ""

    monkeypatch.setattr(asr, "PocketSphinxRecognizer", Stub)  # what "pocketsphinx" loads
    script = _load_script()
    out = tmp_path / "out"
    args = ["--data", str(eval_folder), "--model", "audiounet-speech-8k-16k"]
    code = script.main([*args, "--degradation", "clean,mulaw", "--out", str(out)])
    assert code == 0
    tables = (out / "tables.md").read_text()
    assert "#### clean: sinc resampling to 8 kHz only (`clean`)" in tables
    assert "#### G.711 mu-law (`mulaw`)" in tables
    assert "only the 1 clips with published outputs" in tables
    # and one table per metric across the degradations
    assert "**word error rate, %** (n = 2 clips per cell)" in tables
    assert "| mulaw | " in tables and "**wideband PESQ (MOS-LQO)**" in tables
    assert tables in capsys.readouterr().out
    result = json.loads((out / "results.json").read_text())
    assert result["degradations"] == ["clean", "mulaw"] and result["cpu"]
    assert result["command"].startswith("python ")
    clean = {r["system"]: r for r in result["summaries"]["clean"]}
    mulaw = {r["system"]: r for r in result["summaries"]["mulaw"]}
    for table in (clean, mulaw):
        for system in ("wideband reference (ceiling)", "sinc interpolation (ours)",
                       "audiounet-speech-8k-16k"):  # fmt: skip
            assert table[system]["n"] == 2 and table[system]["words"] == 7
            # the stub says "one two three": 1 deletion on clip 1, 3 substitutions on clip 2
            assert table[system]["wer"] == pytest.approx(4 / 7)
    assert clean["Peer"]["n"] == 1 and "Peer" not in mulaw
    assert clean["Peer"]["pesq"] > 4.5  # the peer file is the reference, quieter
    assert not any("ablation" in s.lower() for s in clean)
    # the ceiling is transcribed once per clip, not once per degradation
    ceiling_rows = [r for r in result["rows"] if r["kind"] == "ceiling"]
    assert len(ceiling_rows) == 4
    per_estimate = len(result["rows"]) - len(ceiling_rows) + 2
    assert Stub.calls == per_estimate


def test_resume_reuses_finished_degradations(eval_folder, tmp_path, monkeypatch):
    pytest.importorskip("pesq")
    pytest.importorskip("pystoi")
    pytest.importorskip("jiwer")
    import hf_audiosr.metrics.asr as asr

    class Stub:
        def transcribe(self, audio, sampling_rate):
            return "five six"

    monkeypatch.setattr(asr, "PocketSphinxRecognizer", Stub)
    script = _load_script()
    out = tmp_path / "out"
    args = ["--data", str(eval_folder), "--model", "audiounet-speech-8k-16k", "--out", str(out)]
    assert script.main([*args, "--degradation", "g721"]) == 0
    first = json.loads((out / "results.json").read_text())["summaries"]["g721"]
    assert (out / "parts" / "g721.json").is_file()

    class Refuses:
        def transcribe(self, audio, sampling_rate):
            raise AssertionError("a finished degradation was scored again")

    monkeypatch.setattr(asr, "PocketSphinxRecognizer", Refuses)
    assert script.main([*args, "--degradation", "g721", "--resume"]) == 0
    again = json.loads((out / "results.json").read_text())["summaries"]["g721"]
    assert again == first
    # another model list is another setup: not reused
    with pytest.raises(AssertionError, match="scored again"):
        script.main([*args, "--model", "tfnet-speech-8k-16k", "--degradation", "g721", "--resume"])
