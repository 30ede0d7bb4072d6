#!/usr/bin/env python3
"""Sends many conversion events to pinadsd with asyncio: batches in flight together on one
connection, each answered on its own.

    python3 async_batch_sender.py events.jsonl [--batch-size 1000] [--concurrency 8] [--test]
    python3 async_batch_sender.py --demo 5000 --test      # made-up page visits

events.jsonl holds one event (a JSON object) per line, in pinads' flat shape or Pinterest's.
The events are sent exactly as written; those the daemon rejects are printed with their line.
"""

import argparse
import asyncio
import json
import sys
import time
import uuid
from typing import Any, Dict, List, Tuple

import pinads_client


def load(path: str) -> List[Tuple[int, Dict[str, Any]]]:
    events = []
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            if line.strip():
                events.append((number, json.loads(line)))
    return events


def demo(count: int) -> List[Tuple[int, Dict[str, Any]]]:
    run = uuid.uuid4().hex[:8]
    now = int(time.time())
    return [(i + 1, {"event_name": "page_visit", "event_id": f"demo-{run}-{i}", "event_time": now,
                     "email": f"visitor{i}@example.com", "event_source_url": f"https://shop.example.com/p/{i % 50}"})
            for i in range(count)]


async def send_all(client: pinads_client.AsyncClient, events: List[Tuple[int, Dict[str, Any]]], batch_size: int,
                   concurrency: int, test: bool) -> Dict[str, int]:
    totals = {"accepted": 0, "duplicates": 0, "rejected": 0, "failed_batches": 0}
    slots = asyncio.Semaphore(concurrency)

    async def send(batch: List[Tuple[int, Dict[str, Any]]]) -> None:
        async with slots:
            try:
                result = await client.send_conversions([event for _, event in batch], test=test)
            except pinads_client.Unavailable as error:  # shutting down, or no daemon: try later
                totals["failed_batches"] += 1
                print(f"lines {batch[0][0]}-{batch[-1][0]}: not sent ({error.message})", file=sys.stderr)
                return
        totals["accepted"] += result["accepted"]
        totals["duplicates"] += result["duplicates"]
        for rejected in result["rejected"]:
            totals["rejected"] += 1
            print(f"line {batch[rejected['index']][0]}: {rejected['reason']}", file=sys.stderr)

    batches = [events[i:i + batch_size] for i in range(0, len(events), batch_size)]
    await asyncio.gather(*(send(batch) for batch in batches))
    return totals


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", help="events, one JSON object per line")
    parser.add_argument("--demo", type=int, metavar="N", help="send N made-up page visits instead of a file")
    parser.add_argument("--batch-size", type=int, default=1000, help="events per request (1-10000)")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight at once")
    parser.add_argument("--test", action="store_true", help="Pinterest validates but does not record them")
    parser.add_argument("--socket", help="pinadsd's socket (default: $PINADS_SOCKET, else the daemon's default)")
    args = parser.parse_args()
    if (args.file is None) == (args.demo is None):
        parser.error("give a FILE or --demo N")
    events = demo(args.demo) if args.demo is not None else load(args.file)

    started = time.monotonic()
    async with pinads_client.AsyncClient(args.socket, timeout=60) as client:
        totals = await send_all(client, events, args.batch_size, args.concurrency, args.test)
        stats = await client.conversion_stats()
    took = time.monotonic() - started
    print(f"{len(events)} events in {took:.2f} s: {totals['accepted']} accepted, {totals['duplicates']} duplicates, "
          f"{totals['rejected']} rejected, {totals['failed_batches']} batches not sent; "
          f"outbox: {stats['queued']} queued, {stats['sent']} sent")
    return 0 if totals["failed_batches"] == 0 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
