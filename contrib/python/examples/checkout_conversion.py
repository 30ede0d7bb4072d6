#!/usr/bin/env python3
"""A shop sends Pinterest a checkout conversion through pinadsd, right after an order is paid.

    python3 checkout_conversion.py --order-id 10482 --email jane@example.com --value 49.99 [--test]

The event goes in pinads' flat shape (methods.md, *The event object*): the daemon hashes the
email and phone, stores the event in its outbox and answers at once; it reaches Pinterest in
the background. Sending the same order again is harmless: it counts as a duplicate.
"""

import argparse
import sys
import time
from decimal import Decimal
from typing import Any, Dict, List

import pinads_client


def checkout_event(order_id: str, email: str, value: Decimal, currency: str, skus: List[str],
                   client_ip: str = "", user_agent: str = "", click_id: str = "") -> Dict[str, Any]:
    event: Dict[str, Any] = {
        "event_name": "checkout",
        "event_id": f"order-{order_id}",   # the same order, the same id: deduplicated
        "event_time": int(time.time()),    # Unix seconds
        "action_source": "web",
        "event_source_url": "https://shop.example.com/checkout/thanks",
        "email": email,                    # plain: the daemon normalises and hashes it
        "value": value,                    # a Decimal goes as a decimal string, every digit kept
        "currency": currency,
        "order_id": order_id,
        "content_ids": skus,
        "num_items": len(skus),
    }
    # Optional fields: only those the shop has (an unknown field would reject the event).
    if client_ip and user_agent:
        event["client_ip_address"] = client_ip
        event["client_user_agent"] = user_agent
    if click_id:
        event["click_id"] = click_id      # the _epik cookie
    return event


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", help="pinadsd's socket (default: $PINADS_SOCKET, else the daemon's default)")
    parser.add_argument("--order-id", required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--value", type=Decimal, required=True, help="the order total in currency units, e.g. 49.99")
    parser.add_argument("--currency", default="USD")
    parser.add_argument("--sku", action="append", default=[], help="a product id (repeat for more)")
    parser.add_argument("--ad-account", help="the ad account (default: the daemon's default one)")
    parser.add_argument("--test", action="store_true", help="Pinterest validates the event but does not record it")
    args = parser.parse_args()

    event = checkout_event(args.order_id, args.email, args.value, args.currency, args.sku or ["sku-1"])
    try:
        with pinads_client.Client(args.socket, timeout=10) as client:
            result = client.send_conversions([event], ad_account_id=args.ad_account, test=args.test)
            for rejected in result["rejected"]:
                print(f"rejected: {rejected['reason']}", file=sys.stderr)
                return 1
            if result["duplicates"]:
                print(f"order {args.order_id}: already sent (a duplicate, not sent again)")
            else:
                print(f"order {args.order_id}: accepted")
            info = client.get_conversion(event["event_id"], event_name="checkout", ad_account_id=args.ad_account,
                                         test=args.test)
            print(f"state: {info['state']}, attempts: {info['attempts']}")
            return 0
    except pinads_client.FailedPrecondition as error:   # e.g. no Pinterest connection yet
        print(f"pinads cannot send yet: {error.message}", file=sys.stderr)
    except pinads_client.NotFound as error:             # an ad account no connection reaches
        print(f"{error.message}", file=sys.stderr)
    except pinads_client.PinadsConnectionError as error:  # no daemon: a shop would queue and retry later
        print(f"pinadsd is not reachable: {error.message}", file=sys.stderr)
    except pinads_client.PinadsError as error:
        print(f"{error.code}: {error.message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
