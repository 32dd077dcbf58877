from .arguments import SuperResolutionTrainingArguments
from .trainer import SuperResolutionTrainer

__all__ = [
    "SuperResolutionTrainer",
    "SuperResolutionTrainingArguments",
    "parse_training_args",
    "train",
]


def parse_training_args(argv: list[str]) -> SuperResolutionTrainingArguments:
    """``CONFIG.json [--key value ...]`` or plain ``--key value`` flags -> arguments."""
    import dataclasses
    import json

    from transformers import HfArgumentParser

    parser = HfArgumentParser(SuperResolutionTrainingArguments)
    if argv and argv[0].endswith(".json"):
        with open(argv[0]) as f:
            defaults = json.load(f)
        known = {f.name for f in dataclasses.fields(SuperResolutionTrainingArguments)}
        unknown = sorted(set(defaults) - known)
        if unknown:
            raise ValueError(f"{argv[0]}: unknown training arguments {unknown}")
        if "model_overrides" in defaults and not isinstance(defaults["model_overrides"], str):
            defaults["model_overrides"] = json.dumps(defaults["model_overrides"])
        argv = argv[1:]
        parser.set_defaults(**defaults)
        # required fields satisfied by the file
        for action in parser._actions:
            if action.dest in defaults:
                action.required = False
    (args,) = parser.parse_args_into_dataclasses(args=argv)
    return args


def train(argv: list[str]) -> dict:
    args = parse_training_args(argv)
    return SuperResolutionTrainer(args).train()
