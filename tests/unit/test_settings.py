"""Settings come from defaults, then supervise.toml, then SUPERVISE_ variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from supervise.settings import SettingsError, load_settings


def test_defaults_put_a_sqlite_file_in_the_home(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, environ={})
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'supervise.db'}"
    assert settings.resolved_secrets_file == tmp_path / "host-secrets.json"
    assert settings.idle_timeout_seconds == 600
    assert settings.is_sqlite


def test_the_file_overrides_defaults_and_the_environment_overrides_the_file(
    tmp_path: Path,
) -> None:
    (tmp_path / "supervise.toml").write_text(
        'idle_timeout_seconds = 300\npage_size = "a4"\nretention_note = "kept"\n'
    )
    settings = load_settings(
        tmp_path, environ={"SUPERVISE_IDLE_TIMEOUT_SECONDS": "900"}
    )
    assert settings.idle_timeout_seconds == 900
    assert settings.page_size == "a4"
    assert settings.extra == {"retention_note": "kept"}


def test_the_home_comes_from_the_argument_then_the_environment(tmp_path: Path) -> None:
    env = {"SUPERVISE_HOME": str(tmp_path / "from-env")}
    assert load_settings(None, environ=env).home == tmp_path / "from-env"
    assert load_settings(tmp_path / "arg", environ=env).home == tmp_path / "arg"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("idle_timeout_seconds = 'soon'", "whole number"),
        ("idle_timeout_seconds = 5", "at least 30"),
        ("page_size = 'tabloid'", "letter"),
        ("this is not toml", "supervise.toml"),
        ("ssh_password_login = 'maybe'", "true or false"),
        ("ssh_port = 70000", "between 1 and 65535"),
        ("ssh_max_sessions_per_user = 0", "at least 1"),
        ("ssh_idle_seconds = 0", "at least 1 second"),
    ],
)
def test_bad_settings_are_refused_with_a_message(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "supervise.toml").write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_settings(tmp_path, environ={})


def test_ssh_switches_read_toml_booleans_and_words_from_the_environment(
    tmp_path: Path,
) -> None:
    (tmp_path / "supervise.toml").write_text("ssh_password_login = false\n")
    assert load_settings(tmp_path, environ={}).ssh_password_login is False
    env = {"SUPERVISE_SSH_PASSWORD_LOGIN": "yes"}
    assert load_settings(tmp_path, environ=env).ssh_password_login is True


def test_the_ssh_host_key_lives_in_the_home_unless_a_path_is_set(
    tmp_path: Path,
) -> None:
    settings = load_settings(tmp_path, environ={})
    assert settings.resolved_ssh_host_key == tmp_path / "ssh_host_ed25519_key"
    env = {"SUPERVISE_SSH_HOST_KEY": str(tmp_path / "elsewhere" / "key")}
    moved = load_settings(tmp_path, environ=env).resolved_ssh_host_key
    assert moved == tmp_path / "elsewhere" / "key"
