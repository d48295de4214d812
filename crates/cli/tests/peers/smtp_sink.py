"""A real SMTP server for Tandem's mail tests: aiosmtpd, keeping each
message it accepts as a JSON file (envelope, headers as sent, the plain
and HTML parts as Python's email package reads them).

    python3 smtp_sink.py PORT DIR

Prints "ready" once it listens; stops when its standard input closes.
While a file named "fail" exists in DIR it answers 451 (try again later).
"""

import email
import json
import os
import sys
from email import policy

from aiosmtpd.controller import Controller


class Keep:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.out, "fail")):
            return "451 4.3.0 try again later"
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        parts = {}
        for part in msg.walk():
            kind = part.get_content_type()
            if kind in ("text/plain", "text/html") and kind not in parts:
                parts[kind] = part.get_content()
        head = envelope.content.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        self.count += 1
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "head": head,
            "subject": str(msg.get("Subject", "")),
            "text": parts.get("text/plain"),
            "html": parts.get("text/html"),
        }
        name = os.path.join(self.out, "%04d.json" % self.count)
        with open(name + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name)
        return "250 OK"


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    controller = Controller(Keep(out), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
