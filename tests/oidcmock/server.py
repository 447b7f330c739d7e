"""A small local OpenID Connect provider (authorization-code flow) for st.login tests.

Served paths (all URLs in the discovery document use http://localhost:<port>):
  GET  /.well-known/openid-configuration   discovery document
  GET  /authorize                          checks the request, then either signs in the preset
                                           next user at once, or shows a form (email, name,
                                           "Sign in" / "Cancel")
  POST /authorize                          the form: issues a one-time code, 302 to redirect_uri
  POST /token                              authorization_code grant; client_secret_basic or
                                           client_secret_post; PKCE S256 checked when used
  GET  /userinfo                           Bearer access token -> the user's claims
  GET  /jwks                               the public signing key (RS256)
  GET  /logout                             end_session: 302 to post_logout_redirect_uri
  POST /_mock/next-user                    {"email", "name"?}: the next /authorize signs this
                                           user in without the form (one-shot)
  GET  /_mock/log | POST /_mock/reset      the sign-ins and sign-outs so far | clear them

The id_token is a JWS (RS256, with kid) signed by joserfc with a fresh RSA key, carrying iss, sub,
aud (= client_id), azp, iat, exp, auth_time, nonce (when the request had one), at_hash, email,
email_verified and name. It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit, urlunsplit

from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import RSAKey

DEFAULT_CLIENT_ID = "theo-doi-test-client"
DEFAULT_CLIENT_SECRET = "theo-doi-test-secret"
CODE_TTL_SECONDS = 120
TOKEN_TTL_SECONDS = 3600


class OIDCError(Exception):
    """An OAuth error reply: status, error code and description."""

    def __init__(self, status: int, error: str, description: str = ""):
        super().__init__(f"{error}: {description}")
        self.status, self.error, self.description = status, error, description

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


@dataclass
class _Request:
    """A checked authorization request, waiting for the user (or the preset next user)."""

    client_id: str
    redirect_uri: str
    state: str
    nonce: str
    scope: str
    code_challenge: str
    code_challenge_method: str


@dataclass
class _Grant:
    """What a code or an access token stands for."""

    request: _Request
    email: str
    name: str
    expires: float
    auth_time: int = field(default_factory=lambda: int(time.time()))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _with_query(url: str, params: dict) -> str:
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def _local_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname in ("localhost", "127.0.0.1")


class OIDCProvider:
    """The provider's state and logic, independent of HTTP; guarded by one lock."""

    def __init__(
        self,
        base_url: str,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
    ):
        self.issuer = base_url.rstrip("/")
        self.client_id, self.client_secret = client_id, client_secret
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self.key = RSAKey.import_key(private, {"kid": self.kid, "use": "sig", "alg": "RS256"})
        self.lock = threading.Lock()
        self.pending: dict[str, _Request] = {}
        self.codes: dict[str, _Grant] = {}
        self.tokens: dict[str, _Grant] = {}
        self.next_user: tuple[str, str] | None = None
        self.log: list[dict] = []

    # --- documents ----------------------------------------------------------------------------

    def discovery(self) -> dict:
        i = self.issuer
        return {
            "issuer": i,
            "authorization_endpoint": f"{i}/authorize",
            "token_endpoint": f"{i}/token",
            "userinfo_endpoint": f"{i}/userinfo",
            "jwks_uri": f"{i}/jwks",
            "end_session_endpoint": f"{i}/logout",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "iss",
                "sub",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "email",
                "email_verified",
                "name",
            ],
        }

    def jwks(self) -> dict:
        return {"keys": [self.key.as_dict(private=False)]}

    # --- authorization ------------------------------------------------------------------------

    def check_authorization(self, query: dict) -> _Request:
        """Validate an authorization request; errors that cannot be redirected raise 400."""
        client_id = query.get("client_id", "")
        redirect_uri = query.get("redirect_uri", "")
        if client_id != self.client_id:
            raise OIDCError(400, "invalid_client", f"unknown client_id {client_id!r}")
        if not _local_http_url(redirect_uri):
            raise OIDCError(400, "invalid_request", f"redirect_uri must be local: {redirect_uri!r}")
        if query.get("response_type") != "code":
            raise OIDCError(400, "unsupported_response_type", "only response_type=code")
        if "openid" not in query.get("scope", "").split():
            raise OIDCError(400, "invalid_scope", "scope must include openid")
        method = query.get("code_challenge_method", "")
        if query.get("code_challenge") and method != "S256":
            raise OIDCError(400, "invalid_request", "only code_challenge_method=S256")
        return _Request(
            client_id,
            redirect_uri,
            query.get("state", ""),
            query.get("nonce", ""),
            query.get("scope", ""),
            query.get("code_challenge", ""),
            method,
        )

    def start(self, request: _Request) -> str | None:
        """Sign in the preset next user at once (returns the redirect), or park the request for
        the form (returns None; the form's id is `self.park(request)`)."""
        with self.lock:
            preset, self.next_user = self.next_user, None
        if preset is None:
            return None
        return self.approve(request, *preset)

    def park(self, request: _Request) -> str:
        request_id = secrets.token_urlsafe(16)
        with self.lock:
            self.pending[request_id] = request
        return request_id

    def take_pending(self, request_id: str) -> _Request:
        with self.lock:
            request = self.pending.pop(request_id, None)
        if request is None:
            raise OIDCError(400, "invalid_request", "unknown or already used sign-in request")
        return request

    def approve(self, request: _Request, email: str, name: str = "") -> str:
        """Issue a code for this user; the redirect back to the client."""
        email = email.strip()
        if "@" not in email:
            raise OIDCError(400, "invalid_request", f"not an email address: {email!r}")
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = _Grant(
                request, email, name.strip() or email.split("@")[0], time.time() + CODE_TTL_SECONDS
            )
            self.log.append({"event": "sign-in", "email": email, "client_id": request.client_id})
        params = {"code": code}
        if request.state:
            params["state"] = request.state
        return _with_query(request.redirect_uri, params)

    def deny(self, request: _Request) -> str:
        params = {"error": "access_denied", "error_description": "the user cancelled"}
        if request.state:
            params["state"] = request.state
        return _with_query(request.redirect_uri, params)

    # --- token and userinfo -------------------------------------------------------------------

    def _authenticate_client(self, form: dict, authorization: str) -> None:
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization.startswith("Basic "):
            try:
                raw = base64.b64decode(authorization[6:]).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                raise OIDCError(401, "invalid_client", "malformed Basic credentials")
            user, _, password = raw.partition(":")
            client_id, secret = unquote_plus(user), unquote_plus(password)
        if client_id != self.client_id or not hmac.compare_digest(secret, self.client_secret):
            raise OIDCError(401, "invalid_client", "client authentication failed")

    def token(self, form: dict, authorization: str = "") -> dict:
        self._authenticate_client(form, authorization)
        if form.get("grant_type") != "authorization_code":
            raise OIDCError(400, "unsupported_grant_type", "only authorization_code")
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # one-time use
        if grant is None or grant.expires < time.time():
            raise OIDCError(400, "invalid_grant", "unknown, used or expired code")
        if form.get("redirect_uri") != grant.request.redirect_uri:
            raise OIDCError(400, "invalid_grant", "redirect_uri does not match the request")
        if grant.request.code_challenge:
            verifier = form.get("code_verifier", "")
            if (
                _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
                != grant.request.code_challenge
            ):
                raise OIDCError(400, "invalid_grant", "PKCE code_verifier does not match")
        access_token = secrets.token_urlsafe(32)
        now = int(time.time())
        with self.lock:
            self.tokens[access_token] = _Grant(
                grant.request, grant.email, grant.name, now + TOKEN_TTL_SECONDS, grant.auth_time
            )
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "azp": self.client_id,
            "iat": now,
            "exp": now + TOKEN_TTL_SECONDS,
            "auth_time": grant.auth_time,
            "at_hash": _b64url(hashlib.sha256(access_token.encode("ascii")).digest()[:16]),
            **self.user_claims(grant),
        }
        if grant.request.nonce:
            claims["nonce"] = grant.request.nonce
        id_token = jwt.encode({"alg": "RS256", "kid": self.kid, "typ": "JWT"}, claims, self.key)
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_TTL_SECONDS,
            "scope": grant.request.scope,
            "id_token": id_token,
        }

    @staticmethod
    def user_claims(grant: _Grant) -> dict:
        email = grant.email
        return {
            "sub": "sub-" + hashlib.sha256(email.lower().encode("utf-8")).hexdigest()[:20],
            "email": email,
            "email_verified": True,
            "name": grant.name,
        }

    def userinfo(self, authorization: str) -> dict:
        token = authorization[7:] if authorization.startswith("Bearer ") else ""
        with self.lock:
            grant = self.tokens.get(token)
        if grant is None or grant.expires < time.time():
            raise OIDCError(401, "invalid_token", "unknown or expired access token")
        return self.user_claims(grant)

    def logout(self, query: dict) -> str | None:
        with self.lock:
            self.log.append({"event": "sign-out", "client_id": query.get("client_id", "")})
        target = query.get("post_logout_redirect_uri", "")
        if not target:
            return None
        if not _local_http_url(target):
            raise OIDCError(400, "invalid_request", "post_logout_redirect_uri must be local")
        return _with_query(target, {"state": query["state"]}) if query.get("state") else target

    # --- test hooks ---------------------------------------------------------------------------

    def set_next_user(self, email: str, name: str = "") -> None:
        if "@" not in (email or ""):
            raise OIDCError(400, "invalid_request", "email required")
        with self.lock:
            self.next_user = (email, name or "")

    def reset(self) -> None:
        with self.lock:
            self.pending.clear()
            self.codes.clear()
            self.tokens.clear()
            self.next_user = None
            self.log.clear()


_FORM = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mock OIDC sign-in</title></head>
<body style="font-family: sans-serif; max-width: 28em; margin: 3em auto">
<h1>Mock OIDC provider</h1>
<p>Client <code>{client}</code> asks who you are.</p>
<form method="post" action="/authorize">
  <input type="hidden" name="request_id" value="{request_id}">
  <p><label>Email <input type="email" name="email" required autofocus></label></p>
  <p><label>Name <input type="text" name="name"></label></p>
  <p><button type="submit" name="action" value="sign-in">Sign in</button>
     <button type="submit" name="action" value="cancel" formnovalidate>Cancel</button></p>
</form></body></html>
"""


def _single(values: dict) -> dict:
    return {k: v[0] for k, v in values.items()}


class _Handler(BaseHTTPRequestHandler):
    server_version = "OIDCMock/1.0"
    provider: OIDCProvider  # set on the subclass made per server

    def log_message(self, format, *args):  # quiet
        pass

    def _send(
        self,
        status: int,
        body: bytes = b"",
        content_type: str = "application/json",
        headers: dict | None = None,
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data) -> None:
        self._send(status, json.dumps(data).encode("utf-8"))

    def _redirect(self, location: str) -> None:
        self._send(302, headers={"Location": location})

    def _form(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        if "json" in (self.headers.get("Content-Type") or ""):
            return json.loads(raw or "{}")
        return _single(parse_qs(raw, keep_blank_values=True))

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        query = _single(parse_qs(url.query, keep_blank_values=True))
        p = self.provider
        try:
            route = (method, url.path)
            if route == ("GET", "/.well-known/openid-configuration"):
                return self._json(200, p.discovery())
            if route == ("GET", "/jwks"):
                return self._json(200, p.jwks())
            if route == ("GET", "/authorize"):
                request = p.check_authorization(query)
                location = p.start(request)
                if location:
                    return self._redirect(location)
                page = _FORM.format(
                    client=html.escape(request.client_id), request_id=html.escape(p.park(request))
                )
                return self._send(200, page.encode("utf-8"), "text/html; charset=utf-8")
            if route == ("POST", "/authorize"):
                form = self._form()
                request = p.take_pending(form.get("request_id", ""))
                if form.get("action") == "cancel":
                    return self._redirect(p.deny(request))
                return self._redirect(
                    p.approve(request, form.get("email", ""), form.get("name", ""))
                )
            if route == ("POST", "/token"):
                return self._json(
                    200, p.token(self._form(), self.headers.get("Authorization") or "")
                )
            if url.path == "/userinfo" and method in ("GET", "POST"):
                return self._json(200, p.userinfo(self.headers.get("Authorization") or ""))
            if route == ("GET", "/logout"):
                location = p.logout(query)
                if location:
                    return self._redirect(location)
                return self._send(200, b"<p>Signed out.</p>", "text/html; charset=utf-8")
            if route == ("POST", "/_mock/next-user"):
                body = self._form()
                p.set_next_user(body.get("email", ""), body.get("name", ""))
                return self._json(200, {"ok": True})
            if route == ("GET", "/_mock/log"):
                with p.lock:
                    return self._json(200, list(p.log))
            if route == ("POST", "/_mock/reset"):
                p.reset()
                return self._json(200, {"ok": True})
            raise OIDCError(404, "not_found", url.path)
        except OIDCError as e:
            headers = {"WWW-Authenticate": "Bearer"} if e.status == 401 else None
            body = json.dumps(e.body()).encode("utf-8")
            return self._send(e.status, body, headers=headers)
        except (ValueError, json.JSONDecodeError) as e:
            return self._json(400, {"error": "invalid_request", "error_description": str(e)})

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")


class OIDCMockServer:
    """The provider on a ThreadingHTTPServer at 127.0.0.1 (port 0 picks a free one).

    Usage: `with OIDCMockServer() as mock: ... mock.metadata_url ...`, or start()/stop().
    """

    def __init__(
        self,
        port: int = 0,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        host: str = "127.0.0.1",
    ):
        self.httpd = ThreadingHTTPServer((host, port), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://localhost:{self.port}"
        self.provider = OIDCProvider(self.url, client_id, client_secret)
        self.httpd.RequestHandlerClass = type("Handler", (_Handler,), {"provider": self.provider})
        self._thread: threading.Thread | None = None

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    @property
    def client_id(self) -> str:
        return self.provider.client_id

    @property
    def client_secret(self) -> str:
        return self.provider.client_secret

    def next_user(self, email: str, name: str = "") -> None:
        self.provider.set_next_user(email, name)

    @property
    def log(self) -> list[dict]:
        with self.provider.lock:
            return list(self.provider.log)

    def start(self) -> OIDCMockServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="oidc-mock", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(5)
            self._thread = None
        self.httpd.server_close()

    def __enter__(self) -> OIDCMockServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
