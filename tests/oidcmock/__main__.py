"""Run the mock OIDC provider standalone: python -m tests.oidcmock --port 9999

Then point [auth] in a secrets.toml at it:
    server_metadata_url = "http://localhost:9999/.well-known/openid-configuration"
    client_id = "theo-doi-test-client"      client_secret = "theo-doi-test-secret"
"""

import argparse

from .server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, OIDCMockServer


def main() -> None:
    parser = argparse.ArgumentParser(description="Mock OpenID Connect provider (127.0.0.1 only).")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    args = parser.parse_args()
    server = OIDCMockServer(args.port, args.client_id, args.client_secret)
    print(
        f"Mock OIDC provider on {server.url} (discovery: {server.metadata_url}, "
        f"client_id={server.client_id}, client_secret={server.client_secret})",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()


if __name__ == "__main__":
    main()
