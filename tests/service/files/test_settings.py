"""FAIRHEAT_FILES_BACKEND and FAIRHEAT_FILES_DIR."""

from __future__ import annotations

import pytest

from config import SettingsError, load_settings


def test_files_default_to_the_local_backend_in_the_instance_directory(tmp_path):
    settings = load_settings({}, instance_path=tmp_path)
    assert settings.files_backend == "local"
    assert settings.files_dir == (tmp_path / "files").resolve()


def test_files_dir_is_read_and_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"FAIRHEAT_FILES_DIR": "uploads"}, instance_path=tmp_path)
    assert settings.files_dir == tmp_path.resolve() / "uploads"


@pytest.mark.parametrize("backend", ["s3", "ftp"])
def test_only_the_local_backend_is_accepted(tmp_path, backend):
    with pytest.raises(SettingsError, match="FAIRHEAT_FILES_BACKEND must be local"):
        load_settings({"FAIRHEAT_FILES_BACKEND": backend}, instance_path=tmp_path)
