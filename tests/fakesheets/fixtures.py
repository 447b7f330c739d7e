"""pytest fixtures for the fake Google Sheets API.

Import every fixture you use *and the ones it depends on* into your test module
(or list this module in a conftest's `pytest_plugins`):

    from tests.fakesheets.fixtures import (  # noqa: F401
        fake_sheets, fake_sheets_server, gspread_client, service_account_info,
    )
"""

import secrets

import gspread
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.stores.sheets import GOOGLE_API_PREFIXES, EndpointAdapter

from .control import FakeSheetsControl
from .server import FakeSheetsServer

CLIENT_EMAIL = "theo-doi@test-project.iam.gserviceaccount.com"


@pytest.fixture(scope="session")
def fake_sheets_server():
    """The fake running in a daemon thread for the whole session, as a FakeSheetsControl."""
    server = FakeSheetsServer().start()
    try:
        yield FakeSheetsControl(server.url)
    finally:
        server.stop()


@pytest.fixture
def fake_sheets(fake_sheets_server):
    """The session's fake, reset (no spreadsheets, faults, log or quota) before the test."""
    fake_sheets_server.reset()
    return fake_sheets_server


@pytest.fixture(scope="session")
def service_account_info(fake_sheets_server) -> dict:
    """A service-account JSON key with a fresh RSA key whose token_uri is the fake's /token."""
    return make_service_account_info(fake_sheets_server.url + "/token")


def make_service_account_info(token_uri: str, client_email: str = CLIENT_EMAIL) -> dict:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return {
        "type": "service_account",
        "project_id": "test-project",
        "private_key_id": secrets.token_hex(20),
        "private_key": pem.decode("ascii"),
        "client_email": client_email,
        "client_id": str(secrets.randbelow(10**21)).zfill(21),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
        + client_email.replace("@", "%40"),
        "universe_domain": "googleapis.com",
    }


def gspread_client(server, info: dict) -> gspread.Client:
    """A real gspread client whose API calls go to the fake at `server.url`.

    The OAuth token refresh goes straight to info["token_uri"] (google-auth uses
    its own session for it), so only the API hosts need redirecting.
    """
    client = gspread.service_account_from_dict(info)
    adapter = EndpointAdapter(server.url)  # the app's own `endpoint` mechanism
    for prefix in GOOGLE_API_PREFIXES:
        client.http_client.session.mount(prefix, adapter)
    return client
