"""The server's access log, without anything that identifies a learner.

aiohttp's default line holds the client's IP address, user agent, referer and
the full URL (the no-JavaScript chat page carries the question in its query).
This one keeps the method, the path without its query, the status, the size
and the time taken: enough to run the service, nothing about who asked.
"""

from __future__ import annotations

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, StreamResponse


class PrivateAccessLogger(AbstractAccessLogger):
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info('"%s %s" %s %s %.1fms', request.method, request.path,
                         response.status, response.body_length, time * 1000)
