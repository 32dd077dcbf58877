"""Effective bandwidth: the frequency above which a recording holds no real content.

A file's sampling rate says only how much band it *could* hold. A 48 kHz file made from 16 kHz
audio holds nothing above 8 kHz, an MP3 at 128 kb/s stops near 16-17 kHz, a telephone recording
stops at 3.4 kHz. :func:`estimate_bandwidth` measures that cut-off from the audio itself.

Method (numpy/scipy only, bounded time and memory):

1. Hann-windowed frames of about 43 ms, at most ``max_frames`` of them spread evenly over the
   input (an hour of audio costs the same as a few minutes); channels are summed in power, so a
   band present in any channel counts.
2. Frames more than 40 dB below the loudest ones (pauses, fade-outs) are dropped; the power
   spectra of the remaining *active* frames are averaged into the long-term spectrum, which is
   taken in dB and median-smoothed across about 1 % of the band.
3. A cut-off is a *cliff*: at some frequency ``f`` the level falls by at least ``20 dB`` within a
   short distance (a slope of at least 60 dB per octave) and nothing above ``f`` ever comes back
   to within that distance of the level just below it. A natural roll-off (speech, piano, a
   microphone) falls gradually and keeps some content up to the top of the band, so it is not a
   cliff. The reported cut-off is where the level has fallen 6 dB below the band just under it;
   for a filter with a wide transition band (a Butterworth, a codec's low-pass) that band is
   where the fall starts, found by walking down from the steepest point while the level still
   falls at 30 dB/octave or more.
4. Cliffs at 88 % of Nyquist or above are the converter's own anti-alias filter: the recording
   is full band. A cliff with content missing below 250-800 Hz as well is a band-pass
   (telephone); a telephone's 3.4 kHz at 8 kHz counts as one although it sits where a converter's
   filter would.
5. A cliff is a natural roll-off, not a cut-off, when the signal falls into the recording's own
   noise (the quiet frames' level runs on through it), or when real content goes on above it
   (the octave above stays 12 dB over the top of the band and within 40 dB of the level under
   the cliff: a guitar amplifier's steep roll-off).

Silent input, stationary broadband noise and input shorter than 0.1 s get an answer of their own
kind with a low confidence, never an exception; empty or non-finite input is a ``ValueError``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import scipy.ndimage
import scipy.signal
from transformers.utils import logging

logger = logging.get_logger(__name__)

KINDS = ("full", "brickwall", "lowpass", "bandpass", "silent", "too_short", "noise")

MIN_DURATION_S = 0.1
"""Input shorter than this gets kind ``"too_short"``."""
SILENCE_DBFS = -90.0
"""Input whose loudest frame is below this RMS level (dBFS) is ``"silent"``."""
ACTIVE_RANGE_DB = 40.0
"""Frames more than this far below the loudest ones are left out of the long-term spectrum."""
MIN_DROP_DB = 20.0
"""A cliff falls at least this much ..."""
MIN_SLOPE_DB_PER_OCTAVE = 60.0
"""... and at least this steeply."""
EDGE_DB = 6.0
"""The cut-off is where the level is this far below the band just under the cliff."""
CONVERTER_ROLLOFF = 0.88
"""Cliffs at or above this fraction of Nyquist are the converter's anti-alias filter."""
_ANALYSIS_TOP = 0.9  # the level above this fraction of Nyquist is not looked at
MAX_FRAMES = 4000

# Gaps (fractions of f) between the band just under a candidate cut-off and the band above it.
_GAPS = (0.03, 0.08, 0.2)
# The band "just under" a candidate f is [_BELOW * f, f].
_BELOW = 0.85
# A wall falling only _NARROW_DROP_DB (a weak signal over a digital floor) counts when it falls
# from the band [_NARROW_BELOW * f, f] to everything above (1 + _NARROW_GAP) * f.
_NARROW_DROP_DB, _NARROW_BELOW, _NARROW_GAP = 12.0, 0.97, 0.02
_NARROW_MIN_HZ = 4000.0
# Between two cliffs, a level still falling this steeply is one fall (a filter's stop band).
_FALLING_DB_PER_OCTAVE = 20.0
# A filter's transition band falls at least this steeply; it is walked down from the steepest
# point of a cliff (but no lower than _KNEE_LOWEST of it) to find the pass band just under it.
_TRANSITION_DB_PER_OCTAVE, _KNEE_LOWEST = 30.0, 0.9
# A cut-off below this fraction of Nyquist, with content missing below ~300 Hz too, is a
# band-pass even where a converter's filter would be (telephone audio at 8 kHz).
# (only for a telephone's band: a top edge up to _BANDPASS_MAX_HZ, wideband telephony's 7 kHz)
_BANDPASS_TOP, _BANDPASS_MAX_HZ = 0.9, 7500.0
# The lower edge of a band-pass: the level comes within _LOW_EDGE_DB of the octave above, at
# _LOW_MIN_HZ to _LOW_MAX_HZ (a high-pass, not a single note's fundamental), with everything
# under 60 % of it _LOW_STOP_DB down.
_LOW_EDGE_DB, _LOW_MIN_HZ, _LOW_MAX_HZ, _LOW_STOP_DB = 12.0, 250.0, 800.0, 30.0
# A brick wall falls _WALL_DB within _WALL_WIDTH (fraction) above the cut-off.
_WALL_DB, _WALL_WIDTH = 30.0, 0.05
# A drop is the signal falling into the noise when the level after it stays this far above the
# quiet frames' level, and the quiet frames' own level drops less than this there.
_NOISE_MARGIN_DB = 10.0
# A drop is a natural roll-off when the octave above it stays this far above the band's top.
# and within _GOES_ON_BELOW_DB of the level under the drop.
_GOES_ON_DB, _GOES_ON_BELOW_DB = 12.0, 40.0
# Levels more than this below the spectrum's peak are numerical dust, not content.
_REAL_RANGE_DB = 100.0


@dataclass(frozen=True)
class BandwidthEstimate:
    """What :func:`estimate_bandwidth` measured.

    Attributes:
        cutoff_hz: above this frequency the recording holds no real content; ``sampling_rate / 2``
            for full-band input (and for silent, too-short or noise-only input, where nothing can
            be said).
        confidence: in [0, 1]; how clear the measurement is (size and steepness of the drop, or
            how clearly no drop exists; low for short, silent or noise-only input).
        full_band: True when the content reaches the top of the band (``cutoff_hz`` is Nyquist).
        kind: one of :data:`KINDS`: ``"full"``, ``"brickwall"`` (a resampler's wall, a few % wide),
            ``"lowpass"`` (a wider filter: encoders, IIR low-passes), ``"bandpass"`` (also nothing
            below ``low_cutoff_hz``: telephone), ``"silent"``, ``"too_short"``, ``"noise"``
            (stationary broadband noise only).
        reason: one human-readable sentence saying why.
        sampling_rate: the rate the audio was measured at.
        low_cutoff_hz: for ``"bandpass"``, the frequency below which content is missing; else 0.
        drop_db: how far the level falls at the cut-off (0 when there is none).
        active_s: seconds of audio in the active frames the spectrum was measured on.
    """

    cutoff_hz: float
    confidence: float
    full_band: bool
    kind: str
    reason: str
    sampling_rate: int
    low_cutoff_hz: float = 0.0
    drop_db: float = 0.0
    active_s: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def fft_size_for(sampling_rate: int) -> int:
    """Frame length: the power of two at or above 40 ms (2048 at 44.1/48 kHz, 512 at 8 kHz)."""
    return 1 << max(6, math.ceil(math.log2(sampling_rate * 0.04)))


def _check_rate(sampling_rate) -> int:
    if isinstance(sampling_rate, bool) or not isinstance(sampling_rate, (int, np.integer)):
        if not (isinstance(sampling_rate, float) and sampling_rate.is_integer()):
            raise ValueError(f"sampling_rate must be a positive integer, got {sampling_rate!r}")
    if sampling_rate <= 0:
        raise ValueError(f"sampling_rate must be a positive integer, got {sampling_rate!r}")
    return int(sampling_rate)


def _as_channels(block) -> np.ndarray:
    """``(time,)`` or ``(channels, time)`` -> float64 ``(channels, time)``, with clear errors."""
    x = np.asarray(block)
    if x.dtype == object or not (
        np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)
    ):
        raise ValueError(f"audio must be a numeric array, got dtype {x.dtype}")
    if np.issubdtype(x.dtype, np.integer):
        # integer PCM: scale to [-1, 1) so levels are in dBFS
        x = x / float(
            -np.iinfo(x.dtype).min if np.iinfo(x.dtype).min < 0 else np.iinfo(x.dtype).max
        )
    if x.ndim == 1:
        x = x[None]
    elif x.ndim != 2:
        raise ValueError(f"audio must be (time,) or (channels, time), got shape {x.shape}")
    elif x.shape[0] > 64 and x.shape[1] <= 64:
        raise ValueError(
            f"audio of shape {x.shape} looks like (time, channels); pass (channels, time) "
            "(transpose it)"
        )
    x = np.asarray(x, dtype=np.float64)
    if not np.isfinite(x).all():
        raise ValueError("audio contains NaN or infinite values")
    return x


class BandwidthMeter:
    """Measure the bandwidth of audio fed block by block (a file far longer than memory).

    ``total_samples`` (per channel), when known, spreads the at most ``max_frames`` analysed
    frames evenly over the whole input; without it the frame spacing doubles each time the budget
    fills up, which gives the same even spread. Memory is ``max_frames`` spectra (a few MB).
    """

    def __init__(
        self, sampling_rate: int, total_samples: int | None = None, max_frames: int = MAX_FRAMES
    ):
        self.sampling_rate = _check_rate(sampling_rate)
        if max_frames < 16:
            raise ValueError(f"max_frames must be at least 16, got {max_frames}")
        self.n_fft = fft_size_for(self.sampling_rate)
        self.max_frames = int(max_frames)
        self.hop = self.n_fft // 2
        if total_samples is not None and total_samples > self.n_fft:
            wanted = math.ceil((total_samples - self.n_fft) / (self.max_frames - 1))
            # a power-of-two multiple of the base hop, so that halving the frames keeps the grid
            while self.hop < wanted:
                self.hop *= 2
        # low side lobes (-92 dB), so leakage never hides a wall
        self.window = scipy.signal.windows.blackmanharris(self.n_fft, sym=False)
        self._spectra: list[np.ndarray] = []
        self._energy: list[np.ndarray] = []
        self._count = 0
        self._channels: int | None = None
        self._buf = np.zeros((0, 0))
        self._buf_start = 0  # absolute sample index of self._buf[:, 0]
        self._next = 0  # absolute sample index where the next frame starts
        self.samples = 0  # samples per channel seen so far

    def update(self, block) -> None:
        """Add ``(time,)`` or ``(channels, time)`` samples that follow the previous block."""
        x = _as_channels(block)
        if self._channels is None:
            self._channels = x.shape[0]
            self._buf = np.zeros((x.shape[0], 0))
        elif x.shape[0] != self._channels:
            raise ValueError(
                f"block has {x.shape[0]} channels, earlier blocks had {self._channels}"
            )
        end = self.samples + x.shape[1]
        if self._next >= end:  # the whole block lies between two frames
            self._buf, self._buf_start, self.samples = x[:, :0], end, end
            return
        if self._buf_start + self._buf.shape[1] < self._next:
            # skip what lies before the next frame
            x = x[:, self._next - self.samples :]
            self._buf, self._buf_start = x, self._next
        else:
            self._buf = np.concatenate([self._buf, x], axis=1)
        self.samples = end
        self._take_frames()

    def _take_frames(self) -> None:
        n = self._buf.shape[1]
        while True:
            offset = self._next - self._buf_start
            if offset + self.n_fft > n:
                break
            count = min(256, (n - self.n_fft - offset) // self.hop + 1)  # bounded memory
            starts = offset + np.arange(count) * self.hop
            frames = self._buf[:, starts[:, None] + np.arange(self.n_fft)]  # (ch, frames, n_fft)
            frames = frames - frames.mean(axis=-1, keepdims=True)
            # mean square, summed over channels
            self._energy.append(np.mean(frames**2, axis=(0, 2)) * frames.shape[0])
            spec = np.abs(np.fft.rfft(frames * self.window, axis=-1)) ** 2
            self._spectra.append(spec.sum(axis=0).astype(np.float32))
            self._count += count
            self._next += count * self.hop
            if self._count > self.max_frames:
                self._thin()
                # the next frame lands on the new, coarser grid
                self._next += -self._next % self.hop
        keep = min(self._next - self._buf_start, n)
        self._buf = self._buf[:, keep:]
        self._buf_start += keep

    def _thin(self) -> None:
        """Keep every other frame and double the spacing (the budget is full)."""
        spectra = np.concatenate(self._spectra)[::2]
        energy = np.concatenate(self._energy)[::2]
        self._spectra, self._energy = [spectra], [energy]
        self._count = len(energy)
        self.hop *= 2

    def result(self) -> BandwidthEstimate:
        """The estimate for everything fed so far."""
        sr = self.sampling_rate
        nyquist = sr / 2
        if self.samples == 0:
            raise ValueError("audio is empty (no samples)")
        duration = self.samples / sr
        if duration < MIN_DURATION_S or self._count == 0:
            return BandwidthEstimate(
                nyquist,
                0.0,
                False,
                "too_short",
                f"{duration * 1000:.0f} ms of audio is too short to measure a bandwidth "
                f"(at least {MIN_DURATION_S * 1000:.0f} ms needed)",
                sr,
            )
        spectra = np.concatenate(self._spectra).astype(np.float64)
        energy = np.concatenate(self._energy)
        rms_db = 10 * np.log10(np.maximum(energy, 1e-30))
        loud = np.percentile(rms_db, 98) if len(rms_db) >= 50 else rms_db.max()
        if rms_db.max() < SILENCE_DBFS:
            return BandwidthEstimate(
                nyquist,
                0.0,
                False,
                "silent",
                f"the input is silent (loudest frame {rms_db.max():.0f} dBFS)",
                sr,
            )
        active = rms_db >= loud - ACTIVE_RANGE_DB
        active_s = float(active.sum()) * self.hop / sr
        frames_factor = min(1.0, math.sqrt(active.sum() / 20.0))
        power = spectra[active].mean(axis=0)
        # the quietest fifth of the frames that are not digital silence: pauses, decays, the
        # recording's own noise
        audible = rms_db > -250.0
        quiet = audible & (rms_db <= np.percentile(rms_db[audible], 20))
        quiet_power = spectra[quiet].mean(axis=0) if quiet.sum() >= 2 else None
        return _analyse(
            power,
            quiet_power,
            sr,
            self.n_fft,
            frames_factor=frames_factor,
            stationary=len(rms_db) >= 10 and float(np.std(rms_db)) < 1.5,
            active_s=active_s,
        )


def _db(power: np.ndarray, ref: float) -> np.ndarray:
    return 10 * np.log10(np.maximum(power, ref * 1e-25) / ref)


def _run_start(cliff: np.ndarray, high: int, first: int) -> int:
    """The lowest bin of the run of consecutive cliffs that ends at ``high``."""
    start = high
    while start - 1 >= first and cliff[start - 1]:
        start -= 1
    return start


def _window_mean(cumsum: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Mean of the summed array over bins [lo, hi] (inclusive), elementwise."""
    return (cumsum[hi + 1] - cumsum[lo]) / (hi + 1 - lo)


def _find_cliffs(
    smooth: np.ndarray,
    above: np.ndarray,
    bin_hz: float,
    first: int,
    last: int,
    lo_bin: int,
    floor: float,
    peak: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """For every candidate bin: is a cliff just above it, the level just under it, the bin
    where the cliff has reached the bottom, and the best cliff score of all (1 = just a cliff).
    """
    n = len(smooth)
    top_a = len(above) - 1
    cliff = np.zeros(n, dtype=bool)
    under_at = np.full(n, -np.inf)
    reach = np.zeros(n, dtype=int)
    if last < first:
        return cliff, under_at, reach, 0.0
    i = np.arange(first, last + 1)
    f = i * bin_hz
    cumsum = np.concatenate([[0.0], np.cumsum(smooth)])
    under = _window_mean(cumsum, np.maximum(lo_bin, (_BELOW * f / bin_hz).astype(int)), i)
    narrow = _window_mean(cumsum, np.minimum(i - 1, (_NARROW_BELOW * f / bin_hz).astype(int)), i)
    under_at[i] = under
    eligible = (under - floor >= _NARROW_DROP_DB) & (under >= peak - _REAL_RANGE_DB)
    found = np.zeros(len(i), dtype=bool)
    where = np.zeros(len(i), dtype=int)
    best = np.zeros(len(i))
    for gap in _GAPS:
        j = np.maximum(i + 1, np.ceil(f * (1 + gap) / bin_hz).astype(int))
        ok = eligible & (j <= top_a)
        drop = under - above[np.minimum(j, top_a)]
        octaves = math.log2((1 + gap) / ((1 + _BELOW) / 2))
        score = np.where(
            ok, np.minimum(drop / MIN_DROP_DB, drop / octaves / MIN_SLOPE_DB_PER_OCTAVE), 0.0
        )
        best = np.maximum(best, score)
        new = ok & (score >= 1.0) & ~found
        where[new], found[new] = j[new], True
    # a wall that is only a little above the floor, but vertical: a small drop within 2 %
    j = np.maximum(i + 1, np.ceil(f * (1 + _NARROW_GAP) / bin_hz).astype(int))
    # (only high up, where no single harmonic fills the band under f)
    ok = eligible & (j <= top_a) & ~found & (f >= max(_NARROW_MIN_HZ, 0.25 * n * bin_hz))
    after = above[np.minimum(j, top_a)]
    new = ok & (narrow - after >= _NARROW_DROP_DB) & (under - after >= _NARROW_DROP_DB - 2)
    where[new], found[new] = j[new], True
    cliff[i], reach[i] = found, where
    return cliff, under_at, reach, float(best.max(initial=0.0))


def _analyse(
    power: np.ndarray,
    quiet_power: np.ndarray | None,
    sr: int,
    n_fft: int,
    frames_factor: float,
    stationary: bool,
    active_s: float,
) -> BandwidthEstimate:
    nyquist = sr / 2
    bin_hz = sr / n_fft
    freqs = np.arange(len(power)) * bin_hz
    ref = float(power.max())
    width = max(3, (len(power) // 100) | 1)
    smooth = scipy.ndimage.median_filter(_db(power, ref), size=width, mode="nearest")
    # at low frequencies 1 % of the band is too coarse for a 300 Hz high-pass: a finer spectrum
    fine = scipy.ndimage.median_filter(_db(power, ref), size=3, mode="nearest")
    quiet = None
    if quiet_power is not None:
        quiet = scipy.ndimage.median_filter(_db(quiet_power, ref), size=width, mode="nearest")
    top = len(smooth) - 1
    lo_bin = max(2, int(math.ceil(20 / bin_hz)))
    band = smooth[lo_bin : int(0.99 * top) + 1]
    if len(band) < 8:  # a rate far below audio rates: too few bins above 20 Hz to tell
        return BandwidthEstimate(
            nyquist, 0.0, True, "full", f"{sr} Hz is too low a rate to measure a cut-off at", sr
        )
    floor = float(np.percentile(band, 5))
    peak = float(band.max())
    # Everything above bin i (up to where the converter's own anti-alias roll-off may start),
    # at its loudest. That roll-off is no cut-off, and it must not join a steep natural fall
    # below it into one cliff.
    top_a = int(_ANALYSIS_TOP * top)
    above = np.maximum.accumulate(smooth[: top_a + 1][::-1])[::-1]

    first = max(lo_bin + 2, int(math.ceil(max(400.0, 8 * bin_hz) / bin_hz)))
    last = top_a - 1
    cliff, under_at, reach, strongest_score = _find_cliffs(
        smooth, above, bin_hz, first, last, lo_bin, floor, peak
    )

    # where the level is falling (at least _FALLING_DB_PER_OCTAVE over +-3 %)
    k = np.arange(len(smooth))
    d = np.maximum(1, np.round(0.03 * k).astype(int))
    lo_k, hi_k = np.maximum(k - d, 1), np.minimum(k + d, top)
    falling = (smooth[lo_k] - smooth[hi_k]) >= _FALLING_DB_PER_OCTAVE * np.log2(hi_k / lo_k)
    # how steeply the 10 % under each bin falls (dB per octave, from its lower half to its upper
    # half), to find where a filter's transition band starts
    cumsum = np.concatenate([[0.0], np.cumsum(smooth)])
    k1 = np.maximum(1, k)
    a = np.maximum(1, (0.90 * k1).astype(int))
    b = np.clip((0.95 * k1).astype(int), a + 1, None)
    c = np.maximum(b + 1, k1)
    rate = (
        _window_mean(cumsum, a, b - 1) - _window_mean(cumsum, b, np.minimum(c, top))
    ) / math.log2(0.975 / 0.925)

    # The highest cliff, and the run of cliffs below it: a filter whose stop band keeps falling
    # (or a window's leakage after a wall) is one cliff that starts where the fall starts.
    found = converter = None
    natural = []  # cliffs that were natural roll-offs (content or noise goes on above)
    weak = []  # (cut-off, fall) of cliffs that fall too little from the pass band under them
    while cliff.any():
        high = int(np.nonzero(cliff)[0][-1])
        start, wall_top = _run_start(cliff, high, first), high
        # A stop band that keeps falling ends in a cliff of its own (onto the floor); walk down
        # through the fall to the cliff where it started.
        k = start - 1
        while k >= first:
            while k >= first and not cliff[k] and falling[k]:
                k -= 1
            if k < first or not cliff[k]:
                break
            start, wall_top = _run_start(cliff, k, first), k
            k = start - 1
        cliff[start : high + 1] = False
        under = float(under_at[start])
        j_end = int(reach[high])
        drop = under - float(above[j_end])
        # The wall is where the fall is steepest (over about 2 % of the frequency) ...
        span = np.arange(max(start, 1), min(int(reach[wall_top]), int(1.25 * start), top - 1) + 1)
        d = np.maximum(1, np.round(0.01 * span).astype(int))
        slope = (smooth[np.maximum(span - d, 0)] - smooth[np.minimum(span + d, top)]) / d
        steepest = int(span[int(np.argmax(slope))]) if len(span) else start
        # ... and the cut-off where the level has fallen EDGE_DB below the band just under it
        # (measured right there: a passband that slopes down towards the wall moves nothing).
        # A filter with a wide transition band (a Butterworth, a codec's or a peer system's
        # low-pass) already falls steeply well below its steepest point: the band "just under"
        # is where that fall starts, not the middle of it.
        knee = steepest
        while knee > max(start, int(_KNEE_LOWEST * steepest), lo_bin + 1) and (
            rate[knee] >= _TRANSITION_DB_PER_OCTAVE
        ):
            knee -= 1
        lo = max(lo_bin, int(0.93 * knee))
        hi = max(lo + 1, knee + 1)
        ref = float(np.median(smooth[lo:hi]))
        region = np.nonzero(smooth[lo : j_end + 1] >= ref - EDGE_DB)[0]
        edge = lo + int(region[-1]) if len(region) else steepest
        # interpolate the crossing between bins edge and edge + 1
        cutoff = freqs[edge]
        if edge + 1 <= top:
            a, b = smooth[edge] - (ref - EDGE_DB), smooth[edge + 1] - (ref - EDGE_DB)
            if a > 0 > b:
                cutoff += bin_hz * a / (a - b)
        steepest = float(freqs[steepest])
        # a telephone band-pass at 8 kHz ends where a converter's filter would (3.4 kHz of 4):
        # with nothing below ~300 Hz either, it is the band-pass
        if max(cutoff, steepest) >= CONVERTER_ROLLOFF * nyquist and not (
            cutoff < min(_BANDPASS_TOP * nyquist, _BANDPASS_MAX_HZ)
            and _low_cutoff(fine, freqs, cutoff) > 0
        ):
            converter = converter or (max(cutoff, steepest), drop)
            continue
        if quiet is not None and _falls_into_noise(smooth, quiet, freqs, cutoff, nyquist, peak):
            natural.append(cutoff)
            continue
        if _content_goes_on(smooth, freqs, cutoff, float(freqs[j_end]), nyquist, ref):
            natural.append(cutoff)
            continue
        fall = max(ref - float(above[j_end]), 0.0)
        if fall < _NARROW_DROP_DB:
            # measured from the pass band just under it, the fall is too small to be a cut-off
            weak.append((cutoff, fall))
            continue
        found = (cutoff, ref, fall, edge)
        break
    if found is None:
        return _full_band(
            sr,
            smooth,
            freqs,
            floor,
            strongest_score,
            frames_factor,
            stationary,
            power,
            active_s,
            natural,
            converter,
            weak,
        )
    cutoff, under, drop, edge = found
    top_bin = min(top, int(math.ceil(cutoff * (1 + _WALL_WIDTH) / bin_hz)))
    brickwall = smooth[top_bin] <= under - _WALL_DB

    kind = "brickwall" if brickwall else "lowpass"
    low_cut = _low_cutoff(fine, freqs, cutoff)
    conf = _clip((drop - 10) / 30) * frames_factor
    if low_cut:
        kind = "bandpass"
        what = (
            f"band-pass: content only between {low_cut:.0f} Hz and {cutoff / 1000:.2f} kHz "
            "(telephone-like)"
        )
    elif kind == "brickwall":
        what = (
            f"content stops at {cutoff / 1000:.2f} kHz (a brick wall, as left by resampling or a "
            "lossy encoder)"
        )
    else:
        what = f"content stops at {cutoff / 1000:.2f} kHz (a steep low-pass filter)"
    return BandwidthEstimate(
        float(round(cutoff, 1)),
        round(conf, 3),
        False,
        kind,
        f"{what}: the level falls {drop:.0f} dB and nothing above comes back",
        sr,
        low_cutoff_hz=float(round(low_cut, 1)),
        drop_db=round(drop, 1),
        active_s=round(active_s, 3),
    )


def _low_cutoff(fine: np.ndarray, freqs: np.ndarray, cutoff: float) -> float:
    """The lower edge of a band-pass (250-800 Hz, nothing below it), or 0 when there is none.

    The edge is the lowest frequency whose level comes within ``_LOW_EDGE_DB`` of the loudest
    level in the octave above it (speech and music are loudest just above a telephone's 300 Hz),
    an octave that holds real content (within ``_LOW_STOP_DB`` of the band's loudest); below 60 %
    of the edge the level must lie ``_LOW_STOP_DB`` under that octave's loudest level.
    """
    bin_hz = float(freqs[1])
    first = 4  # the window's main lobe spreads DC (and what is left of it) over the first 4 bins
    last = min(len(fine) - 1, int(0.5 * cutoff / bin_hz))
    if last <= first:
        return 0.0
    loudest = float(fine[first : last + 1].max())
    low = ref = None
    for i in range(first, last + 1):
        ref = float(fine[i : 2 * i + 1].max())
        # (an octave that holds the band's real content, not a stop band's flat floor)
        if ref >= loudest - _LOW_STOP_DB and fine[i] >= ref - _LOW_EDGE_DB:
            low = float(freqs[i])
            break
    if low is None or not _LOW_MIN_HZ <= low <= _LOW_MAX_HZ:
        return 0.0
    under = fine[first : int(0.6 * low / bin_hz) + 1]
    if not len(under) or float(np.median(under)) > ref - _LOW_STOP_DB:
        return 0.0
    return low


def _falls_into_noise(
    active: np.ndarray,
    quiet: np.ndarray,
    freqs: np.ndarray,
    cutoff: float,
    nyquist: float,
    peak: float,
) -> bool:
    """True when the active level, past the drop at ``cutoff``, stays well above the level of
    the quiet frames (and is a real level, not numerical dust), and the quiet frames' level runs on through
    ``cutoff`` with no drop: the signal fell into the recording's own noise (a natural roll-off),
    nothing cut it off.
    """
    below = (freqs >= 0.7 * cutoff) & (freqs <= 0.95 * cutoff)
    after = (freqs >= 1.05 * cutoff) & (freqs <= min(1.5 * cutoff, _ANALYSIS_TOP * nyquist))
    if below.sum() < 2 or after.sum() < 2:
        return False
    quiet_drop = float(np.median(quiet[below]) - np.median(quiet[after]))
    level_after = float(np.median(active[after]))
    still_above = level_after - float(np.median(quiet[after]))
    return (
        still_above >= _NOISE_MARGIN_DB
        and level_after >= peak - _REAL_RANGE_DB
        and quiet_drop < _NOISE_MARGIN_DB
    )


def _content_goes_on(
    smooth: np.ndarray,
    freqs: np.ndarray,
    cutoff: float,
    bottom: float,
    nyquist: float,
    under: float,
) -> bool:
    """True when, past the bottom of the drop at ``cutoff``, the level over the next octave stays
    ``_GOES_ON_DB`` above the level at the top of the band, and within ``_GOES_ON_BELOW_DB`` of
    the level ``under`` the drop: real content that goes on falling gradually (a guitar
    amplifier's steep roll-off), not a cut-off. Above a cut-off (resampling, an encoder) only
    the floor, or a filter's images far below the pass band, are left.
    """
    top = _ANALYSIS_TOP * nyquist
    rest = (freqs >= max(bottom, 1.05 * cutoff)) & (freqs <= min(2 * cutoff, 0.8 * top))
    band_top = (freqs >= 0.85 * top) & (freqs <= top)
    if rest.sum() < 4 or band_top.sum() < 2 or freqs[rest][-1] < 1.3 * cutoff:
        return False
    level = float(np.median(smooth[rest]))
    return level >= under - _GOES_ON_BELOW_DB and level - float(np.median(smooth[band_top])) >= (
        _GOES_ON_DB
    )


def _full_band(
    sr,
    smooth,
    freqs,
    floor,
    strongest_score,
    frames_factor,
    stationary,
    power,
    active_s,
    natural=(),
    converter=None,
    weak=(),
) -> BandwidthEstimate:
    nyquist = sr / 2
    band = (freqs >= 0.02 * nyquist) & (freqs <= 0.98 * nyquist)
    p = power[band]
    flatness_db = float(np.mean(10 * np.log10(np.maximum(p, 1e-300))) - 10 * np.log10(p.mean()))
    if stationary and flatness_db > -3.0:
        return BandwidthEstimate(
            nyquist,
            round(0.3 * frames_factor, 3),
            True,
            "noise",
            f"stationary broadband noise only (spectral flatness {flatness_db:.1f} dB): it fills "
            "the band but no signal in it can be measured",
            sr,
            active_s=round(active_s, 3),
        )
    if converter is not None and not natural:
        edge, drop = converter
        conf = (0.5 + 0.45 * _clip((drop - 10) / 30)) * frames_factor
        why = (
            f"content reaches {edge / 1000:.1f} kHz, where the converter's anti-alias filter "
            f"ends it ({edge / nyquist:.0%} of Nyquist): full band"
        )
    elif natural:
        conf = 0.7 * frames_factor
        why = (
            f"no cut-off: the drop at {max(natural) / 1000:.1f} kHz is a natural roll-off (real "
            "content, or the recording's own noise, goes on above it): full band"
        )
    elif weak:
        edge, fall = max(weak)
        conf = 0.5 * frames_factor
        why = (
            f"no cut-off: the level falls only {fall:.0f} dB at {edge / 1000:.1f} kHz, too little "
            "to tell a cut-off from the content's own fall: full band"
        )
    else:
        conf = (0.95 - 0.6 * _clip(strongest_score)) * frames_factor
        why = (
            "no cut-off: the level falls gradually with frequency (no cliff of "
            f"{MIN_DROP_DB:.0f} dB at {MIN_SLOPE_DB_PER_OCTAVE:.0f} dB/octave below "
            f"{CONVERTER_ROLLOFF:.0%} of Nyquist): full band"
        )
    return BandwidthEstimate(
        nyquist,
        round(conf, 3),
        True,
        "full",
        why,
        sr,
        active_s=round(active_s, 3),
    )


def _clip(x: float) -> float:
    return float(min(1.0, max(0.0, x)))


def estimate_bandwidth(
    audio: np.ndarray, sampling_rate: int, max_frames: int = MAX_FRAMES
) -> BandwidthEstimate:
    """Measure the cut-off above which ``audio`` holds no real content.

    Args:
        audio: ``(time,)`` or ``(channels, time)`` samples (float in [-1, 1], or integer PCM).
        sampling_rate: the rate of ``audio`` in Hz.
        max_frames: at most this many frames are analysed, spread over the whole input.

    Returns:
        A :class:`BandwidthEstimate`; ``cutoff_hz == sampling_rate / 2`` for full-band input.

    Raises:
        ValueError: empty audio, NaN or infinite samples, a bad shape or sampling rate.
    """
    x = _as_channels(audio)
    if x.shape[1] == 0:
        raise ValueError("audio is empty (no samples)")
    meter = BandwidthMeter(sampling_rate, total_samples=x.shape[1], max_frames=max_frames)
    meter.update(x)
    estimate = meter.result()
    logger.info("bandwidth: %s (%s)", estimate.cutoff_hz, estimate.reason)
    return estimate
