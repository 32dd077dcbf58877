"""``model="auto"``: which bundled model serves an input, decided from the audio's measured band.

Every bundled model is described from its ``config.json`` alone (:class:`ModelSpec`): the rate it
runs at, the rate it produces, and the input bands it is made for. A fixed-rate model (AudioUNet,
TFNet, ...) is made for input whose content fills its input band, up to ``input_sampling_rate / 2``;
a model that is told the input's cut-off (``conditions_on_bandwidth``, BandNeXt) serves any band
between its ``min_input_bandwidth_hz`` and ``max_input_bandwidth_hz``. A new model is routed to
as soon as it is bundled; nothing here names a model.

:func:`choose_model` takes the measured cut-off of an input (:func:`hf_audiosr.estimate_bandwidth`)
and its rate, and returns a :class:`Route`: the model that adds the most band above the input's
own, among those made for a band like the input's, or ``None`` when no model can add anything
(the input already fills the band the output can hold): the input is then returned unchanged.

The rate policy (:func:`output_rate`) is the same everywhere: the output is at the requested
``target_sampling_rate`` when one is given, else at the higher of the model's output rate and the
input's own rate, so a recording never comes back at a lower rate than it went in.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

# A fixed-rate model is made for input whose measured band reaches this fraction of its input
# band (a 3.4 kHz telephone band fills 85 % of an 8 kHz model's 4 kHz band).
MIN_BAND_FILL = 0.75
# A model adds something only if the band it adds is at least this fraction of the band it
# outputs (16 kHz speech whose content reaches 7.6 kHz gets nothing from an 8 -> 16 kHz model).
MIN_GAIN_FRACTION = 0.1


@dataclass(frozen=True)
class ModelSpec:
    """What routing knows of one model, read from its ``config.json``.

    Attributes:
        name: the bundled short name.
        path: its folder.
        architecture: the config's ``model_type``.
        input_sampling_rate: the rate the model's input is resampled to.
        output_sampling_rate: the rate of its output.
        output_sampling_rates: the output rates it serves (the config's ``output_sampling_rates``,
            e.g. 44.1 and 48 kHz for a full-band model; else just ``output_sampling_rate``).
        min_input_bandwidth_hz, max_input_bandwidth_hz: the input bands it is made for.
        conditions_on_bandwidth: whether ``forward`` takes the input's cut-off.
        priority: the config's ``routing_priority`` (default 0): among models that serve an input
            equally well, the highest is used.
    """

    name: str
    path: str
    architecture: str
    input_sampling_rate: int
    output_sampling_rate: int
    min_input_bandwidth_hz: float
    max_input_bandwidth_hz: float
    conditions_on_bandwidth: bool = False
    priority: float = 0.0
    output_sampling_rates: tuple[int, ...] = ()

    def output_rate_for(self, sampling_rate: int) -> int:
        """The model's output rate for input at ``sampling_rate``: of its output rates, the lowest
        that is a whole multiple of it (22.05 kHz -> 44.1 kHz, 16 kHz -> 48 kHz), else the
        highest."""
        rates = sorted(self.output_sampling_rates or (self.output_sampling_rate,))
        multiples = [r for r in rates if r >= sampling_rate and r % sampling_rate == 0]
        return multiples[0] if multiples else rates[-1]

    @classmethod
    def from_config(cls, name: str, path: str | Path, config: dict) -> ModelSpec:
        """A spec from a config dict (``config.json``, or ``PretrainedConfig.to_dict()``)."""
        out_sr = int(config.get("output_sampling_rate") or config.get("sampling_rate"))
        in_sr = int(config.get("input_sampling_rate") or out_sr)
        conditions = bool(config.get("conditions_on_bandwidth", False))
        lo = config.get("min_input_bandwidth_hz")
        hi = config.get("max_input_bandwidth_hz")
        if lo is None or hi is None:
            lo, hi = MIN_BAND_FILL * in_sr / 2, in_sr / 2
        return cls(
            name=name,
            path=str(path),
            architecture=str(config.get("model_type")),
            input_sampling_rate=in_sr,
            output_sampling_rate=out_sr,
            min_input_bandwidth_hz=float(lo),
            max_input_bandwidth_hz=float(hi),
            conditions_on_bandwidth=conditions,
            priority=float(config.get("routing_priority", 0.0)),
            output_sampling_rates=tuple(
                int(r) for r in config.get("output_sampling_rates") or (out_sr,)
            ),
        )

    def serves(self, bandwidth_hz: float) -> bool:
        """Whether the model is made for input whose content ends at ``bandwidth_hz``.

        A fixed-rate model also serves input with content above its input band (it is kept by
        the low-band replacement; the model adds the band above it)."""
        if bandwidth_hz < self.min_input_bandwidth_hz:
            return False
        return self.conditions_on_bandwidth is False or bandwidth_hz <= self.max_input_bandwidth_hz

    def gain_hz(self, bandwidth_hz: float, sampling_rate: int, output_sampling_rate: int) -> float:
        """How much band (Hz) the model adds above ``bandwidth_hz`` to input at ``sampling_rate``
        in output at ``output_sampling_rate``."""
        top = min(self.output_rate_for(sampling_rate), output_sampling_rate) / 2
        return max(0.0, top - bandwidth_hz)


@dataclass(frozen=True)
class Route:
    """Which model an input goes through, and why.

    Attributes:
        model: the bundled short name, or None: no model can add anything and the input is
            returned as it is (resampled to ``output_sampling_rate`` if that differs).
        output_sampling_rate: the rate of the result (:func:`output_rate`).
        input_bandwidth_hz: the input's measured cut-off the decision was made on.
        reason: one sentence.
    """

    model: str | None
    output_sampling_rate: int
    input_bandwidth_hz: float
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


def output_rate(
    input_sampling_rate: int,
    model_output_sampling_rate: int | None,
    target_sampling_rate: int | None = None,
) -> int:
    """The rate policy: ``target_sampling_rate`` when given, else the higher of the model's
    output rate and the input's rate (the input's rate when no model runs)."""
    if target_sampling_rate is not None:
        return int(target_sampling_rate)
    return int(max(input_sampling_rate, model_output_sampling_rate or 0))


def fixed_route(
    name: str, config, bandwidth_hz: float, sampling_rate: int, target_sampling_rate=None
) -> Route:
    """The route of an input through the model the user asked for (``config``: its config, or
    its dict): that model, at the rate policy's output rate."""
    config = config if isinstance(config, dict) else config.to_dict()
    spec = ModelSpec.from_config(name, "", config)
    out_sr = output_rate(sampling_rate, spec.output_rate_for(sampling_rate), target_sampling_rate)
    return Route(name, out_sr, float(bandwidth_hz), f"{name} was asked for")


def model_specs(models: dict[str, Path] | None = None) -> list[ModelSpec]:
    """Specs of ``models`` (short name -> folder; default: every bundled model)."""
    if models is None:
        from .bundled import bundled_models

        models = bundled_models()
    specs = []
    for name, path in models.items():
        config = json.loads((Path(path) / "config.json").read_text())
        specs.append(ModelSpec.from_config(name, path, config))
    return specs


def _khz(hz: float) -> str:
    return f"{hz / 1000:.3g} kHz"


def choose_model(
    bandwidth_hz: float,
    sampling_rate: int,
    target_sampling_rate: int | None = None,
    specs: list[ModelSpec] | None = None,
) -> Route:
    """The route for an input at ``sampling_rate`` whose content ends at ``bandwidth_hz``.

    Among the models made for an input band like this one (:meth:`ModelSpec.serves`), the one
    that adds the most band to the output wins; ties go to the model made for the band closest to
    the input's, then to the highest ``routing_priority``, then to the name. With no such model,
    or when the band a model would add is under 10 % of its output band, the route has no model.
    """
    if sampling_rate <= 0:
        raise ValueError(f"sampling_rate must be positive, got {sampling_rate}")
    if target_sampling_rate is not None and target_sampling_rate <= 0:
        raise ValueError(f"target_sampling_rate must be positive, got {target_sampling_rate}")
    bandwidth_hz = float(min(max(bandwidth_hz, 0.0), sampling_rate / 2))
    specs = model_specs() if specs is None else specs
    best, best_key = None, None
    for spec in specs:
        if not spec.serves(bandwidth_hz):
            continue
        out_sr = output_rate(
            sampling_rate, spec.output_rate_for(sampling_rate), target_sampling_rate
        )
        gain = spec.gain_hz(bandwidth_hz, sampling_rate, out_sr)
        if gain <= 0 or gain < MIN_GAIN_FRACTION * (bandwidth_hz + gain):
            continue
        fit = (
            0.0
            if spec.conditions_on_bandwidth
            else abs(spec.input_sampling_rate / 2 - bandwidth_hz)
        )
        key = (-round(gain), fit, -spec.priority, spec.name)
        if best_key is None or key < best_key:
            best, best_key = spec, key
    if best is None:
        out_sr = output_rate(sampling_rate, None, target_sampling_rate)
        narrowest = min((s.min_input_bandwidth_hz for s in specs), default=None)
        if narrowest is not None and bandwidth_hz < narrowest:
            why = (
                f"its band ({_khz(bandwidth_hz)}) is narrower than any bundled model is made for "
                f"(from {_khz(narrowest)})"
            )
        else:
            why = (
                f"it already holds {_khz(bandwidth_hz)} of band and no bundled model adds any "
                f"above that at {out_sr} Hz"
            )
        return Route(None, out_sr, bandwidth_hz, f"returned unchanged: {why}")
    out_sr = output_rate(sampling_rate, best.output_rate_for(sampling_rate), target_sampling_rate)
    top = min(best.output_rate_for(sampling_rate), out_sr) / 2
    reason = (
        f"{best.name} adds {_khz(bandwidth_hz)}-{_khz(top)} to input whose content ends at "
        f"{_khz(bandwidth_hz)}"
    )
    return Route(best.name, out_sr, bandwidth_hz, reason)


def routing_table(specs: list[ModelSpec] | None = None) -> list[dict]:
    """What ``hf-audiosr models`` shows of the routing: for each model, the input bands it is made
    for and those of them ``auto`` sends to it when the output is asked for at the model's own
    output rate (probed at the model's input rate, at ten points across its band: with no target
    rate the full-band model takes every band it serves, with ``--target-rate 16000`` the 16 kHz
    models take theirs); ``auto_band_hz`` is None when ``auto`` never picks it (another model
    serves the same inputs better or with a higher ``routing_priority``)."""
    specs = model_specs() if specs is None else specs
    rows = []
    for spec in specs:
        lo, hi = spec.min_input_bandwidth_hz, spec.max_input_bandwidth_hz
        probes = [lo + (hi - lo) * i / 9 for i in range(10)]
        rate = spec.input_sampling_rate
        target = spec.output_sampling_rate
        won = [bw for bw in probes if choose_model(bw, rate, target, specs).model == spec.name]
        rows.append(
            {
                "name": spec.name,
                "input_band_hz": [lo, hi],
                "output_sampling_rate": spec.output_sampling_rate,
                "routing_priority": spec.priority,
                "auto_band_hz": [min(won), max(won)] if won else None,
            }
        )
    return rows


__all__ = [
    "ModelSpec",
    "Route",
    "choose_model",
    "fixed_route",
    "model_specs",
    "output_rate",
    "routing_table",
]
