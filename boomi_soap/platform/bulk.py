"""Bulk GET: the answer's types, and the loop that stands in for it over SOAP.

Boomi's bulk GET (``POST /{Object}/bulk``, up to 100 ids) exists only in REST; the WSDL
has no bulk operation.  Over SOAP :func:`bulk_get` gets the ids one at a time, each a
real ``get`` through the client's rate limiter (so 100 ids take 20 s at Boomi's 5
calls/s), and says so once at INFO.  Either way the answer is a :class:`BulkResults` in
request order, with the per-id errors Boomi's bulk answer gives (an unknown id is a 400
item, not an exception).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from boomi_soap.exceptions import NotFoundError
from boomi_soap.wire.bulk import BulkItem, BulkResults
from boomi_soap.wire.restmap import check_bulk

if TYPE_CHECKING:
    from boomi_soap.platform.caller import Caller

__all__ = ["BulkItem", "BulkResults", "bulk_get"]

_log = logging.getLogger("boomi_soap.bulk")


def bulk_get(client: Caller, object_type: str, ids: Iterable[str]) -> BulkResults:
    """Get up to 100 objects one ``get`` at a time (the SOAP form of a bulk GET).

    An id the service does not know is a 400 item, as in Boomi's bulk answer; any other
    error (authentication, outage, a limit) ends the loop and is raised.

    Raises:
        InvalidRequestError: With no id, more than 100, or an id that is not a non-empty string.
    """
    wanted = check_bulk("bulk", ids)
    _log.info(
        "bulk %s over SOAP: the WSDL has no bulk operation, so %d GETs, one per id, under the rate limit",
        object_type,
        len(wanted),
    )
    items: list[BulkItem] = []
    for index, key in enumerate(wanted):
        try:
            items.append(BulkItem(key, index, 200, client.get(object_type, key)))
        except NotFoundError as exc:
            items.append(BulkItem(key, index, 400, error=exc.faultstring))
    return BulkResults(tuple(items))
