"""Run the fake standalone: python -m tests.fakesheets --port 8765 [--host 127.0.0.1]"""

import argparse

from .server import FakeSheetsServer


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Google Sheets API v4 server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args()
    server = FakeSheetsServer(args.host, args.port)
    print(f"Fake Google Sheets API listening on {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
