"""parse_training_args: a JSON preset plus ``--key value`` overrides, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hf_audiosr.models import build_config
from hf_audiosr.training import SuperResolutionTrainingArguments, parse_training_args

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def write_config(tmp_path: Path, **values) -> str:
    config = {"output_dir": str(tmp_path / "run"), "train_dirs": ["a", "b"], **values}
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return str(path)


def test_json_config_with_overrides(tmp_path):
    path = write_config(
        tmp_path,
        preset="tiny",
        max_steps=50,
        train_exclude=["*/p225/*"],
        model_overrides={"dropout": 0.1},
        resume=False,
    )
    args = parse_training_args(
        [path, "--max_steps", "7", "--learning_rate", "1e-3", "--validation_dirs", "v1", "v2"]
    )
    assert isinstance(args, SuperResolutionTrainingArguments)
    assert args.output_dir == str(tmp_path / "run")  # a required field, given by the file only
    assert args.train_dirs == ["a", "b"]
    assert args.train_exclude == ["*/p225/*"]
    assert args.preset == "tiny"
    assert args.max_steps == 7  # the command line wins over the file
    assert args.learning_rate == 1e-3
    assert args.validation_dirs == ["v1", "v2"]
    assert args.resume is False
    assert json.loads(args.model_overrides) == {"dropout": 0.1}  # dicts travel as JSON text
    assert args.batch_size == SuperResolutionTrainingArguments.batch_size  # untouched default


def test_command_line_only():
    args = parse_training_args(
        ["--output_dir", "out", "--train_corpus", "c.npz", "--resume", "false", "--seed", "3"]
    )
    assert (args.output_dir, args.train_corpus, args.resume, args.seed) == (
        "out",
        "c.npz",
        False,
        3,
    )
    assert args.degradation_mix == {"sinc": 0.5, "cheby": 0.3, "fft": 0.2}


def test_missing_output_dir_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit):
        parse_training_args(["--train_dirs", "a"])
    assert "--output_dir" in capsys.readouterr().err


def test_unknown_key_in_the_file(tmp_path):
    path = write_config(tmp_path, max_step=5)
    with pytest.raises(
        ValueError, match=r"config\.json: unknown training arguments \['max_step'\]"
    ):
        parse_training_args([path])


def test_shipped_presets_parse():
    presets = sorted(CONFIGS.rglob("*.json"))  # configs/ and configs/zoo/
    assert len(presets) >= 10, f"expected the main and zoo presets under {CONFIGS}"
    for preset in presets:
        args = parse_training_args([str(preset)])
        assert args.output_dir and (args.train_dirs or args.train_corpus or args.train_manifest)
        build_config(
            args.architecture,
            args.preset,
            input_sampling_rate=args.input_sampling_rate,
            output_sampling_rate=args.output_sampling_rate,
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (["--mixed_precision", "fp8"], r"mixed_precision must be one of no, bf16, fp16; got 'fp8'"),
        (
            ["--input_sampling_rate", "6000"],
            r"output_sampling_rate \(16000\) must be a multiple of input_sampling_rate \(6000\)",
        ),
        (
            ["--output_sampling_rate", "8000", "--input_sampling_rate", "16000"],
            r"output_sampling_rate \(8000\) must be a multiple of input_sampling_rate \(16000\)",
        ),
        (
            ["--input_sampling_rate", "0"],
            r"sampling rates must be positive, got input_sampling_rate 0",
        ),
        (
            ["--input_sampling_rate", "-8000"],
            r"sampling rates must be positive, got input_sampling_rate -8000",
        ),
        (["--max_steps", "0"], r"max_steps and batch_size must be positive"),
        (["--batch_size", "-1"], r"max_steps and batch_size must be positive"),
        (
            ["--segment_length", "1001"],
            r"segment_length must be a positive multiple of the upsampling factor 2, got 1001",
        ),
        (
            ["--degradation_sinc", "0", "--degradation_cheby", "0", "--degradation_fft", "0"],
            r"must be non-negative with a positive sum, got \(0\.0, 0\.0, 0\.0\)",
        ),
        (["--degradation_fft", "-1"], r"must be non-negative with a positive sum"),
        (
            ["--gain_db_min", "3", "--gain_db_max", "-3"],
            r"gain_db_min \(3\.0\) must not exceed gain_db_max \(-3\.0\)",
        ),
    ],
)
def test_bad_values_raise(tmp_path, overrides, message):
    with pytest.raises(ValueError, match=message):
        parse_training_args([write_config(tmp_path), *overrides])


def test_no_training_data(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"output_dir": "out"}))
    with pytest.raises(
        ValueError,
        match=r"give train_dirs \(folders of audio\), train_manifest \(anyband\) or train_corpus",
    ):
        parse_training_args([str(path)])
    with pytest.raises(ValueError, match=r"give train_dirs"):
        SuperResolutionTrainingArguments(output_dir="out")


def test_train_weights(tmp_path):
    anyband = [
        "--data_mode", "anyband", "--input_sampling_rate", "48000",
        "--output_sampling_rate", "48000",
    ]  # fmt: skip
    args = parse_training_args(
        [write_config(tmp_path), *anyband, "--train_weights", "*/vctk48_*=4", "*a=b*=0.5"]
    )
    assert args.train_weight_list == [("*/vctk48_*", 4.0), ("*a=b*", 0.5)]
    for bad in ("*/vctk48_*", "=2", "*x*=-1", "*x*=inf", "*x*=many"):
        with pytest.raises(ValueError, match="'GLOB=WEIGHT'"):
            parse_training_args([write_config(tmp_path), *anyband, "--train_weights", bad])
    with pytest.raises(ValueError, match="data_mode 'anyband' only"):
        parse_training_args([write_config(tmp_path), "--train_weights", "*x*=2"])
