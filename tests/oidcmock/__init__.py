"""A small local OpenID Connect provider, so tests can run a real st.login round trip offline.

    from tests.oidcmock import OIDCMockServer
    with OIDCMockServer() as mock:          # 127.0.0.1, a free port
        mock.metadata_url                   # -> [auth] server_metadata_url
        mock.client_id, mock.client_secret  # -> [auth] client_id, client_secret
        mock.next_user("a@b.vn")            # optional: skip the sign-in form once

See server.py for the endpoints.
"""

from .server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, OIDCMockServer, OIDCProvider

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "OIDCMockServer", "OIDCProvider"]
