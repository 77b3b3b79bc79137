"""Download URLs: V4 signed where the credentials can sign (or sign through IAM), none where they cannot."""

from __future__ import annotations

from typing import Any

from shared.adapters.gcs_backup_store import GcsBackupStore


class Blob:
    def __init__(self, name: str, fail: bool) -> None:
        self.name, self.fail = name, fail
        self.kwargs: dict[str, Any] = {}

    def generate_signed_url(self, **kwargs: Any) -> str:
        if self.fail:
            raise PermissionError("iam.serviceAccounts.signBlob denied")
        self.kwargs = kwargs
        return f"https://storage.googleapis.com/b/{self.name}?X-Goog-Signature=x"


class Bucket:
    def __init__(self, fail: bool) -> None:
        self.fail = fail
        self.blobs: list[Blob] = []

    def blob(self, name: str) -> Blob:
        self.blobs.append(Blob(name, self.fail))
        return self.blobs[-1]


class ComputeCredentials:
    """Like Cloud Functions' default credentials: no private key, a token and an e-mail after refresh."""

    service_account_email = "backup@demo.iam.gserviceaccount.com"
    token: str | None = None

    def refresh(self, _request: Any) -> None:
        self.token = "ya29.token"


class Client:
    def __init__(self, fail: bool = False) -> None:
        self._credentials = ComputeCredentials()
        self.the_bucket = Bucket(fail)

    def bucket(self, _name: str) -> Bucket:
        return self.the_bucket


def test_keyless_credentials_sign_through_iam_with_their_token() -> None:
    client = Client()
    url = GcsBackupStore(client, "b").signed_url("acme", "20261123T020000Z-abcdefabcdef", "leads.ndjson.gz")  # type: ignore[arg-type]
    assert url is not None and "X-Goog-Signature" in url
    [blob] = client.the_bucket.blobs
    assert blob.name == "backups/acme/20261123T020000Z-abcdefabcdef/leads.ndjson.gz"
    assert blob.kwargs["version"] == "v4" and blob.kwargs["access_token"] == "ya29.token"
    assert blob.kwargs["service_account_email"] == "backup@demo.iam.gserviceaccount.com"


def test_no_signing_permission_means_no_url_so_the_function_streams() -> None:
    store = GcsBackupStore(Client(fail=True), "b")  # type: ignore[arg-type]
    assert store.signed_url("acme", "20261123T020000Z-abcdefabcdef", "leads.ndjson.gz") is None


def test_a_store_told_it_cannot_sign_never_tries() -> None:
    client = Client()
    assert GcsBackupStore(client, "b", can_sign=False).signed_url("acme", "x", "f") is None  # type: ignore[arg-type]
    assert client.the_bucket.blobs == []
