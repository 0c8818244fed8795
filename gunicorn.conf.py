"""
gunicorn's settings for `make serve`, and for any server that runs the library.

The access log says when, which page, how it went and how long it took, and nothing about who
asked: no address (%(h)s), no query string (%(r)s and %(q)s carry the words searched for and a
list's items), no referrer (%(f)s, often a search page) and no browser (%(a)s). Its error log
writes through the same filter as the app's (library/logs.py): gunicorn names a client's
address on a malformed request, and the full URL on a failed one. Workers, the address and the
port come from the command line (Makefile).
"""

from gunicorn.glogging import Logger

from library.logs import NoVisitorData

accesslog = "-"
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


class PrivateLogger(Logger):
    """gunicorn's logger, every handler filtered like the app's."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(NoVisitorData())


logger_class = PrivateLogger
