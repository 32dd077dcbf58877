"""`evaluate` module wrapping :func:`hf_audiosr.metrics.functional.compute_all`.

Load it offline with ``hf_audiosr.metrics.load_evaluate_metric()`` or
``evaluate.load("<path to this folder>")``.
"""

from __future__ import annotations

import datasets
import evaluate
import numpy as np

from hf_audiosr.metrics.functional import align, compute_all

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
@misc{itu2007p8622,
  title={Wideband extension to Recommendation P.862 for the assessment of wideband telephone
         networks and speech codecs},
  author={{ITU-T}},
  howpublished={Recommendation P.862.2},
  year={2007}
}
@article{taal2011stoi,
  title={An Algorithm for Intelligibility Prediction of Time-Frequency Weighted Noisy Speech},
  author={Taal, Cees H. and Hendriks, Richard C. and Heusdens, Richard and Jensen, Jesper},
  journal={IEEE Transactions on Audio, Speech, and Language Processing},
  year={2011}
}
@article{jensen2016estoi,
  title={An Algorithm for Predicting the Intelligibility of Speech Masked by Modulated Noise
         Maskers},
  author={Jensen, Jesper and Taal, Cees H.},
  journal={IEEE/ACM Transactions on Audio, Speech, and Language Processing},
  year={2016}
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

With `metrics=[...]` (needs the `eval` extra: `pip install "hf-audiosr[eval]"`):

* `pesq`: wideband PESQ (ITU-T P.862.2) at 16 kHz, MOS-LQO (1.04 to 4.64);
* `stoi` / `estoi`: short-time objective intelligibility and its extended version (0 to 1);
* `wer` / `cer`: corpus word / character error rate of a speech recognizer (PocketSphinx, offline,
  by default) on the predictions, against `reference_texts`, after one text normalisation
  (`hf_audiosr.metrics.normalize_transcript`).

Each prediction is trimmed together with its reference to the shorter of the two lengths.
An utterance reproduced exactly has `snr` = `si_sdr` = inf, which makes those means inf.
"""

_KWARGS_DESCRIPTION = """\
Args:
    predictions: list of 1-D float waveforms (system outputs) at `sampling_rate`.
    references: list of 1-D float waveforms (ground truth) at `sampling_rate`, same count.
    sampling_rate (`int`): sampling rate of predictions and references in Hz.
    input_sampling_rate (`int`): sampling rate of the low-resolution inputs in Hz (for `lsd`).
    metrics (`list[str]`, optional): any of "lsd" (the default), "pesq", "stoi", "estoi", "wer".
    reference_texts (`list[str]`, optional): what each reference says; required for "wer".
    recognizer (optional): "pocketsphinx" (default), "transformers:<model>", or an object with
        `transcribe(audio, sampling_rate) -> str`.
Returns:
    dict with the mean over utterances of `lsd`, `lsd_hf`, `lsd_lf`, `snr`, `si_sdr`,
    `legacy_lsd` (for "lsd"), `pesq`, `stoi`, `estoi` (floats), the corpus `wer` and `cer`
    (all edits over all reference words / characters), and `n` (number of utterances).
Examples:
    >>> metric = hf_audiosr.metrics.load_evaluate_metric()
    >>> metric.compute(predictions=[est], references=[ref], sampling_rate=16000,
    ...                input_sampling_rate=8000)["lsd"]
"""

_KEYS = ("lsd", "lsd_hf", "lsd_lf", "snr", "si_sdr", "legacy_lsd")
_GROUPS = {
    "lsd": _KEYS,
    "pesq": ("pesq",),
    "stoi": ("stoi",),
    "estoi": ("estoi",),
    "wer": ("wer", "cer"),
}


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
        metrics: list[str] | None = None,
        reference_texts: list[str] | None = None,
        recognizer=None,
    ) -> dict[str, float | int]:
        groups = list(metrics or ["lsd"])
        unknown = [g for g in groups if g not in _GROUPS]
        if unknown:
            raise ValueError(f"unknown metrics {unknown}: choose from {list(_GROUPS)}.")
        if sampling_rate is None or ("lsd" in groups and input_sampling_rate is None):
            raise ValueError(
                "`sampling_rate` and `input_sampling_rate` are required, got "
                f"sampling_rate={sampling_rate!r}, input_sampling_rate={input_sampling_rate!r}."
            )
        if len(predictions) == 0:
            raise ValueError("No utterances to score: `predictions` and `references` are empty.")
        if "wer" in groups and (reference_texts is None or len(reference_texts) != len(references)):
            raise ValueError(
                "`wer` needs `reference_texts`, one transcript per reference "
                f"({len(references)}), got {None if reference_texts is None else len(reference_texts)}."
            )
        from hf_audiosr.metrics import speech

        keys = [k for g in groups for k in _GROUPS[g] if k not in ("wer", "cer")]
        per_key: dict[str, list[float]] = {key: [] for key in keys}
        edits = {"word": [0, 0], "char": [0, 0]}  # errors, reference length
        asr = None
        if "wer" in groups:
            from hf_audiosr.metrics.asr import load_recognizer

            asr = load_recognizer(recognizer)
        for i, (pred, ref) in enumerate(zip(predictions, references, strict=True)):
            ref = np.asarray(ref, dtype=np.float64)
            pred = np.asarray(pred, dtype=np.float64)
            scores: dict[str, float] = {}
            if "lsd" in groups:
                scores.update(
                    compute_all(
                        ref,
                        pred,
                        sampling_rate=sampling_rate,
                        input_sampling_rate=input_sampling_rate,
                    )
                )
            ref_a, pred_a = align(ref, pred)
            for name, fn in (
                ("pesq", speech.pesq_wb),
                ("stoi", speech.stoi),
                ("estoi", speech.estoi),
            ):
                if name in groups:
                    scores[name] = fn(ref_a, pred_a, sampling_rate=sampling_rate)
            for key in keys:
                per_key[key].append(scores[key])
            if asr is not None:
                hypothesis = asr.transcribe(pred.astype(np.float32), sampling_rate)
                for unit in ("word", "char"):
                    counts = speech.word_errors(reference_texts[i], hypothesis, unit=unit)
                    edits[unit][0] += counts.errors
                    edits[unit][1] += counts.length
        result: dict[str, float | int] = {key: float(np.mean(v)) for key, v in per_key.items()}
        if asr is not None:
            result["wer"] = edits["word"][0] / edits["word"][1]
            result["cer"] = edits["char"][0] / edits["char"][1]
        result["n"] = len(predictions)
        return result
