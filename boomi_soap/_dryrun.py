"""What a call would send, without sending it: the envelope, the signed envelope, the REST request (a mixin).

:class:`~boomi_soap.Client` (and so the async client, which forwards to it) shows a dry
run through the same call core that encodes a real call, so what is shown is what would go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lxml import etree

    from boomi_soap.wire.call import CallCore
    from boomi_soap.wire.zeepobjects import ZeepObjects

__all__ = ["DryRun"]


class DryRun:
    """The dry-run methods of :class:`~boomi_soap.Client`."""

    core: CallCore
    zeep_objects: ZeepObjects

    def envelope(self, operation: str, *, sign: bool = False, **kwargs: Any) -> etree._Element:
        """The request envelope ``operation`` would send with these arguments, validated; nothing is sent.

        Without ``sign`` the WS-Security header is left out, so the envelope holds no secret.

        Raises:
            InvalidRequestError: If ``operation`` is not in the account's WSDL or the arguments do not fit it.
            RequestValidationError: If the request breaks the schema.
        """
        payload = self.zeep_objects.payload(operation, kwargs)
        if sign:
            return self.core.signed_envelope(payload, own=True)
        return self.core.validated(payload, own=True)[1]

    def signed_envelope(self, payload: etree._Element) -> etree._Element:
        """The envelope :meth:`call_xml` would send for ``payload``: validated and signed; nothing is sent.

        It holds the WS-Security password: mask it (:func:`boomi_soap._xml.redact.redact`) before showing it.

        Raises:
            InvalidRequestError: If ``payload`` is not a request wrapper of this account's WSDL.
            RequestValidationError: If the request breaks the schema.
        """
        return self.core.signed_envelope(payload)

    def describe(self, payload: etree._Element) -> str:
        """What :meth:`call_xml` would send for ``payload`` (the envelope, or REST's request), secrets masked."""
        return self.core.describe(payload)

    def with_override(self, payload: etree._Element) -> etree._Element:
        """``payload`` as this client sends it: unchanged (a sub-account view adds its override)."""
        return self.core.with_override(payload)
