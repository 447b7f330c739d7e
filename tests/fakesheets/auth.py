"""OAuth for the fake: the service-account token endpoint and bearer-token checks.

JWT assertions are decoded but not verified; the `iss` claim (the service
account's client_email) is remembered as the identity behind the token.
"""

import base64
import binascii
import json
import secrets
from urllib.parse import parse_qs

from .errors import ApiError

JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
TOKEN_LIFETIME_SECONDS = 3600


class TokenStore:
    def __init__(self):
        self._emails: dict[str, str] = {}

    def issue(self, email: str) -> str:
        token = "fake-token-" + secrets.token_hex(16)
        self._emails[token] = email
        return token

    def exchange(self, raw_body: bytes) -> tuple[int, dict]:
        """POST /token: trade a JWT-bearer assertion for an access token."""
        form = parse_qs(raw_body.decode("utf-8", "replace"))
        grant_type = form.get("grant_type", [""])[0]
        if grant_type != JWT_BEARER_GRANT:
            return 400, _oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
        email = _assertion_issuer(form.get("assertion", [""])[0])
        if email is None:
            return 400, _oauth_error("invalid_grant", "Invalid JWT Signature.")
        return 200, {
            "access_token": self.issue(email),
            "expires_in": TOKEN_LIFETIME_SECONDS,
            "token_type": "Bearer",
        }

    def caller(self, authorization: str | None) -> str:
        """The client email behind an `Authorization: Bearer ...` header, else 401."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401,
                "Request is missing required authentication credential. Expected OAuth 2 "
                "access token, login cookie or other valid authentication credential.",
            )
        email = self._emails.get(token.strip())
        if email is None:
            raise ApiError(401)
        return email


def _assertion_issuer(assertion: str) -> str | None:
    parts = assertion.split(".")
    if len(parts) != 3 or not all(parts):
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    issuer = payload.get("iss") if isinstance(payload, dict) else None
    return issuer if isinstance(issuer, str) and issuer else None


def _oauth_error(error: str, description: str) -> dict:
    return {"error": error, "error_description": description}
