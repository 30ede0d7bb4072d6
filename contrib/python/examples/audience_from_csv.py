#!/usr/bin/env python3
"""Adds the email addresses of a CSV file to an audience of pinadsd (made when missing).

    python3 audience_from_csv.py members.csv --audience "Newsletter subscribers" [--column email]

Each address is normalised and hashed by the daemon (only hashes are stored); values it cannot
take are reported with their line in the file, and the others are added all the same. Running it
again is harmless: members already there count as unchanged. Large files go in chunks.
"""

import argparse
import csv
import sys
from typing import Iterator, List, Tuple

import pinads_client

CHUNK = 100_000  # the most audiences.add_members takes at once


def read_members(path: str, column: str) -> Iterator[Tuple[int, str]]:
    """(line number, value) for each row of the CSV that has the column."""
    with open(path, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise SystemExit(f"{path}: no column {column!r} (columns: {', '.join(reader.fieldnames or [])})")
        for row in reader:
            yield reader.line_num, row[column] or ""


def find_or_create(client: pinads_client.Client, name: str) -> int:
    for audience in client.list_audiences()["audiences"]:
        if audience["name"] == name:
            return audience["id"]
    # audiences.create has no typed method (it is not a data-plane call); call() takes any method.
    try:
        created: int = client.call("audiences.create", {"name": name, "list_type": "EMAIL"})["audience"]["id"]
        return created
    except pinads_client.AlreadyExists:  # made by someone else meanwhile
        return find_or_create(client, name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv")
    parser.add_argument("--audience", required=True, help="the audience's name")
    parser.add_argument("--column", default="email")
    parser.add_argument("--socket", help="pinadsd's socket (default: $PINADS_SOCKET, else the daemon's default)")
    parser.add_argument("--chunk", type=int, default=CHUNK)
    args = parser.parse_args()

    rows = list(read_members(args.csv, args.column))
    added = unchanged = 0
    problems: List[str] = []
    with pinads_client.Client(args.socket, timeout=60) as client:
        audience_id = find_or_create(client, args.audience)
        for start in range(0, len(rows), args.chunk):
            chunk = rows[start:start + args.chunk]
            result = client.add_audience_members(audience_id, [value for _, value in chunk])
            added += result["added"]
            unchanged += result["unchanged"]
            for rejected in result["rejected"]:
                line, value = chunk[rejected["index"]]
                problems.append(f"line {line}: {rejected['reason']}")
        audience = client.get_audience(audience_id)["audience"]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"audience {audience_id} ({audience['name']}): {added} added, {unchanged} unchanged, "
          f"{len(problems)} rejected; {audience['member_count']} members now")
    return 0


if __name__ == "__main__":
    sys.exit(main())
