"""Publishing, tested up to the network boundary (the Hub client is replaced by a recorder)."""

import shutil

import pytest
import torch

import hf_audiosr
from hf_audiosr.cli import main
from hf_audiosr.hub import PushError, push_model
from hf_audiosr.models import AudioUNetConfig, AudioUNetForAudioSuperResolution


class RecordingApi:
    def __init__(self):
        self.calls = []

    def create_repo(self, repo_id, **kwargs):
        self.calls.append(("create_repo", repo_id, kwargs))

        class Repo:
            url = f"https://huggingface.co/{repo_id}"

        return Repo()

    def create_commit(self, repo_id, operations, **kwargs):
        self.calls.append(("create_commit", repo_id, sorted(op.path_in_repo for op in operations)))


@pytest.fixture
def model_dir(tmp_path):
    torch.manual_seed(0)
    model = AudioUNetForAudioSuperResolution(AudioUNetConfig.from_preset("tiny"))
    folder = tmp_path / "model"
    model.save_pretrained(folder)
    hf_audiosr.AudioSRFeatureExtractor().save_pretrained(folder)
    (folder / "README.md").write_text("---\npipeline_tag: audio-to-audio\n---\n# tiny\n")
    return folder


def test_push_uploads_weights_config_feature_extractor_and_card(model_dir):
    api = RecordingApi()
    url = push_model(model_dir, "someone/tiny-sr", api=api)
    assert url == "https://huggingface.co/someone/tiny-sr"
    assert api.calls[0][0] == "create_repo" and api.calls[0][2]["exist_ok"] is True
    assert api.calls[1] == (
        "create_commit",
        "someone/tiny-sr",
        ["README.md", "config.json", "model.safetensors", "preprocessor_config.json"],
    )


def test_push_refuses_bad_folders(model_dir, tmp_path):
    with pytest.raises(PushError, match=r"repo id must look like 'owner/name'"):
        push_model(model_dir, "no-owner", api=RecordingApi())
    (model_dir / "README.md").unlink()
    with pytest.raises(PushError, match=r"no README.md model card"):
        push_model(model_dir, "a/b", api=RecordingApi())
    (model_dir / "README.md").write_text("# card")
    (model_dir / "pytorch_model.bin").write_bytes(b"pickle")
    with pytest.raises(PushError, match=r"refusing to publish pickled files"):
        push_model(model_dir, "a/b", api=RecordingApi())
    (model_dir / "pytorch_model.bin").unlink()
    broken = tmp_path / "broken"
    shutil.copytree(model_dir, broken)
    (broken / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(PushError, match=r"the weights do not load"):
        push_model(broken, "a/b", api=RecordingApi())


def test_cli_push_offline_gives_one_clear_line(model_dir, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    code = main(["push", str(model_dir), "--repo-id", "someone/tiny-sr"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: could not reach the Hugging Face Hub")
    assert "Traceback" not in err
