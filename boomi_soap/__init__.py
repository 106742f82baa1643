"""boomi-soap: a SOAP-first Python client for the Boomi AtomSphere platform API.

The package ships a local AtomSphere service (:mod:`boomi_soap.localservice`) that
speaks the platform API's SOAP wire format on loopback.
"""

from boomi_soap.exceptions import BoomiSoapError, ServiceConfigError, ServiceError, XMLInputError

__version__ = "0.1.0"

__all__ = [
    "BoomiSoapError",
    "ServiceConfigError",
    "ServiceError",
    "XMLInputError",
    "__version__",
]
