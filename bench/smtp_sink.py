"""A loopback SMTP server (aiosmtpd) that counts messages; prints its counts as JSON on SIGTERM."""

import argparse
import json
import re
import signal
import sys
import threading

from aiosmtpd.controller import Controller

MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.MULTILINE | re.IGNORECASE)


class Counter:
    def __init__(self):
        self.transactions = 0
        self.bytes = 0
        self.message_ids = set()

    async def handle_DATA(self, server, session, envelope):
        self.transactions += 1
        self.bytes += len(envelope.original_content or b"")
        found = MESSAGE_ID.search(envelope.original_content or b"")
        if found:
            self.message_ids.add(found[1])
        return "250 OK"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=args.port, decode_data=False)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()
    json.dump(
        {"transactions": counter.transactions, "distinct": len(counter.message_ids), "bytes": counter.bytes},
        sys.stdout,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
