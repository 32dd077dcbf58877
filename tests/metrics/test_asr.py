"""Recognizers: PocketSphinx on a real clip, any object plugged in with one argument, and a
transformers ASR pipeline wrapped without downloading anything."""

import csv
from pathlib import Path

import numpy as np
import pytest

from hf_audiosr.metrics.asr import (
    PocketSphinxRecognizer,
    Recognizer,
    TransformersRecognizer,
    load_recognizer,
)
from hf_audiosr.metrics.speech import wer

EVAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "eval"


def _eval_clip(path: str) -> tuple[Path, str]:
    """A reference clip of the evaluation set and its transcript from the manifest."""
    manifest = EVAL / "MANIFEST.csv"
    if not manifest.is_file():
        pytest.skip(f"evaluation data not found at {EVAL}")
    with open(manifest, newline="") as f:
        row = next((r for r in csv.DictReader(f) if r["path"] == path), None)
    if row is None or not row.get("transcript") or not (EVAL / path).is_file():
        pytest.skip(f"{path} (with a transcript) is not in {manifest}")
    return EVAL / path, row["transcript"]


def test_pocketsphinx_transcribes_a_real_clip():
    pytest.importorskip("pocketsphinx")
    pytest.importorskip("jiwer")
    from hf_audiosr.audio_io import load_audio

    path, transcript = _eval_clip("ap-bwe_vctk_peers/BWE_16k/2kto16k/wideband.flac")
    audio, sr = load_audio(path, always_2d=False)
    recognizer = PocketSphinxRecognizer()
    hypothesis = recognizer.transcribe(audio, sr)
    assert isinstance(hypothesis, str) and hypothesis
    assert wer(transcript, hypothesis) < 0.35, (transcript, hypothesis)
    # at another rate the audio is resampled to 16 kHz first: the words stay the same
    from hf_audiosr.dsp import resample

    at_48k = resample(audio, sr, 48000).astype(np.float32)
    assert wer(transcript, recognizer.transcribe(at_48k, 48000)) < 0.35
    # the same audio gives the same words on a second call
    assert recognizer.transcribe(audio, sr) == hypothesis


def test_pocketsphinx_transcript_does_not_depend_on_what_it_heard_before():
    """A reused PocketSphinx decoder adapts between utterances: after the 24 -> 48 kHz demo clip
    it heard "red box" in the 8 -> 48 kHz one where a fresh decoder hears "run up and accept"."""
    pytest.importorskip("pocketsphinx")
    from hf_audiosr.audio_io import load_audio
    from hf_audiosr.dsp import resample

    clip, _ = _eval_clip("ap-bwe_vctk_peers/BWE_48k/8kto48k/wideband.flac")
    before, _ = _eval_clip("ap-bwe_vctk_peers/BWE_48k/24kto48k/wideband.flac")
    a, sr = load_audio(clip, always_2d=False)
    b, sr_b = load_audio(before, always_2d=False)
    a = resample(a, sr, 16000).astype(np.float32)
    b = resample(b, sr_b, 16000).astype(np.float32)
    fresh = PocketSphinxRecognizer().transcribe(a, 16000)
    recognizer = PocketSphinxRecognizer()
    recognizer.transcribe(b, 16000)
    assert recognizer.transcribe(a, 16000) == fresh


def test_pocketsphinx_rejects_bad_audio():
    recognizer = PocketSphinxRecognizer()
    with pytest.raises(ValueError, match="mono"):
        recognizer.transcribe(np.zeros((2, 100), np.float32), 16000)
    with pytest.raises(ValueError, match="NaN"):
        recognizer.transcribe(np.full(100, np.nan, np.float32), 16000)
    with pytest.raises(ValueError, match="sampling_rate"):
        recognizer.transcribe(np.zeros(100, np.float32), 0)


class _Fake:
    """Says the same words whatever it hears; remembers what it was given."""

    def __init__(self, text: str):
        self.text = text
        self.calls: list[tuple[int, int]] = []

    def transcribe(self, audio, sampling_rate):
        self.calls.append((len(audio), sampling_rate))
        return self.text


def test_load_recognizer_by_name_or_object():
    assert isinstance(load_recognizer(None), PocketSphinxRecognizer)
    assert isinstance(load_recognizer("pocketsphinx"), PocketSphinxRecognizer)
    fake = _Fake("hello")
    assert load_recognizer(fake) is fake and isinstance(fake, Recognizer)
    with pytest.raises(ValueError, match="unknown recognizer 'whisper'"):
        load_recognizer("whisper")
    with pytest.raises(ValueError, match="unknown recognizer"):
        load_recognizer("transformers:")
    with pytest.raises(ValueError, match="transcribe"):
        load_recognizer(object())


def test_transformers_recognizer_wraps_a_pipeline_callable():
    seen = {}

    def asr(inputs):
        seen.update(inputs)
        return {"text": " Hello World. "}

    recognizer = TransformersRecognizer(asr)
    audio = np.linspace(-0.1, 0.1, 800, dtype=np.float64)
    assert recognizer.transcribe(audio, 8000) == " Hello World. "
    assert seen["sampling_rate"] == 8000
    assert seen["raw"].dtype == np.float32 and seen["raw"].shape == (800,)
    np.testing.assert_allclose(seen["raw"], audio, atol=1e-7)
    assert isinstance(recognizer, Recognizer)

    with pytest.raises(ValueError, match="'text'"):
        TransformersRecognizer(lambda inputs: ["no text"]).transcribe(audio, 8000)
    with pytest.raises(ValueError, match="model name"):
        TransformersRecognizer(asr, device="cpu")
    with pytest.raises(ValueError, match="ASR pipeline"):
        TransformersRecognizer(42)


def test_transformers_recognizer_builds_a_pipeline_from_a_name(monkeypatch):
    """A model name goes to ``transformers.pipeline`` (stubbed here: nothing is downloaded)."""
    import transformers

    built = {}

    class _Pipe:
        class model:  # noqa: N801 - mimics pipeline.model.config.name_or_path
            class config:  # noqa: N801
                name_or_path = "some/asr-model"

        def __call__(self, inputs):
            return {"text": f"{len(inputs['raw'])} samples"}

    def fake_pipeline(task, model, **kwargs):
        built.update(task=task, model=model, **kwargs)
        return _Pipe()

    monkeypatch.setattr(transformers, "pipeline", fake_pipeline)
    recognizer = load_recognizer("transformers:some/asr-model")
    assert isinstance(recognizer, TransformersRecognizer)
    assert built == {"task": "automatic-speech-recognition", "model": "some/asr-model"}
    assert recognizer.name == "some/asr-model"
    assert recognizer.transcribe(np.zeros(160, np.float32), 16000) == "160 samples"
    TransformersRecognizer("other/model", device="cpu")
    assert built["model"] == "other/model" and built["device"] == "cpu"
