#!/usr/bin/env python3
"""Sends a conversions workload through Pinterest's official Python SDK (pinterest-api-sdk).

pinads-bench runs this in the same run as pinads' delivered-throughput measurement and reports
the ratio. The workload is the one pinads-bench sends through pinadsd: `checkout` events from
the web, a SHA-256 hashed email each (as `user_data.em`), value 19.99 USD, a unique event id,
1000 events per request (Pinterest's ceiling).

What is timed, as a user of the SDK would do it: building each event with
`Conversion.create_conversion_event` (the SDK does not normalize or hash: the email is lowercased,
stripped and hashed here, as Pinterest asks), then `Conversion.send_conversion_events` per batch of
1000, until the last answer. By default one request at a time (how the SDK is typically used);
`--threads N` sends N batches at once from N threads sharing one SDK client.

The SDK reads its base URL and token from the environment at import time:
  PINTEREST_API_URI       e.g. http://127.0.0.1:PORT/v5 (the sandbox); default https://api.pinterest.com/v5
  PINTEREST_ACCESS_TOKEN  the access token
A 429 is retried after the Retry-After the answer gives (1 s if none), and counted.

Prints one JSON object on stdout: events, requests, seconds, events_per_second,
events_processed (Pinterest's num_events_processed summed), retries_429, threads, sdk_version.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ad-account-id", required=True, help="the ad account the events belong to")
    parser.add_argument("--events", type=int, default=100_000, help="events to send (default 100000)")
    parser.add_argument("--batch", type=int, default=1000, help="events per request (default 1000, Pinterest's ceiling)")
    parser.add_argument("--threads", type=int, default=1, help="requests in flight at once (default 1: sequential)")
    parser.add_argument("--prefix", default="sdk", help="event id prefix (ids are PREFIX-N)")
    args = parser.parse_args()

    for name in ("PINTEREST_API_URI", "PINTEREST_ACCESS_TOKEN"):
        if not os.environ.get(name):
            print(f"sdk_conversions.py: {name} is not set", file=sys.stderr)
            return 64

    # Imported only now: pinterest.config reads the environment when it is first imported. It
    # also walks every directory under the parent of the working directory for a config.json and
    # exports its keys as PINTEREST_* variables, over ours; so it is imported from an empty
    # directory whose parent holds nothing else.
    home = tempfile.mkdtemp(prefix="pinads-sdk-")
    os.mkdir(os.path.join(home, "cwd"))
    os.chdir(os.path.join(home, "cwd"))
    try:
        return run(args)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def run(args) -> int:
    from pinterest.ads.conversion_events import Conversion
    from pinterest.client import PinterestSDKClient
    from pinterest.version import __version__ as sdk_version
    from openapi_generated.pinterest_client.exceptions import ApiException

    client = PinterestSDKClient.create_default_client()
    now = int(time.time())

    def build(first: int, count: int):
        events = []
        for n in range(first, first + count):
            email = f"buyer{n}@example.com".strip().lower()
            events.append(
                Conversion.create_conversion_event(
                    event_name="checkout",
                    action_source="web",
                    event_time=now,
                    event_id=f"{args.prefix}-{n}",
                    user_data={"em": [hashlib.sha256(email.encode()).hexdigest()]},
                    custom_data={"currency": "USD", "value": "19.99"},
                )
            )
        return events

    retries = 0

    def send(first: int) -> int:
        nonlocal retries
        events = build(first, min(args.batch, args.events - first))
        while True:
            try:
                response = Conversion.send_conversion_events(
                    ad_account_id=args.ad_account_id, conversion_events=events, client=client
                )
                return int(response.num_events_processed)
            except ApiException as error:
                if error.status != 429:
                    raise
                retries += 1  # a lost update under threads only undercounts; the count is informational
                time.sleep(float((error.headers or {}).get("Retry-After", 1)))

    firsts = list(range(0, args.events, args.batch))
    started = time.perf_counter()
    if args.threads <= 1:
        processed = sum(send(first) for first in firsts)
    else:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.threads) as pool:
            processed = sum(pool.map(send, firsts))
    seconds = time.perf_counter() - started

    print(json.dumps({
        "events": args.events,
        "requests": len(firsts),
        "seconds": seconds,
        "events_per_second": args.events / seconds if seconds > 0 else None,
        "events_processed": processed,
        "retries_429": retries,
        "threads": max(1, args.threads),
        "sdk_version": sdk_version,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
