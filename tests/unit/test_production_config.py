"""Production refuses every emulator and stand-in at start-up, and never honours development origins."""

from __future__ import annotations

import base64
import json
import os
import uuid

import firebase_admin
import firebase_admin.credentials
import pytest
from firebase_admin import auth
from pydantic import Field, ValidationError

from shared.adapters.firebase_auth import FirebaseTokenVerifier
from shared.config import Settings
from shared.domain.errors import UnauthorizedError

STAND_INS = {
    "FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080",
    "PUBSUB_EMULATOR_HOST": "127.0.0.1:8085",
    "STORAGE_EMULATOR_HOST": "http://127.0.0.1:9023",
    "FIREBASE_AUTH_EMULATOR_HOST": "127.0.0.1:9099",
    "GEMINI_BASE_URL": "http://127.0.0.1:7000",
    "TWILIO_BASE_URL": "http://127.0.0.1:7001",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No emulator variable from an earlier test tier (the local cloud sets them for the session)."""
    for key in list(os.environ):
        if key.endswith(("_EMULATOR_HOST", "_BASE_URL")) or key in ("CHATDESK_ENV", "CHATDESK_DEV_ORIGINS"):
            monkeypatch.delenv(key)
    # Production requires a session secret (Secret Manager); these tests are about everything else.
    monkeypatch.setenv("CHATDESK_SESSION_SECRET", "s" * 40)


@pytest.mark.parametrize("variable", sorted(STAND_INS))
def test_production_refuses_each_emulator_and_stand_in(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv("CHATDESK_ENV", "production")
    monkeypatch.setenv(variable, STAND_INS[variable])
    with pytest.raises(ValidationError, match=variable):
        Settings()


def test_production_starts_without_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATDESK_ENV", "production")
    assert Settings().environment == "production"


def test_an_emulator_variable_no_setting_names_is_refused_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATDESK_ENV", "production")
    monkeypatch.setenv("FIREBASE_DATABASE_EMULATOR_HOST", "127.0.0.1:9000")
    with pytest.raises(ValidationError, match="FIREBASE_DATABASE_EMULATOR_HOST"):
        Settings()


def test_a_stand_in_setting_another_helper_adds_is_refused_by_its_name_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    class WithCrm(Settings):
        crm_url: str | None = Field(None, alias="CRM_BASE_URL")

    monkeypatch.setenv("CHATDESK_ENV", "production")
    with pytest.raises(ValidationError, match="CRM_BASE_URL"):
        WithCrm(CRM_BASE_URL="http://127.0.0.1:7002")


@pytest.mark.parametrize("environment", ["development", "test"])
def test_outside_production_the_local_servers_are_fine(monkeypatch: pytest.MonkeyPatch, environment: str) -> None:
    monkeypatch.setenv("CHATDESK_ENV", environment)
    for variable, value in STAND_INS.items():
        monkeypatch.setenv(variable, value)
    assert Settings().firebase_auth_emulator_host == "127.0.0.1:9099"


def test_production_never_honours_dev_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATDESK_DEV_ORIGINS", "http://localhost:8080, http://127.0.0.1:8080")
    monkeypatch.setenv("CHATDESK_ENV", "production")
    assert Settings().extra_origins == frozenset()
    monkeypatch.setenv("CHATDESK_ENV", "development")
    assert Settings().extra_origins == {"http://localhost:8080", "http://127.0.0.1:8080"}


def unsigned_admin_token(project: str) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    claims = {
        "iss": f"https://securetoken.google.com/{project}",
        "aud": project,
        "sub": "forged",
        "uid": "forged",
        "iat": 1,
        "exp": 4_102_444_800,
        "auth_time": 1,
        "tenant": "novahouse",
        "role": "admin",
    }
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


class NoCredentials(firebase_admin.credentials.Base):  # type: ignore[misc]
    """Offline: verifying an ID token needs Google's public certificates, never our credentials."""

    def get_credential(self):  # type: ignore[no-untyped-def]
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()


@pytest.fixture()
def firebase_app():  # type: ignore[no-untyped-def]
    project = f"demo-{uuid.uuid4().hex[:8]}"
    app = firebase_admin.initialize_app(NoCredentials(), options={"projectId": project}, name=project)
    yield app
    firebase_admin.delete_app(app)


def test_an_unsigned_admin_token_is_refused_in_production_config(monkeypatch: pytest.MonkeyPatch, firebase_app) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CHATDESK_ENV", "production")
    settings = Settings()  # production as deployed: no emulator variable can be set
    assert settings.firebase_auth_emulator_host is None
    token = unsigned_admin_token(firebase_app.project_id)
    with pytest.raises(UnauthorizedError):
        FirebaseTokenVerifier(auth, firebase_app).verify(f"Bearer {token}")


def test_with_the_auth_emulator_variable_the_sdk_would_accept_it_which_is_why_production_refuses_it(
    monkeypatch: pytest.MonkeyPatch, firebase_app
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FIREBASE_AUTH_EMULATOR_HOST", "127.0.0.1:9")
    claims = auth.verify_id_token(unsigned_admin_token(firebase_app.project_id), app=firebase_app)
    assert claims["role"] == "admin"  # firebase-admin skips the signature on the emulator
    monkeypatch.setenv("CHATDESK_ENV", "production")
    with pytest.raises(ValidationError, match="FIREBASE_AUTH_EMULATOR_HOST"):
        Settings()


def test_a_refused_configuration_does_not_print_its_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATDESK_ENV", "production")
    monkeypatch.setenv("GEMINI_API_KEY", "super-secret-gemini-key")
    monkeypatch.setenv("TWILIO_BASE_URL", "http://127.0.0.1:7001")
    with pytest.raises(ValidationError) as err:
        Settings()
    assert "TWILIO_BASE_URL" in str(err.value)
    assert "super-secret-gemini-key" not in str(err.value) and "super-secret" not in repr(err.value)
