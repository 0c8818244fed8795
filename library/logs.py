"""
A logging filter that keeps what would say who a visitor is, or what they looked for, out of
the logs: IP addresses, and query strings (the words searched for, the items of a list).

Every handler in settings.LOGGING and in gunicorn.conf.py uses it. It rewrites the message
of a record; a traceback is left as it is (it names code, not visitors).
"""

import ipaddress
import logging
import re

# A query string: "?" and what follows it up to a space or a quote.
QUERY = re.compile(r"\?[^\s\"'<>]+")
# Something that may be an IP address (v4 or v6, perhaps in brackets or with a port): checked
# by the ipaddress module before it is replaced, so times and version numbers stay.
ADDRESS = re.compile(r"[\[]?[0-9A-Fa-f]*[:.][0-9A-Fa-f:.]*[0-9A-Fa-f][\]]?(?::\d+)?")


def hide_address(match):
    text = match.group(0)
    for candidate in (text, text.strip("[]"), text.rsplit(":", 1)[0].strip("[]")):
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        # The server's own addresses (where it listens, a proxy on the same machine) are no
        # visitor's: they stay, so that a startup line still says where the site is served.
        return text if address.is_loopback or address.is_unspecified else "[address]"
    return text


def scrub(message):
    return ADDRESS.sub(hide_address, QUERY.sub("?[…]", message))


class NoVisitorData(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True
