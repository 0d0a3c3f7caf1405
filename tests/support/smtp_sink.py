#!/usr/bin/python3
"""An SMTP server on loopback for the tests (Debian's python3-aiosmtpd): each message it accepts
is appended to a JSON-lines file. Fault injection: --fail-while FILE answers 451 (try later) to
every message while FILE exists. Prints "listening on PORT" once it listens."""
import argparse
import asyncio
import email
import email.policy
import json
import os

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, out, fail_while):
        self.out = out
        self.fail_while = fail_while

    async def handle_DATA(self, server, session, envelope):
        if self.fail_while and os.path.exists(self.fail_while):
            return '451 4.3.0 Mail server busy, try again later (test fault)'
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        line = {
            'from': envelope.mail_from,
            'to': envelope.rcpt_tos,
            'subject': str(message['subject']),
            'message_id': str(message['message-id']),
            'content_type': str(message['content-type']),
            'text': message.get_content().replace('\r\n', '\n'),
        }
        with open(self.out, 'a', encoding='utf-8') as f:
            f.write(json.dumps(line, ensure_ascii=False) + '\n')
        return '250 OK'


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--out', required=True)
    parser.add_argument('--fail-while')
    args = parser.parse_args()
    handler = Handler(args.out, args.fail_while)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), '127.0.0.1', 0)
    print(f'listening on {server.sockets[0].getsockname()[1]}', flush=True)
    await server.serve_forever()


asyncio.run(main())
