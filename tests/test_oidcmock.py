"""The mock OpenID Connect provider (tests/oidcmock), over HTTP with requests."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jws, jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from tests.oidcmock import OIDCMockServer

REDIRECT_URI = "http://localhost:8501/oauth2callback"


@pytest.fixture(scope="module")
def mock():
    with OIDCMockServer() as server:
        yield server


@pytest.fixture
def http(mock):
    requests.post(f"{mock.url}/_mock/reset", timeout=5).raise_for_status()
    with requests.Session() as session:
        yield session


def _challenge(verifier: str) -> str:
    return (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )


def _authorize_params(mock, **extra) -> dict:
    return {
        "response_type": "code",
        "client_id": mock.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "state": "state-123",
        "nonce": "nonce-456",
        **extra,
    }


def _sign_in_with_form(http, mock, email: str, name: str = "", **extra) -> dict:
    """GET /authorize, fill the form, POST it; the redirect's query parameters."""
    page = http.get(f"{mock.url}/authorize", params=_authorize_params(mock, **extra), timeout=5)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert 'name="email"' in page.text and "Sign in" in page.text
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
    reply = http.post(
        f"{mock.url}/authorize",
        allow_redirects=False,
        timeout=5,
        data={"request_id": request_id, "email": email, "name": name, "action": "sign-in"},
    )
    assert reply.status_code == 302
    location = urlsplit(reply.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    return {k: v[0] for k, v in parse_qs(location.query).items()}


def _exchange(http, mock, code: str, **extra):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, **extra}
    return http.post(
        f"{mock.url}/token", data=data, auth=(mock.client_id, mock.client_secret), timeout=5
    )


def _verify(http, mock, id_token: str):
    jwks = http.get(f"{mock.url}/jwks", timeout=5).json()
    token = jwt.decode(id_token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert token.header["alg"] == "RS256" and token.header["kid"] == jwks["keys"][0]["kid"]
    return token.claims


def test_discovery_names_every_endpoint_on_localhost(http, mock):
    doc = http.get(mock.metadata_url, timeout=5).json()
    assert doc["issuer"] == mock.url == f"http://localhost:{mock.port}"
    for key, path in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/jwks"),
        ("end_session_endpoint", "/logout"),
    ]:
        assert doc[key] == mock.url + path
    assert doc["response_types_supported"] == ["code"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert "S256" in doc["code_challenge_methods_supported"]
    assert {"client_secret_basic", "client_secret_post"} <= set(
        doc["token_endpoint_auth_methods_supported"]
    )
    keys = http.get(doc["jwks_uri"], timeout=5).json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["use"] == "sig"
    assert "d" not in keys[0], "the JWKS must not publish the private key"


def test_authorize_form_redirects_with_code_and_state(http, mock):
    params = _sign_in_with_form(http, mock, "canbo@snv.gov.vn")
    assert params["state"] == "state-123"
    assert len(params["code"]) >= 20
    assert mock.log[-1] == {
        "event": "sign-in",
        "email": "canbo@snv.gov.vn",
        "client_id": mock.client_id,
    }


def test_token_exchange_returns_a_verifiable_id_token(http, mock):
    before = int(time.time())
    code = _sign_in_with_form(http, mock, "canbo@snv.gov.vn", "Cán bộ SNV")["code"]
    reply = _exchange(http, mock, code)
    assert reply.status_code == 200, reply.text
    token = reply.json()
    assert token["token_type"] == "Bearer" and token["access_token"]
    claims = _verify(http, mock, token["id_token"])
    assert claims["iss"] == mock.url
    assert claims["aud"] == mock.client_id
    assert claims["nonce"] == "nonce-456"
    assert claims["email"] == "canbo@snv.gov.vn" and claims["email_verified"] is True
    assert claims["name"] == "Cán bộ SNV"
    assert claims["sub"]
    assert before <= claims["iat"] <= claims["exp"] - 3000
    # at_hash: left half of SHA-256 of the access token, base64url
    digest = hashlib.sha256(token["access_token"].encode()).digest()[:16]
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_id_token_fails_against_another_key(http, mock):
    code = _sign_in_with_form(http, mock, "a@example.com")["code"]
    id_token = _exchange(http, mock, code).json()["id_token"]
    with OIDCMockServer() as other:
        other_keys = requests.get(f"{other.url}/jwks", timeout=5).json()
    other_keys["keys"][0]["kid"] = jws.extract_compact(id_token.encode()).protected[
        "kid"
    ]  # same kid, other key
    with pytest.raises(BadSignatureError):
        jwt.decode(id_token, KeySet.import_key_set(other_keys), algorithms=["RS256"])


def test_code_is_single_use_and_needs_the_client_secret(http, mock):
    code = _sign_in_with_form(http, mock, "a@example.com")["code"]
    bad = http.post(
        f"{mock.url}/token",
        auth=(mock.client_id, "wrong"),
        timeout=5,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI},
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    assert _exchange(http, mock, code).status_code == 200
    again = _exchange(http, mock, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_client_secret_post_and_redirect_uri_must_match(http, mock):
    code = _sign_in_with_form(http, mock, "a@example.com")["code"]
    wrong = http.post(
        f"{mock.url}/token",
        timeout=5,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": mock.client_id,
            "client_secret": mock.client_secret,
            "redirect_uri": "http://localhost:9/oauth2callback",
        },
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    code = _sign_in_with_form(http, mock, "a@example.com")["code"]
    ok = http.post(
        f"{mock.url}/token",
        timeout=5,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": mock.client_id,
            "client_secret": mock.client_secret,
            "redirect_uri": REDIRECT_URI,
        },
    )
    assert ok.status_code == 200, ok.text


def test_pkce_s256_is_checked(http, mock):
    verifier = secrets.token_urlsafe(48)
    extra = {"code_challenge": _challenge(verifier), "code_challenge_method": "S256"}
    code = _sign_in_with_form(http, mock, "a@example.com", **extra)["code"]
    assert _exchange(http, mock, code, code_verifier="not-it").json()["error"] == "invalid_grant"
    code = _sign_in_with_form(http, mock, "a@example.com", **extra)["code"]
    assert _exchange(http, mock, code, code_verifier=verifier).status_code == 200


def test_userinfo_with_the_access_token(http, mock):
    code = _sign_in_with_form(http, mock, "canbo@snv.gov.vn", "Cán bộ SNV")["code"]
    token = _exchange(http, mock, code).json()
    info = http.get(
        f"{mock.url}/userinfo",
        timeout=5,
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert info.status_code == 200
    claims = _verify(http, mock, token["id_token"])
    assert info.json() == {
        "sub": claims["sub"],
        "email": "canbo@snv.gov.vn",
        "email_verified": True,
        "name": "Cán bộ SNV",
    }
    denied = http.get(f"{mock.url}/userinfo", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert denied.status_code == 401


def test_next_user_hook_skips_the_form_once(http, mock):
    http.post(
        f"{mock.url}/_mock/next-user", json={"email": "stranger@example.com"}, timeout=5
    ).raise_for_status()
    reply = http.get(
        f"{mock.url}/authorize", params=_authorize_params(mock), allow_redirects=False, timeout=5
    )
    assert reply.status_code == 302
    params = parse_qs(urlsplit(reply.headers["Location"]).query)
    claims = _verify(http, mock, _exchange(http, mock, params["code"][0]).json()["id_token"])
    assert claims["email"] == "stranger@example.com" and claims["nonce"] == "nonce-456"
    # one-shot: the next request shows the form again
    page = http.get(f"{mock.url}/authorize", params=_authorize_params(mock), timeout=5)
    assert page.status_code == 200 and 'name="email"' in page.text


def test_cancel_redirects_with_access_denied(http, mock):
    page = http.get(f"{mock.url}/authorize", params=_authorize_params(mock), timeout=5)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
    reply = http.post(
        f"{mock.url}/authorize",
        data={"request_id": request_id, "action": "cancel"},
        allow_redirects=False,
        timeout=5,
    )
    params = parse_qs(urlsplit(reply.headers["Location"]).query)
    assert params["error"] == ["access_denied"] and params["state"] == ["state-123"]


@pytest.mark.parametrize(
    "change, error",
    [
        ({"client_id": "someone-else"}, "invalid_client"),
        ({"redirect_uri": "https://evil.example/cb"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "email"}, "invalid_scope"),
    ],
)
def test_bad_authorization_requests_are_refused(http, mock, change, error):
    reply = http.get(
        f"{mock.url}/authorize",
        params=_authorize_params(mock, **change),
        allow_redirects=False,
        timeout=5,
    )
    assert reply.status_code == 400 and reply.json()["error"] == error


def test_logout_redirects_to_post_logout_redirect_uri(http, mock):
    query = urlencode({"client_id": mock.client_id, "post_logout_redirect_uri": REDIRECT_URI})
    reply = http.get(f"{mock.url}/logout?{query}", allow_redirects=False, timeout=5)
    assert reply.status_code == 302 and reply.headers["Location"] == REDIRECT_URI
    assert mock.log[-1]["event"] == "sign-out"
