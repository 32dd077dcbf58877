"""estimate_bandwidth on real recordings (``../shared/data``): full-band speech and music at 16 to
48 kHz, the same taken down to 16 or 8 kHz and back up, MP3 at 128 kb/s, telephone band-passes,
mu-law and GSM at 8 kHz, stereo. The train manifest's ``wideband_check`` (measured by another
detector when the data was collected) says which files are full band.

Each case reads a few seconds of one file, so the module runs in seconds; it is skipped as a whole
when the shared data is not there.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
import scipy.signal
import soundfile as sf

from hf_audiosr import estimate_bandwidth
from hf_audiosr.bandwidth import BandwidthMeter
from hf_audiosr.codecs import codec_roundtrip
from hf_audiosr.dsp import resample

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
TRAIN, EVAL = DATA / "train", DATA / "eval"

pytestmark = pytest.mark.skipif(
    not (TRAIN / "MANIFEST.csv").is_file(),
    reason=f"real recordings not found at {TRAIN} (the shared data set of this project)",
)

SPEECH48 = "vctk48_again-vc/p225/p225_001.flac"
SPEECH48_F = "ravdess48_speech/Actor_02/03-01-01-01-01-02-02.flac"
SPEECH44 = "bigvgan_demo_hifitts_libritts/hifitts_44k.flac"
PIANO44 = "music44_headroompiano_sfzinstruments/yamaha_c3_close/headroom_L5_close_60.flac"
SAX44 = "music44_weresax_sfzinstruments/alto_sax_cnd/a2_f_rr1_cnd.flac"
MIX44 = "music44_sisec2011_nz_tour_stems/ultimate_nz_tour/mix.flac"
DRUMS44 = "music44_hydrogen_drumkits/ColomboAcoustic/bassdrum-4mics-br-stereo-normal3.flac"
GUITAR44 = "music44_sisec2011_nz_tour_stems/ultimate_nz_tour/stem_guitar.flac"
SPEECH22 = ["ljspeech22_coqui-tts/LJ/LJ001-0001.flac", "vcc2018_22k/VCC2SF1/30001.flac"]
SPEECH16 = [
    "librispeech16_kkulesz/40/40-121026-0000.flac",
    "vcc2016_16k/VCC2016_SF1/100001.flac",
    "aishell16_cyclegan-vc2/S0913/BAC009S0913W0300.flac",
]


@lru_cache(maxsize=1)
def manifest() -> dict[str, dict]:
    with (TRAIN / "MANIFEST.csv").open(newline="") as f:
        return {row["path"]: row for row in csv.DictReader(f)}


def clip(rel: str, seconds: float = 6.0, root: Path = TRAIN) -> tuple[np.ndarray, int]:
    """Up to ``seconds`` of a file as float64 ``(channels, time)``, from its loudest part."""
    path = root / rel
    if not path.is_file():
        pytest.skip(f"{path} not found")
    info = sf.info(str(path))
    n = min(info.frames, int(seconds * info.samplerate))
    start = 0
    if info.frames > n:  # skip a silent lead-in: start a little before the first loud sample
        head, _ = sf.read(str(path), frames=min(info.frames, 3 * n), dtype="float64")
        level = np.abs(head if head.ndim == 1 else head.max(axis=1))
        loud = np.nonzero(level >= 0.1 * level.max())[0]
        start = max(0, min(int(loud[0]) - info.samplerate // 5, info.frames - n))
    x, sr = sf.read(str(path), start=start, frames=n, dtype="float64", always_2d=True)
    return x.T, sr


def telephone(x: np.ndarray, sr: int) -> np.ndarray:
    """A 300-3400 Hz telephone band-pass (8th-order Butterworth, forward and back)."""
    sos = scipy.signal.butter(8, [300, 3400], btype="bandpass", fs=sr, output="sos")
    return scipy.signal.sosfiltfilt(sos, x, axis=-1)


def mp3(x: np.ndarray, sr: int, kbps: int = 128) -> tuple[np.ndarray, float]:
    """A constant-bit-rate MP3 round trip through soundfile; returns the audio and its kb/s."""
    level = {128: 0.65}[kbps]  # libsndfile's level for 128 kb/s CBR at 44.1/48 kHz
    buf = io.BytesIO()
    sf.write(buf, x.T, sr, format="MP3", bitrate_mode="CONSTANT", compression_level=level)
    spent = len(buf.getvalue()) * 8 / (x.shape[-1] / sr) / 1000
    buf.seek(0)
    y, _ = sf.read(buf, dtype="float64", always_2d=True)
    return y.T, spent


def within(value: float, expected: float, tol: float = 0.1) -> bool:
    return abs(value - expected) <= tol * expected


@pytest.mark.parametrize(
    "rel",
    [
        SPEECH48,
        SPEECH48_F,
        SPEECH44,
        PIANO44,
        SAX44,
        MIX44,
        DRUMS44,
        GUITAR44,
        *SPEECH22,
        *SPEECH16,
    ],
)
def test_full_band_recordings_have_no_false_cutoff(rel):
    row = manifest().get(rel)
    assert row is not None and row["wideband_check"].startswith("wideband"), row
    x, sr = clip(rel)
    est = estimate_bandwidth(x, sr)
    assert est.full_band and est.kind == "full", est
    assert est.cutoff_hz == sr / 2
    # the manifest's 99.9 % energy roll-off lies under the reported band
    assert est.cutoff_hz >= float(row["rolloff999_hz"])


@pytest.mark.parametrize("rel", [SPEECH48, SPEECH48_F, PIANO44, MIX44, SAX44])
@pytest.mark.parametrize("low_rate", [16000, 8000])
def test_resampled_down_and_up_shows_the_low_rate(rel, low_rate):
    x, sr = clip(rel)
    y = resample(resample(x, sr, low_rate), low_rate, 48000)
    est = estimate_bandwidth(y, 48000)
    assert not est.full_band and est.kind == "brickwall", est
    assert within(est.cutoff_hz, low_rate / 2), est
    assert est.confidence >= 0.8


@pytest.mark.parametrize("rel", [PIANO44, MIX44, DRUMS44])
def test_stereo_mp3_at_128_kbps_stops_near_16_khz(rel):
    x, sr = clip(rel, 8.0)
    assert sr == 44100 and x.shape[0] == 2
    y, kbps = mp3(x, sr)
    assert 120 <= kbps <= 140
    est = estimate_bandwidth(y, sr)
    assert not est.full_band, est
    # LAME's low-pass for 128 kb/s stereo: about 16-17 kHz
    assert within(est.cutoff_hz, 16500), est


def test_mono_mp3_is_cut_where_the_encoder_cut_it():
    x, sr = clip(SPEECH44)
    # 64 kb/s mono spends what 128 kb/s stereo spends per channel: LAME cuts near 16-17 kHz
    y = codec_roundtrip(x[0].astype(np.float32), sr, "mp3_64k")
    est = estimate_bandwidth(y, sr)
    assert not est.full_band and within(est.cutoff_hz, 16500), est
    # an independent check: under 0.01 % of the energy lies above the measured cut-off
    spectrum = np.abs(np.fft.rfft(y)) ** 2
    freqs = np.fft.rfftfreq(len(y), 1 / sr)
    assert spectrum[freqs > 1.05 * est.cutoff_hz].sum() < 1e-4 * spectrum.sum()
    # 128 kb/s mono keeps up to about 20 kHz, where a converter's own filter would be: no
    # cut-off is reported below that
    wide = estimate_bandwidth(codec_roundtrip(x[0].astype(np.float32), sr, "mp3_128k"), sr)
    assert wide.full_band or wide.cutoff_hz >= 18000, wide


@pytest.mark.parametrize(
    "rel, rate",
    [(SPEECH48, None), (SPEECH48_F, None), (MIX44, None), (DRUMS44, None), (SPEECH48, 8000)],
)
def test_telephone_band_pass(rel, rate):
    x, sr = clip(rel)
    if rate is not None:  # a telephone recording at 8 kHz
        x, sr = resample(x, sr, rate), rate
    est = estimate_bandwidth(telephone(x, sr), sr)
    assert est.kind == "bandpass" and not est.full_band, est
    assert within(est.cutoff_hz, 3400), est
    assert 250 <= est.low_cutoff_hz <= 400, est


def test_telephone_band_pass_at_8_khz_upsampled_to_48_khz():
    x, sr = clip(SPEECH16[1])
    y = resample(telephone(resample(x, sr, 8000), 8000), 8000, 48000)
    est = estimate_bandwidth(y, 48000)
    assert est.kind == "bandpass" and within(est.cutoff_hz, 3400), est
    assert 250 <= est.low_cutoff_hz <= 400, est


@pytest.mark.parametrize("codec", ["mulaw", "gsm610"])
@pytest.mark.parametrize("rel", [SPEECH48, SPEECH16[0]])
def test_telephone_codecs_at_8_khz(codec, rel):
    x, sr = clip(rel)
    coded = codec_roundtrip(resample(x[0], sr, 8000).astype(np.float32), 8000, codec)
    # at 8 kHz the coded speech fills its band (the codec's noise included) ...
    at8 = estimate_bandwidth(coded, 8000)
    assert at8.full_band and at8.cutoff_hz == 4000, at8
    # ... and upsampled to 48 kHz it stops at 4 kHz
    at48 = estimate_bandwidth(resample(coded, 8000, 48000), 48000)
    assert not at48.full_band and within(at48.cutoff_hz, 4000), at48


def test_mu_law_of_a_telephone_band_pass_is_still_a_band_pass():
    x, sr = clip(SPEECH48)
    band = telephone(resample(x[0], sr, 8000), 8000).astype(np.float32)
    est = estimate_bandwidth(codec_roundtrip(band, 8000, "mulaw"), 8000)
    assert est.kind == "bandpass" and within(est.cutoff_hz, 3400), est


def test_stereo_channels_count_together():
    x, sr = clip(MIX44)
    limited = resample(resample(x, sr, 16000), 16000, sr)
    # both channels band-limited: the wall shows
    both = estimate_bandwidth(limited, sr)
    assert within(both.cutoff_hz, 8000) and not both.full_band, both
    # one full-band channel is enough for the file to be full band
    one = estimate_bandwidth(np.stack([x[0], limited[1]]), sr)
    assert one.full_band, one


def test_block_wise_meter_matches_the_whole_file():
    x, sr = clip(SPEECH48, 10.0)
    y = resample(resample(x, sr, 16000), 16000, sr)
    whole = estimate_bandwidth(y, sr)
    meter = BandwidthMeter(sr, total_samples=y.shape[-1])
    for i in range(0, y.shape[-1], 12345):  # odd block sizes, not aligned to the frames
        meter.update(y[:, i : i + 12345])
    blocks = meter.result()
    assert blocks.kind == whole.kind
    assert abs(blocks.cutoff_hz - whole.cutoff_hz) <= 0.02 * whole.cutoff_hz


@pytest.mark.parametrize("rate", [8000, 12000, 16000, 24000])
def test_peer_inputs_stored_at_48_khz(rate):
    """NU-Wave 2's inputs: VCTK test speech low-passed to ``rate`` and stored at 48 kHz."""
    folder = EVAL / "nuwave2_vctk_peers" / f"{rate // 1000}k" / f"original_{rate // 1000}k"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    files = sorted(p for p in folder.iterdir() if p.suffix in (".wav", ".flac"))
    assert files
    for path in files:
        x, sr = sf.read(str(path), dtype="float64", always_2d=True)
        est = estimate_bandwidth(x.T, sr)
        assert not est.full_band and within(est.cutoff_hz, rate / 2), (path.name, est)


VORBIS_CUT = [  # real Ogg Vorbis files (librosa's examples) whose encoder cut near 16-18 kHz
    "147793__setuniman__sweet-waltz-0i-22mi.hq.ogg",
    "442789__lena-orsa__happy-music-pistachio-ice-cream-ragtime.hq.ogg",
    "Hungarian_Dance_number_5_-_Allegro_in_F_sharp_minor_(string_orchestra).hq.ogg",
    "Karissa_Hobbs_-_Lets_Go_Fishin.hq.ogg",
    "Kevin_MacLeod_-_P_I_Tchaikovsky_Dance_of_the_Sugar_Plum_Fairy.hq.ogg",
]
VORBIS_WIDE = ["Kevin_MacLeod_-_Vibe_Ace.hq.ogg", "admiralbob77_-_Choice_-_Drum-bass.hq.ogg"]


@pytest.mark.parametrize("name", VORBIS_CUT + VORBIS_WIDE)
def test_real_vorbis_files(name):
    """Whole files, read block by block as ``inspect`` does: a quiet intro alone can hold less."""
    from hf_audiosr.audio_io import audio_info, iter_blocks

    path = EVAL / "librosa_data" / name
    if not path.is_file():
        pytest.skip(f"{path} not found")
    frames, sr, _ = audio_info(path)
    meter = BandwidthMeter(sr, total_samples=frames)
    for block in iter_blocks(path, 1 << 16):
        meter.update(block)
    est = meter.result()
    if name in VORBIS_CUT:
        assert not est.full_band and 15000 <= est.cutoff_hz <= 18500, est
    else:  # these keep content up to about 20 kHz, where a converter's filter would be
        assert est.full_band, est
