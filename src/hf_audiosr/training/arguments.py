"""Training arguments: one dataclass, parsed by ``HfArgumentParser`` from a JSON preset or the CLI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..codecs import CODECS
from .discriminators import DISCRIMINATORS

DATA_MODES = ("patches", "anyband")


def _int_list(text: str) -> tuple[int, ...]:
    """``"2, 3,5"`` -> ``(2, 3, 5)``; raises ``ValueError`` on anything else."""
    return tuple(int(v) for v in text.split(",") if v.strip())


@dataclass
class SuperResolutionTrainingArguments:
    """Everything a training run needs. Paths are relative to the working directory."""

    output_dir: str = field(metadata={"help": "Where checkpoints, logs and the final model go."})
    train_dirs: list[str] = field(
        default_factory=list, metadata={"help": "Folders (or files) of training audio."}
    )
    train_include: list[str] = field(
        default_factory=list, metadata={"help": "Only files matching one of these globs."}
    )
    train_exclude: list[str] = field(
        default_factory=list, metadata={"help": "Drop files matching these globs."}
    )
    train_weights: list[str] = field(
        default_factory=list,
        metadata={
            "help": "anyband: 'GLOB=WEIGHT' multipliers of how often the files whose path "
            "matches GLOB are drawn (by default in proportion to their length), e.g. "
            "'*/vctk48_*=4'; the first matching glob applies."
        },
    )
    validation_dirs: list[str] = field(
        default_factory=list, metadata={"help": "Folders of validation audio."}
    )
    validation_include: list[str] = field(default_factory=list)
    validation_exclude: list[str] = field(default_factory=list)
    corpus_cache_dir: str = field(
        default=".cache/corpus", metadata={"help": "Decoded corpora are cached here."}
    )
    train_corpus: str | None = field(
        default=None, metadata={"help": "A prebuilt corpus .npz (skips decoding)."}
    )
    validation_corpus: str | None = field(
        default=None, metadata={"help": "A prebuilt validation .npz."}
    )
    trim_silence_db: float = field(
        default=40.0, metadata={"help": "Trim leading/trailing silence below this."}
    )
    data_mode: str = field(
        default="patches",
        metadata={
            "help": "patches: (low-rate input, label) patches of one input rate "
            "(hf_audiosr.data.SuperResolutionPatches); anyband: input and label at the model's "
            "rate, the input cut at a random band per example, files of any rate with the loss "
            "masked above each one's own band (hf_audiosr.data.anyband; models that condition "
            "on the input's bandwidth, e.g. bandnext)."
        },
    )
    train_manifest: str | None = field(
        default=None,
        metadata={
            "help": "anyband: a MANIFEST.csv (../shared/data/train's columns) giving each "
            "file's rate, band, kind and licence; its licence-clean rows under train_dirs are "
            "used (all rows when train_dirs is empty)."
        },
    )
    allow_noncommercial: bool = field(
        default=False,
        metadata={"help": "anyband: also train on non-commercial sources (experiments only)."},
    )
    allow_unconfirmed: bool = field(
        default=False,
        metadata={"help": "anyband: also train on sources of unconfirmed licence (VCC)."},
    )
    train_kinds: str = field(
        default="speech,music", metadata={"help": "anyband: speech, music or both."}
    )

    architecture: str = field(default="audiounet", metadata={"help": "Model architecture."})
    preset: str = field(
        default="small", metadata={"help": "Architecture preset (paper, small, tiny)."}
    )
    model_overrides: str = field(
        default="{}", metadata={"help": "JSON object of config overrides."}
    )
    input_sampling_rate: int = 8000
    output_sampling_rate: int = 16000

    segment_length: int = field(
        default=8192, metadata={"help": "Patch length in output-rate samples."}
    )
    batch_size: int = 16
    max_steps: int = 2000
    steps_per_epoch: int = field(
        default=0, metadata={"help": "0: one pass over the corpus's duration."}
    )
    learning_rate: float = 3e-4
    min_learning_rate_ratio: float = 0.1
    warmup_steps: int = 100
    weight_decay: float = 0.0
    adam_beta1: float = 0.9
    adam_beta2: float = 0.99
    max_grad_norm: float = 1.0

    degradation_sinc: float = field(
        default=0.5, metadata={"help": "Weight of band-limited resampling."}
    )
    degradation_cheby: float = field(
        default=0.3, metadata={"help": "Weight of the Chebyshev low-pass."}
    )
    degradation_fft: float = field(default=0.2, metadata={"help": "Weight of STFT-bin zeroing."})
    degradation_codec: float = field(
        default=0.0, metadata={"help": "anyband: weight of a real codec (see codecs)."}
    )
    codecs: str = field(
        default=",".join(CODECS),
        metadata={"help": "anyband: comma-separated codec names drawn for degradation_codec."},
    )
    min_cutoff_hz: float = field(
        default=2000.0, metadata={"help": "anyband: lowest input cut-off drawn."}
    )
    max_cutoff_hz: float = field(
        default=0.0, metadata={"help": "anyband: highest input cut-off; 0: the model's maximum."}
    )
    standard_cutoff_probability: float = field(
        default=0.3,
        metadata={"help": "anyband: chance of a cut-off of a common file rate (4 kHz, 8 kHz...)."},
    )
    polyphony_probability: float = field(
        default=0.5, metadata={"help": "anyband: chance of a mix of music one-shots."}
    )
    max_voices: int = field(default=5, metadata={"help": "anyband: most voices in a mix."})
    speed_probability: float = field(
        default=0.5, metadata={"help": "anyband: chance of a speed perturbation."}
    )
    speed_min: float = 0.9
    speed_max: float = 1.1
    validation_cutoffs_hz: str = field(
        default="4000",
        metadata={
            "help": "anyband: comma-separated input cut-offs (Hz) of the validation inputs "
            "(sinc band-limited; 4000 is the 8 -> 16 kHz protocol)."
        },
    )
    gain_db_min: float = -12.0
    gain_db_max: float = 6.0

    loss_l2: float = field(
        default=100.0, metadata={"help": "Weight of the waveform mean squared error."}
    )
    loss_stft_sc: float = field(
        default=1.0, metadata={"help": "Weight of multi-resolution spectral convergence."}
    )
    loss_stft_mag: float = field(
        default=1.0, metadata={"help": "Weight of multi-resolution log-magnitude L1."}
    )
    loss_model: float = field(
        default=1.0,
        metadata={
            "help": "Weight of the model's own loss, for architectures that train on it "
            "(trains_on_own_loss, e.g. the spectrogram model's high-band log-magnitude L1); "
            "their waveform losses (l2, stft/*) are not used."
        },
    )

    adversarial: bool = field(
        default=False,
        metadata={
            "help": "Train against discriminators (discriminator step, then generator step)."
        },
    )
    discriminators: str = field(
        default="mpd,mrsd",
        metadata={
            "help": "Comma-separated discriminators: mpd (multi-period, HiFi-GAN), mrsd "
            "(multi-resolution log-magnitude spectrogram) and/or mrpd (multi-resolution phase: "
            "instantaneous-frequency deviation and group delay)."
        },
    )
    discriminator_channels: int = field(
        default=8,
        metadata={
            "help": "Base width c: mpd convolutions have c, 4c, 16c, 32c, 32c channels, mrsd and "
            "mrpd c (32 is HiFi-GAN's / UnivNet's size)."
        },
    )
    discriminator_periods: str = field(
        default="2,3,5,7,11", metadata={"help": "Comma-separated periods of the mpd."}
    )
    discriminator_fft_sizes: str = field(
        default="256,512,1024",
        metadata={
            "help": "Comma-separated FFT sizes of the mrsd and mrpd (hop a quarter of each)."
        },
    )
    discriminator_learning_rate: float = field(
        default=2e-4,
        metadata={"help": "Peak learning rate of the discriminators (same warmup/cosine shape)."},
    )
    adversarial_start_step: int = field(
        default=0,
        metadata={
            "help": "Steps of reconstruction-only training (warm start) before the "
            "discriminators are trained and the adversarial terms switched on."
        },
    )
    loss_adv_gen: float = field(
        default=1.0,
        metadata={"help": "Weight of the generator's least-squares adversarial loss (adv/gen)."},
    )
    loss_adv_feat: float = field(
        default=2.0, metadata={"help": "Weight of the feature-matching loss (adv/feat)."}
    )

    mixed_precision: str = field(
        default="no",
        metadata={
            "help": "no, bf16 or fp16 (Accelerate). bf16 on a CPU without native bf16 (AVX-512 "
            "BF16 or AMX) trains in fp32 instead, with a warning: emulated bf16 is far slower."
        },
    )
    seed: int = 0
    num_workers: int = 0
    torch_threads: int = field(
        default=0, metadata={"help": "torch.set_num_threads; 0 leaves the default."}
    )
    log_steps: int = 20
    checkpoint_steps: int = 200
    keep_checkpoints: int = 2
    validation_max_files: int = 16
    validation_max_seconds: float = 4.0
    max_train_seconds: float = field(
        default=0.0, metadata={"help": "Stop (and save) after this long; 0: no limit."}
    )
    resume: bool = field(
        default=True, metadata={"help": "Resume from the newest complete checkpoint."}
    )
    init_from: str | None = field(
        default=None,
        metadata={"help": "Start from this model's weights (bundled name or folder; same config)."},
    )
    description: str = field(
        default="", metadata={"help": "Free text recorded in the model's recipe."}
    )

    def __post_init__(self):
        if self.input_sampling_rate <= 0 or self.output_sampling_rate <= 0:
            raise ValueError(
                f"sampling rates must be positive, got input_sampling_rate "
                f"{self.input_sampling_rate} and output_sampling_rate {self.output_sampling_rate}"
            )
        if self.data_mode not in DATA_MODES:
            raise ValueError(f"data_mode must be one of {DATA_MODES}, got {self.data_mode!r}")
        if self.data_mode == "anyband":
            if self.input_sampling_rate != self.output_sampling_rate:
                raise ValueError(
                    "data_mode 'anyband' trains a model at one rate: input_sampling_rate "
                    f"({self.input_sampling_rate}) must equal output_sampling_rate "
                    f"({self.output_sampling_rate})"
                )
            kinds = self.train_kind_list
            if not kinds or set(kinds) - {"speech", "music"}:
                raise ValueError(f"train_kinds must name speech and/or music, got {kinds}")
            if not self.validation_cutoff_list or min(self.validation_cutoff_list) <= 0:
                raise ValueError(
                    f"validation_cutoffs_hz must be positive, got {self.validation_cutoffs_hz!r}"
                )
            _ = self.train_weight_list  # raises on a malformed entry
        elif self.train_weights:
            raise ValueError("train_weights applies to data_mode 'anyband' only")
        if self.output_sampling_rate % self.input_sampling_rate:
            raise ValueError(
                f"output_sampling_rate ({self.output_sampling_rate}) must be a multiple of "
                f"input_sampling_rate ({self.input_sampling_rate})"
            )
        if self.mixed_precision not in ("no", "bf16", "fp16"):
            raise ValueError(
                f"mixed_precision must be one of no, bf16, fp16; got {self.mixed_precision!r}"
            )
        if self.max_steps <= 0 or self.batch_size <= 0:
            raise ValueError("max_steps and batch_size must be positive")
        if not (self.train_dirs or self.train_corpus or self.train_manifest):
            raise ValueError(
                "give train_dirs (folders of audio), train_manifest (anyband) or train_corpus "
                "(a prebuilt .npz)"
            )
        factor = self.output_sampling_rate // self.input_sampling_rate
        if self.segment_length <= 0 or self.segment_length % factor:
            raise ValueError(
                f"segment_length must be a positive multiple of the upsampling factor {factor}, "
                f"got {self.segment_length}"
            )
        weights = (self.degradation_sinc, self.degradation_cheby, self.degradation_fft)
        if min(weights) < 0 or sum(weights) <= 0:
            raise ValueError(
                "degradation_sinc, degradation_cheby and degradation_fft must be non-negative "
                f"with a positive sum, got {weights}"
            )
        if self.gain_db_min > self.gain_db_max:
            raise ValueError(
                f"gain_db_min ({self.gain_db_min}) must not exceed gain_db_max ({self.gain_db_max})"
            )
        names = self.discriminator_names
        if (
            not names
            or any(n not in DISCRIMINATORS for n in names)
            or len(set(names)) != len(names)
        ):
            raise ValueError(
                f"discriminators must be a comma-separated list of distinct names from "
                f"{DISCRIMINATORS}, got {self.discriminators!r}"
            )
        if self.discriminator_channels < 1:
            raise ValueError(
                f"discriminator_channels must be positive, got {self.discriminator_channels}"
            )
        for name, text, minimum in (
            ("discriminator_periods", self.discriminator_periods, 1),
            ("discriminator_fft_sizes", self.discriminator_fft_sizes, 8),
        ):
            try:
                values = _int_list(text)
            except ValueError:
                values = ()
            if not values or min(values) < minimum:
                raise ValueError(
                    f"{name} must be a comma-separated list of integers >= {minimum}, got {text!r}"
                )
        if any(n % 2 for n in self.discriminator_fft_size_list):
            raise ValueError(
                f"discriminator_fft_sizes must be even, got {self.discriminator_fft_sizes!r}"
            )
        if self.discriminator_learning_rate <= 0:
            raise ValueError(
                f"discriminator_learning_rate must be positive, got "
                f"{self.discriminator_learning_rate}"
            )
        if self.adversarial_start_step < 0:
            raise ValueError(
                f"adversarial_start_step must be >= 0, got {self.adversarial_start_step}"
            )
        weights = {
            "loss_l2": self.loss_l2,
            "loss_stft_sc": self.loss_stft_sc,
            "loss_stft_mag": self.loss_stft_mag,
            "loss_model": self.loss_model,
            "loss_adv_gen": self.loss_adv_gen,
            "loss_adv_feat": self.loss_adv_feat,
        }
        negative = {k: v for k, v in weights.items() if v < 0}
        if negative:
            raise ValueError(f"loss weights must be non-negative, got {negative}")

    @property
    def train_kind_list(self) -> tuple[str, ...]:
        return tuple(k.strip() for k in self.train_kinds.split(",") if k.strip())

    @property
    def codec_list(self) -> tuple[str, ...]:
        return tuple(c.strip() for c in self.codecs.split(",") if c.strip())

    @property
    def validation_cutoff_list(self) -> tuple[float, ...]:
        return tuple(float(v) for v in self.validation_cutoffs_hz.split(",") if v.strip())

    @property
    def anyband_degradation_mix(self) -> dict[str, float]:
        return {
            "sinc": self.degradation_sinc,
            "cheby": self.degradation_cheby,
            "fft": self.degradation_fft,
            "codec": self.degradation_codec,
        }

    @property
    def discriminator_names(self) -> tuple[str, ...]:
        return tuple(n.strip() for n in self.discriminators.split(",") if n.strip())

    @property
    def discriminator_period_list(self) -> tuple[int, ...]:
        return _int_list(self.discriminator_periods)

    @property
    def discriminator_fft_size_list(self) -> tuple[int, ...]:
        return _int_list(self.discriminator_fft_sizes)

    @property
    def train_weight_list(self) -> list[tuple[str, float]]:
        """``train_weights`` as ``(glob, weight)`` pairs."""
        pairs = []
        for entry in self.train_weights:
            glob, sep, value = str(entry).rpartition("=")
            try:
                weight = float(value)
            except ValueError:
                weight = float("nan")
            if not sep or not glob or not weight >= 0 or weight == float("inf"):
                raise ValueError(
                    f"train_weights entries are 'GLOB=WEIGHT' with a finite WEIGHT >= 0, got "
                    f"{entry!r}"
                )
            pairs.append((glob, weight))
        return pairs

    @property
    def loss_weights(self) -> dict[str, float]:
        """The lambdas of the generator's loss terms, by the names the losses are logged under."""
        return {
            "l2": self.loss_l2,
            "stft/sc": self.loss_stft_sc,
            "stft/mag": self.loss_stft_mag,
            "model": self.loss_model,
            "adv/gen": self.loss_adv_gen,
            "adv/feat": self.loss_adv_feat,
        }

    @property
    def degradation_mix(self) -> dict[str, float]:
        mix = {
            "sinc": self.degradation_sinc,
            "cheby": self.degradation_cheby,
            "fft": self.degradation_fft,
        }
        return {k: v for k, v in mix.items() if v > 0}

    def to_dict(self) -> dict:
        return asdict(self)
