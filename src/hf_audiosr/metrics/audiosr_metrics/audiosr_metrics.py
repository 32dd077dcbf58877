"""`evaluate` module wrapping :func:`hf_audiosr.metrics.functional.compute_all`.

Load it offline with ``hf_audiosr.metrics.load_evaluate_metric()`` or
``evaluate.load("<path to this folder>")``.
"""

from __future__ import annotations

import datasets
import evaluate
import numpy as np

from hf_audiosr.metrics.functional import compute_all

_CITATION = """\
@inproceedings{lu2024apbwe,
  title={Towards High-Quality and Efficient Speech Bandwidth Extension with Parallel Amplitude and
         Phase Prediction},
  author={Lu, Ye-Xin and Ai, Yang and Du, Hui-Peng and Ling, Zhen-Hua},
  booktitle={IEEE/ACM Transactions on Audio, Speech, and Language Processing},
  year={2024}
}
@inproceedings{han2022nuwave2,
  title={NU-Wave 2: A General Neural Audio Upsampling Model for Various Sampling Rates},
  author={Han, Seungu and Lee, Junhyeok},
  booktitle={Interspeech},
  year={2022}
}
@inproceedings{kuleshov2017audio,
  title={Audio Super Resolution using Neural Networks},
  author={Kuleshov, Volodymyr and Enam, S. Zayd and Ermon, Stefano},
  booktitle={ICLR (Workshop Track)},
  year={2017}
}
@inproceedings{leroux2019sisdr,
  title={SDR -- Half-baked or Well Done?},
  author={Le Roux, Jonathan and Wisdom, Scott and Erdogan, Hakan and Hershey, John R.},
  booktitle={ICASSP},
  year={2019}
}
"""

_DESCRIPTION = """\
Objective metrics for audio super-resolution / bandwidth extension, computed per utterance and
averaged over utterances:

* `lsd`: log-spectral distance, NU-Wave 2 / AERO / AP-BWE protocol (log10 power, 2048-point Hann
  STFT, hop 512, power floor 1e-8, RMS over frequency, mean over frames);
* `lsd_hf` / `lsd_lf`: the same LSD over the bins at/above and below the input Nyquist frequency;
* `snr`: 10 log10(sum ref^2 / sum (ref - est)^2) in dB;
* `si_sdr`: scale-invariant SDR in dB (Le Roux et al., 2019);
* `legacy_lsd`: the Kuleshov et al. (2017) / TFiLM definition (natural log, RMS over time, mean over
  frequency), never clamped. Not comparable with `lsd`.

Each prediction is trimmed together with its reference to the shorter of the two lengths.
An utterance reproduced exactly has `snr` = `si_sdr` = inf, which makes those means inf.
"""

_KWARGS_DESCRIPTION = """\
Args:
    predictions: list of 1-D float waveforms (system outputs) at `sampling_rate`.
    references: list of 1-D float waveforms (ground truth) at `sampling_rate`, same count.
    sampling_rate (`int`): sampling rate of predictions and references in Hz.
    input_sampling_rate (`int`): sampling rate of the low-resolution inputs in Hz.
Returns:
    dict with the mean over utterances of `lsd`, `lsd_hf`, `lsd_lf`, `snr`, `si_sdr`,
    `legacy_lsd` (floats) and `n` (number of utterances).
Examples:
    >>> metric = hf_audiosr.metrics.load_evaluate_metric()
    >>> metric.compute(predictions=[est], references=[ref], sampling_rate=16000,
    ...                input_sampling_rate=8000)["lsd"]
"""

_KEYS = ("lsd", "lsd_hf", "lsd_lf", "snr", "si_sdr", "legacy_lsd")


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class AudiosrMetrics(evaluate.Metric):
    """Audio super-resolution metrics (LSD, LSD-HF, LSD-LF, SNR, SI-SDR, legacy LSD)."""

    def _info(self) -> evaluate.MetricInfo:
        return evaluate.MetricInfo(
            description=_DESCRIPTION,
            citation=_CITATION,
            inputs_description=_KWARGS_DESCRIPTION,
            features=datasets.Features(
                {
                    "predictions": datasets.Sequence(datasets.Value("float32")),
                    "references": datasets.Sequence(datasets.Value("float32")),
                }
            ),
            reference_urls=[
                "https://github.com/yxlu-0102/AP-BWE",
                "https://github.com/maum-ai/nuwave2",
                "https://github.com/kuleshov/audio-super-res",
            ],
        )

    def _compute(
        self,
        predictions: list,
        references: list,
        sampling_rate: int | None = None,
        input_sampling_rate: int | None = None,
    ) -> dict[str, float | int]:
        if sampling_rate is None or input_sampling_rate is None:
            raise ValueError(
                "`sampling_rate` and `input_sampling_rate` are required, got "
                f"sampling_rate={sampling_rate!r}, input_sampling_rate={input_sampling_rate!r}."
            )
        if len(predictions) == 0:
            raise ValueError("No utterances to score: `predictions` and `references` are empty.")
        per_key: dict[str, list[float]] = {key: [] for key in _KEYS}
        for pred, ref in zip(predictions, references, strict=True):
            scores = compute_all(
                np.asarray(ref, dtype=np.float64),
                np.asarray(pred, dtype=np.float64),
                sampling_rate=sampling_rate,
                input_sampling_rate=input_sampling_rate,
            )
            for key in _KEYS:
                per_key[key].append(scores[key])
        result: dict[str, float | int] = {key: float(np.mean(v)) for key, v in per_key.items()}
        result["n"] = len(predictions)
        return result
