"""The zeep adapter: zeep objects to request wrappers and answers to zeep objects, over the one call path.

zeep does not send anything for :class:`~boomi_soap.client.Client`: :meth:`ZeepObjects.payload`
serializes an operation's arguments (zeep objects, dicts, strings) into its request
wrapper, which goes through :class:`~boomi_soap.wire.call.CallCore` like every other
call, and :meth:`ZeepObjects.read` reads the response wrapper back as zeep's objects.
zeep is imported and its model of the WSDL built on first need, from the signed form an
earlier process kept (:mod:`boomi_soap.wire.zeepform`) when there is one.  Until then a
request of plain values (a dry run's ``Client.envelope``) is serialized by a model of the
wrappers' declarations alone (:mod:`boomi_soap.snapshot.subset`), the same envelope at a
cost that does not grow with the schema's object types.

The one zeep client also serves :attr:`~boomi_soap.client.Client.zeep_client`, the escape
hatch: calls made through it pass the validation plugin here and the client's transport.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

from lxml import etree

from boomi_soap._xml.safe import bound_zeep_binding
from boomi_soap.exceptions import (
    BoomiSoapError,
    RequestRefusedError,
    RequestValidationError,
    ResponseError,
)
from boomi_soap.wire.records import CallRecord
from boomi_soap.wire.soap import NS_DATA, NS_ENVELOPE, NS_XS, NS_XSI, translate, wrap

if TYPE_CHECKING:
    import zeep

    from boomi_soap.credentials import Credentials
    from boomi_soap.query import Expression
    from boomi_soap.snapshot.cache import Snapshot
    from boomi_soap.snapshot.schema import SchemaBundle, SnapshotFiles
    from boomi_soap.wire.call import CallCore

__all__ = ["ZeepObjects", "forget_models", "keep_empty_strings"]

_log = logging.getLogger("boomi_soap.zeepobjects")
# What zeep renders from the schema alone: no zeep object, element or type of its model.
_PLAIN: Final = (str, bytes, int, float, decimal.Decimal, datetime.date, datetime.time, type(None))
_PLAIN_DEPTH: Final = 32
# The values fields_payload writes itself (exact types: a subclass may render otherwise in zeep).
_SCALARS: Final = frozenset({str, int, float, bool, decimal.Decimal, datetime.date, datetime.datetime, datetime.time})
_XSI_TYPE: Final = f"{{{NS_XSI}}}type"
# A plan of fields_payload: wrapper tag, its declarations, the object's tag, its xsi:type, and its
# attributes in the schema's order (name -> the attribute's tag and zeep's simple type).
_Plan = tuple[str, dict[str, str], str, str | None, dict[str, tuple[str, Any]]]


class ZeepObjects:
    """One account's zeep model, built on first need and shared by every view of the client.

    Attributes:
        address: The endpoint zeep's service proxy (the escape hatch) calls.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        schema: SchemaBundle,
        core: CallCore,
        credentials: Credentials,
        transport: Any,
        *,
        strict: bool,
    ) -> None:
        """Prepare (nothing is built): ``transport`` carries the escape hatch's calls."""
        self._snapshot = snapshot
        self._schema = schema
        self._core = core
        self._credentials = credentials
        self._transport = transport
        self._strict = strict
        self.address = core.address
        self._lock = threading.Lock()
        self._parts: tuple[zeep.Client, Any] | None = None
        #: zeep's document loader, once zeep is built: the snapshot's files and nothing else.
        self.loader: SnapshotFiles | None = None
        self._operators: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        # (operation, type name) -> how fields_payload builds that object, or False: zeep builds it.
        # Read from this client's zeep model, which never changes once built: nothing here goes stale.
        self._plans: dict[tuple[str, str], _Plan | Literal[False]] = {}

    @property
    def built(self) -> bool:
        """Whether zeep's model has been built."""
        return self._parts is not None

    def _build(self) -> tuple[zeep.Client, Any]:
        parts = self._parts
        if parts is not None:
            return parts
        self._schema.checked()  # zeep reads the same schema files: only once no reference leaves the snapshot
        with self._lock:
            if self._parts is None:
                import zeep
                from zeep.wsse.username import UsernameToken

                document, self.loader = _model(self._snapshot, self._schema, self._strict)
                wsse = UsernameToken(self._credentials.username, self._credentials.secret, use_digest=False)  # type: ignore[no-untyped-call]
                client = zeep.Client(  # type: ignore[no-untyped-call]
                    document, transport=self._transport, wsse=wsse, plugins=[_ValidationPlugin(self._core)],
                    settings=document.settings,
                )  # fmt: skip
                service = client.create_service(next(iter(document.bindings)), self.address)  # type: ignore[no-untyped-call]
                self._parts = (client, service)
            return self._parts

    @property
    def client(self) -> zeep.Client:
        """The :class:`zeep.Client` (built on first use)."""
        return self._build()[0]

    @property
    def binding(self) -> Any:
        """The SOAP binding zeep read from the WSDL."""
        return self._build()[1]._binding

    def operations(self) -> tuple[str, ...]:
        """The operations zeep read from the WSDL."""
        return tuple(sorted(self.binding._operations))

    # -- arguments to a request wrapper ------------------------------------------------------
    def envelope(self, operation: str, arguments: Mapping[str, Any], *, call: bool = False) -> etree._Element:
        """The unsigned envelope zeep serializes for ``operation`` with ``arguments``; nothing is sent.

        Raises:
            InvalidRequestError: If the operation is unknown or the arguments do not fit it.
            RequestValidationError: With ``call``, if zeep refuses a value against the schema (as a call reports it).
        """
        import zeep.exceptions

        binding = self._request_binding(arguments)
        if operation not in binding._operations:
            raise RequestRefusedError(operation, "not an operation of this account's WSDL")
        reader = binding.get(operation)
        try:
            envelope: etree._Element = reader.create(**arguments).content
        except zeep.exceptions.ValidationError as exc:
            if call:
                raise translate(operation, exc, CallRecord(operation)) from None
            raise RequestRefusedError(operation, f"bad arguments: {exc.message or exc}") from None
        except (TypeError, ValueError, LookupError) as exc:
            if isinstance(exc, BoomiSoapError):
                raise
            raise RequestRefusedError(operation, f"bad arguments: {exc}") from None
        return envelope

    def _request_binding(self, arguments: Mapping[str, Any]) -> Any:
        """The binding that serializes ``arguments``: zeep's whole model, or before it is built the wrappers' model.

        Plain values (strings, numbers, dates, and dictionaries and lists of them) render
        from the declarations the wrappers name alone, so the model of those
        (:func:`_wrappers_model`) builds the same envelope at a cost that does not grow
        with the schema; a zeep object, an element or anything else takes the whole model.
        """
        if self._parts is None and _plain(arguments, 0):
            self._schema.checked()  # zeep reads the same schema files: only once no reference leaves the snapshot
            document = _wrappers_model(self._snapshot, self._schema)
            if document is not None:
                return next(iter(document.bindings.values()))
        return self.binding

    def payload(self, operation: str, arguments: Mapping[str, Any]) -> etree._Element:
        """The request wrapper of ``operation`` with ``arguments`` (built for one call; no envelope around it).

        zeep renders the wrapper element alone, into a parent that declares what zeep's
        envelope declares, so its prefixes and declarations (and the bytes sent) are those
        of :meth:`envelope`'s Body child; a message this does not cover takes that path.

        Raises:
            InvalidRequestError: If the operation is unknown or the arguments do not fit it.
            RequestValidationError: If zeep refuses a value against the schema.
        """
        binding = self._request_binding(arguments)
        found = binding._operations.get(operation)
        message = getattr(found, "input", None)
        if message is None or "_soapheaders" in arguments or not _plain_body(message):
            return self._enveloped_payload(operation, arguments)
        import zeep.exceptions

        nsmap = {"soap-env": message.nsmap["soap-env"], **message.wsdl.types._prefix_map_custom}
        parent = etree.Element(f"{{{message.nsmap['soap-env']}}}Body", nsmap=nsmap)
        try:
            message.body.render(parent, _objects_only(message, arguments) or message.body(**arguments))
        except zeep.exceptions.ValidationError as exc:
            raise translate(operation, exc, CallRecord(operation)) from None
        except (TypeError, ValueError, LookupError) as exc:
            if isinstance(exc, BoomiSoapError):
                raise
            raise RequestRefusedError(operation, f"bad arguments: {exc}") from None
        assert len(parent)
        payload = parent[0]
        parent.remove(payload)  # lxml moves the declarations the wrapper uses onto it, as from zeep's Body
        return payload

    def _enveloped_payload(self, operation: str, arguments: Mapping[str, Any]) -> etree._Element:
        """:meth:`payload` through zeep's whole envelope (SOAP headers, a wrapped or missing body)."""
        body = self.envelope(operation, arguments, call=True).find(f"{{{NS_ENVELOPE}}}Body")
        assert body is not None
        assert len(body)
        payload = body[0]
        body.remove(payload)
        return payload

    # -- an answer to zeep objects -------------------------------------------------------------
    def read(self, operation: str, answer: etree._Element) -> Any:
        """A checked response wrapper (SOAP or REST) as zeep's objects.

        zeep's body element reads the wrapper itself, as ``process_reply`` reads it out of
        an envelope, and the result is unwrapped as zeep unwraps it; no envelope is built
        or read around it.  An answer whose SOAP envelope carries a header (or anything
        before the wrapper), or a message this does not cover, takes zeep's whole reading.

        Raises:
            ResponseError: If zeep cannot read it.
        """
        operation_obj = self.binding.get(operation)
        keep_empty_strings(answer)
        root = answer.getroottree().getroot()
        message = getattr(operation_obj, "output", None)
        import zeep.exceptions

        try:
            if message is not None and _plain_body(message) and (root is answer or _bare_envelope(root, answer)):
                return self._read_body(message, answer)
            if root is answer:  # a REST answer: the wrapper alone, which zeep's reader takes in an envelope
                root = wrap(answer)
            return operation_obj.process_reply(root)
        except (zeep.exceptions.Error, TypeError, ValueError, LookupError) as exc:
            raise ResponseError(operation, f"the answer could not be read ({type(exc).__name__})") from None

    def _read_body(self, message: Any, answer: etree._Element) -> Any:
        """What zeep's ``deserialize`` returns for an envelope whose Body holds ``answer`` and whose Header is empty."""
        from zeep.xsd import CompoundValue
        from zeep.xsd.context import XmlParserContext

        settings = message.wsdl.settings
        context = XmlParserContext(settings=settings)  # type: ignore[no-untyped-call]
        if self._strict:
            result = message.body.parse(answer, message.wsdl.types, context=context)
        else:  # as _lenient_bodies reads: only the Body, after the core's check put it in order
            with settings(strict=False):
                result = message.body.parse(answer, message.wsdl.types, context=context)
        if result is not None and not isinstance(result, CompoundValue):
            result = message.envelope(body=result).body  # what zeep's envelope object makes of it
        # zeep's unwrapping of the envelope's body (zeep.wsdl.messages.soap.SoapMessage.deserialize)
        if not hasattr(result, "__len__"):
            return result
        if len(result) == 0:
            return None
        if len(result) > 1:
            return result
        result = next(iter(result.__values__.values()))
        if isinstance(result, CompoundValue):
            children = result._xsd_type.elements
            if len(children) == 1 and len(result._xsd_type.attributes) == 0:
                return getattr(result, children[0][0])
        return result

    def type(self, name: str) -> Any:
        """The zeep type of a data-schema type.

        Raises:
            InvalidRequestError: If the schema has no such type.
        """
        import zeep.exceptions

        try:
            return self.client.get_type(f"{{{NS_DATA}}}{name}")  # type: ignore[no-untyped-call]
        except (zeep.exceptions.LookupError, ValueError):
            raise RequestRefusedError("type", f"{name} is not a type of this account's schema") from None

    def object_of(self, obj: Any, object_type: str | None, fields: dict[str, Any], operation: str = "create") -> Any:
        """The object of ``create(obj)`` or ``create("Type", **fields)`` (and of ``update``).

        Raises:
            TypeError: For a type name given with an object.
            InvalidRequestError: For neither, an unknown type or an unknown field.
        """
        if isinstance(obj, str):
            if object_type is not None:  # update("Environment", env): the object would be dropped, unsent
                raise TypeError(
                    f"{operation}() takes an object, or a type name and its fields as keywords; got the type name"
                    f" {obj!r} and a {type(object_type).__name__} (pass the object alone: {operation}(obj))"
                )
            obj, object_type = None, obj
        if obj is not None:
            return obj
        if object_type is None:
            raise RequestRefusedError("create", "give an object or its type name")
        return self.new_object(object_type, fields)

    def new_object(self, object_type: str, fields: Mapping[str, Any]) -> Any:
        """An object of a data-schema type from its fields, nothing sent.

        Raises:
            InvalidRequestError: If the type is unknown or a field does not exist, naming the allowed ones.
        """
        xsd_type = self.type(object_type)
        allowed = [name for name, _ in (*xsd_type.elements, *xsd_type.attributes) if not name.startswith("_")]
        unknown = sorted(set(fields) - set(allowed))
        if unknown:  # zeep's own TypeError would print the type's whole signature
            raise RequestRefusedError(
                "create",
                f"{object_type} has no field {', '.join(map(repr, unknown))}; its fields are {', '.join(allowed)}",
            )
        return xsd_type(**fields)

    def object_request(
        self, operation: str, obj: Any, object_type: str | None, fields: Mapping[str, Any]
    ) -> tuple[etree._Element | None, dict[str, Any]]:
        """What ``create``/``update`` send, for the sync and the async client alike.

        The wrapper built with lxml when :meth:`fields_payload` can (no arguments left),
        else no wrapper and the ``object`` argument zeep serializes.

        Raises:
            TypeError: As :meth:`object_of`.
            InvalidRequestError: As :meth:`fields_payload` and :meth:`object_of`.
        """
        payload = self.fields_payload(operation, obj, object_type, fields)
        if payload is not None:
            return payload, {}
        return None, {"object": self.object_of(obj, object_type, dict(fields), operation)}

    def fields_payload(
        self, operation: str, obj: Any, object_type: str | None, fields: Mapping[str, Any]
    ) -> etree._Element | None:
        """The wrapper of ``create("Type", **fields)`` (or ``update``) built with lxml; ``None``: build it with zeep.

        Only for fields that are all attributes of the type given plain values, and a type
        whose other content zeep renders as nothing when it is not given: then the object
        is the element zeep renders (its attributes in the schema's order, each value
        written by zeep's own simple type), without a zeep object being made.  Anything
        else (an element field, an unknown one, a zeep object) returns ``None``, and
        :meth:`object_of` builds it (and refuses what it refuses) as before.

        Raises:
            InvalidRequestError: If the type is unknown, or a value cannot be written (as zeep's path says it).
        """
        if isinstance(obj, str) and object_type is None:
            name = obj
        elif obj is None and isinstance(object_type, str):
            name = object_type
        else:
            return None
        if not all(type(value) in _SCALARS or value is None for value in fields.values()):
            return None
        plan = self._plans.get((operation, name))
        if plan is None:
            plan = self._plans[(operation, name)] = self._plan(operation, name)
        if plan is False:
            return None
        request, nsmap, tag, xsi_type, attributes = plan
        if not all(key in attributes for key in fields):
            return None
        payload = etree.Element(request, nsmap=nsmap)
        node = etree.SubElement(payload, tag)
        try:
            for key, (attribute, simple) in attributes.items():
                value = fields.get(key)
                if value is not None:  # zeep leaves out an optional attribute given None
                    node.set(attribute, simple.xmlvalue(value))
        except (TypeError, ValueError, LookupError) as exc:
            if isinstance(exc, BoomiSoapError):
                raise
            raise RequestRefusedError(operation, f"bad arguments: {exc}") from None
        if xsi_type is not None:
            node.set(_XSI_TYPE, xsi_type)
        return payload

    def _plan(self, operation: str, name: str) -> _Plan | Literal[False]:
        """How :meth:`fields_payload` builds ``name``'s object for ``operation``, read from zeep's model once."""
        from zeep.xsd import ComplexType
        from zeep.xsd.types.simple import AnySimpleType

        xsd_type = self.type(name)  # an unknown type: the error new_object gives
        shape = self._core.contract.operations.get(operation)
        child = shape.input("object") if shape is not None else None
        data = self._core.contract.data_namespace
        qname = getattr(xsd_type, "qname", None)
        if child is None or not isinstance(xsd_type, ComplexType) or qname is None or qname.namespace != data:
            return False
        if not xsd_type.elements_nested and not xsd_type.attributes:
            return False  # zeep renders such an object bare, without its xsi:type
        attributes: dict[str, tuple[str, Any]] = {}
        for key, attribute in xsd_type.attributes:
            if attribute.required or not isinstance(attribute.type, AnySimpleType) or key.startswith("_"):
                return False
            attributes[key] = (str(attribute.qname), attribute.type)
        try:  # what zeep renders of the type's other content when no element is given: it must be nothing
            empty = etree.Element("empty")
            xsd_type.render(empty, xsd_type())
        except Exception:  # zeep refuses it or fills it in: its own path decides
            return False
        if len(empty) or empty.attrib or empty.text:
            return False
        message = getattr(self.binding._operations.get(operation), "input", None)
        slot = dict(message.body.type.elements).get(child.name) if message is not None and message.body else None
        if slot is None or slot.accepts_multiple:
            return False
        nsmap = {"api": data, "xsi": NS_XSI}
        wrapper_ns = etree.QName(shape.request).namespace if shape is not None else None
        if wrapper_ns and wrapper_ns != data:
            nsmap["soap"] = wrapper_ns
        assert shape is not None
        # zeep names the type only when it is not the declared one (xsd.Element._render_value_item)
        xsi_type = None if xsd_type == slot.type else f"api:{qname.localname}"
        return shape.request, nsmap, child.tag, xsi_type, attributes

    def from_xml(self, element: etree._Element, *, data_namespace: str) -> Any:
        """An object element (``<object xsi:type="api:Process">``) read as a call's result would be.

        Raises:
            InvalidRequestError: If the element has no ``xsi:type`` of this schema, or does not fit it.
        """
        type_name = element.get(f"{{{NS_XSI}}}type", "")
        prefix, _, local = type_name.rpartition(":")
        if not local or element.nsmap.get(prefix or None) != data_namespace:
            raise RequestRefusedError("object", f"{etree.QName(element).localname} has no xsi:type of the data schema")
        copied = copy.deepcopy(element)
        keep_empty_strings(copied)
        import zeep.exceptions

        try:
            with self.client.settings(strict=self._strict):
                return self.type(local).parse_xmlelement(copied, self.client.wsdl.types)
        except (zeep.exceptions.Error, TypeError, ValueError) as exc:
            raise RequestRefusedError("object", f"{local} does not fit the schema: {exc}") from None

    def query_config(self, where: Expression | None, sort: Mapping[str, str] | None) -> Any:
        """The ``queryConfig`` value of a filter and sort (``None``: every object, unsorted).

        Raises:
            QueryFilterError: If an operator is not in the account's schema.
        """
        from boomi_soap.query import check_expression, check_operators

        check_expression(where)
        if where is None and not sort:
            return None
        if where is not None:
            check_operators(where, *self._operator_names())
        # The schema requires a QueryFilter in a QueryConfig: with a sort alone, send an
        # empty "and" grouping, which every object matches.
        expression = self._expression(where) if where is not None else self.type("GroupingExpression")(operator="and")
        config: dict[str, Any] = {"QueryFilter": {"expression": expression}}
        if sort:
            config["QuerySort"] = {"sortField": [{"fieldName": k, "sortOrder": v} for k, v in sort.items()]}
        return config

    def _operator_names(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        with self._lock:
            if self._operators is None:
                self._operators = (
                    _enumeration(self._schema, "SimpleExpressionOperator"),
                    _enumeration(self._schema, "GroupingExpressionOperator"),
                )
            return self._operators

    def _expression(self, expression: Expression) -> Any:
        from boomi_soap.query import Grouping, Simple

        if isinstance(expression, Simple):
            return self.type("SimpleExpression")(
                operator=expression.operator, property=expression.property, argument=list(expression.arguments)
            )
        assert isinstance(expression, Grouping)
        nested = [self._expression(item) for item in expression.items]
        return self.type("GroupingExpression")(operator=expression.operator, nestedExpression=nested)


# zeep's model of a snapshot's WSDL, shared by every client of this process that reads the same
# contract the same way: unpickling it costs 50-150 ms a client (a fan-out, a test suite build many).
# The key is the contract hash, not the snapshot's folder: the same files read from another folder
# (a second cache, a copied one, the pinned copy beside a fetched one) share the model, which reads
# no file once built.  Each account's WSDL names its own endpoint, so two accounts have two contracts.
# The model is read-only once built; what a client owns (WS-Security, its driver, the validation
# plugin, the service address) is its own zeep.Client around it.  A few are kept, least recent out.
_MODELS: OrderedDict[tuple[str, bool, str], tuple[Any, SnapshotFiles]] = OrderedDict()
_MODELS_KEPT: Final = 8
_MODELS_LOCK = threading.Lock()


def forget_models() -> None:
    """Drop the zeep models this process holds: the next client reads its snapshot's form again, as a new process."""
    with _MODELS_LOCK:
        _MODELS.clear()
        _WRAPPERS.clear()


def _model(snapshot: Snapshot, schema: SchemaBundle, strict: bool) -> tuple[Any, SnapshotFiles]:
    """Zeep's document for ``snapshot`` (its answer bounds and readings set) and its loader, built once."""
    compiled = schema.compiled
    key = (snapshot.sha256, strict, str(compiled.directory) if compiled else "")
    with _MODELS_LOCK:
        found = _MODELS.get(key)
        if found is not None:
            _MODELS.move_to_end(key)
            return found
        import zeep

        from boomi_soap.wire.zeepform import load_document

        settings = zeep.Settings(
            strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        loader = schema.loader()  # zeep reads the snapshot's files and nothing else
        document = load_document(snapshot.sha256, snapshot.wsdl_path, loader, settings, compiled)
        binding = next(iter(document.bindings.values()))
        bound_zeep_binding(binding)  # the answer bounds of parse_xml, before zeep parses
        _keep_empty_objects(document)
        if not strict:
            _lenient_bodies(settings, binding)
        _MODELS[key] = (document, loader)
        while len(_MODELS) > _MODELS_KEPT:
            _MODELS.popitem(last=False)
        return document, loader


# zeep's model of the declarations the WSDL's messages need (boomi_soap.snapshot.subset), per
# snapshot: it builds every request of plain values as the whole model does, from a few dozen
# declarations whatever the count of object types, so it is parsed, never kept in a form.
# ``None``: the subset cannot be made (or zeep refuses it), and the whole model serves.
_WRAPPERS: OrderedDict[str, Any] = OrderedDict()


def _wrappers_model(snapshot: Snapshot, schema: SchemaBundle) -> Any:
    """Zeep's document of the wrappers' declarations of ``snapshot``, built once; ``None`` when there is none."""
    key = snapshot.sha256  # the contract, as for _MODELS
    with _MODELS_LOCK:
        if key in _WRAPPERS:
            _WRAPPERS.move_to_end(key)
            return _WRAPPERS[key]
        import zeep
        from zeep.wsdl import Document

        from boomi_soap.snapshot.subset import wrapper_subset

        directory, names = schema.files()
        wsdl = snapshot.wsdl_path.name
        subset = wrapper_subset(snapshot.wsdl_path, {name: directory / name for name in names if name != wsdl})
        document = None
        if subset is not None:
            settings = zeep.Settings(
                strict=True, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True, forbid_external=True
            )
            try:
                loader: Any = schema.loader(subset)  # zeep's loader: only its load() is called
                document = Document(str(snapshot.wsdl_path), loader, settings=settings)
            except Exception as exc:  # whatever zeep makes of the subset, the whole model stands
                _log.info("building requests from zeep's whole model of %s: %s", snapshot.wsdl_path, exc)
                document = None
        _WRAPPERS[key] = document
        while len(_WRAPPERS) > _MODELS_KEPT:
            _WRAPPERS.popitem(last=False)
        return document


def _plain_body(message: Any) -> bool:
    """Whether zeep's ``message`` is one document-literal element in the Body, with no SOAP header parts.

    Those are the messages whose request wrapper :meth:`ZeepObjects.payload` renders and
    whose answer :meth:`ZeepObjects.read` reads without zeep's envelope.
    """
    from zeep.wsdl.messages.soap import DocumentMessage

    return (
        isinstance(message, DocumentMessage)
        and message.body is not None
        and message.envelope is not None
        and not message._is_body_wrapped
        and message.header is not None
        and not message.header.type._element
    )


def _objects_only(message: Any, arguments: Mapping[str, Any]) -> dict[str, Any] | None:
    """``arguments`` as zeep's wrapper renders them when each is a zeep object of one of its children; else ``None``.

    zeep's wrapper object would hold those objects as they are (it converts dicts and
    lists, and refuses unknown names), so the render of a plain mapping is the same.
    """
    from zeep.xsd import CompoundValue

    if not arguments or not all(isinstance(value, CompoundValue) for value in arguments.values()):
        return None
    children = {name: element for name, element in message.body.type.elements}
    if not all(name in children and not children[name].accepts_multiple for name in arguments):
        return None
    return dict(arguments)


def _bare_envelope(root: etree._Element, answer: etree._Element) -> bool:
    """Whether ``answer`` is the first node of the Body of a SOAP envelope ``root`` whose Header is empty or absent."""
    if root.tag != f"{{{NS_ENVELOPE}}}Envelope" or answer.getprevious() is not None:
        return False
    body = answer.getparent()
    if body is None or body.getparent() is not root:
        return False
    header = root.find(f"{{{NS_ENVELOPE}}}Header")
    return header is None or (len(header) == 0 and not (header.text or "").strip())


def _plain(value: object, depth: int) -> bool:
    """Whether ``value`` holds nothing but plain values (see :meth:`ZeepObjects._request_binding`)."""
    if isinstance(value, _PLAIN):
        return True
    if depth >= _PLAIN_DEPTH:
        return False
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_plain(item, depth + 1) for item in value)
    return False


class _ValidationPlugin:
    """zeep hooks for the escape hatch: refuse to send an invalid request; check an answer before zeep reads it.

    zeep calls ``egress`` and ``ingress`` by name; not deriving from ``zeep.Plugin``
    keeps zeep out of the import of this module.
    """

    def __init__(self, core: CallCore) -> None:
        self.core = core

    def egress(
        self, envelope: etree._Element, http_headers: dict[str, str], operation: Any, binding_options: Any
    ) -> tuple[etree._Element, dict[str, str]]:
        if self.core.settings.validate_requests:
            issues = tuple(self.core.validator.iter_errors(envelope, source=f"{operation.name} request"))
            if issues:
                raise RequestValidationError(operation.name, issues)
        return envelope, http_headers

    def ingress(
        self, envelope: etree._Element, http_headers: dict[str, str], operation: Any
    ) -> tuple[etree._Element, dict[str, str]]:
        body = envelope.find(f"{{{NS_ENVELOPE}}}Body")
        child = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
        if child is None or child.tag == f"{{{NS_ENVELOPE}}}Fault":
            return envelope, http_headers  # zeep reports both
        self.core.check(operation.name, child)
        keep_empty_strings(child)
        return envelope, http_headers


def _keep_empty_objects(document: Any) -> None:
    """Make this client's complex types read a present, empty element as an empty object.

    zeep reads ``<SharedCommunicationChannel/>`` as ``None``, so sending the object
    back drops the element; the typed bindings keep it.  The types belong to this
    document alone (zeep builds them per WSDL), so other zeep documents in the process
    are not touched.
    """
    from zeep.xsd.types.complex import ComplexType

    for xsd_type in document.types.types:
        if isinstance(xsd_type, ComplexType):
            parse = xsd_type.parse_xmlelement

            def never_none(*args: Any, _parse: Any = parse, **kwargs: Any) -> Any:
                kwargs["allow_none"] = False
                return _parse(*args, **kwargs)

            xsd_type.parse_xmlelement = never_none  # type: ignore[method-assign]


def _lenient_bodies(settings: zeep.Settings, binding: Any) -> None:
    """Let zeep read a Body that lacks a required element, as the tolerant reader left it.

    zeep's ``strict=False`` would also parse a broken envelope in lxml's recover mode,
    so the envelope stays strict: only the reading of each operation's Body, after the
    core's check has put it in order and dropped what the snapshot does not declare,
    runs with ``strict`` off (zeep keeps that switch per thread).
    """
    for operation in binding._operations.values():
        read = operation.process_reply

        def process_reply(envelope: Any, _read: Any = read) -> Any:
            with settings(strict=False):
                return _read(envelope)

        operation.process_reply = process_reply


def keep_empty_strings(root: etree._Element) -> None:
    """Give empty leaf elements an empty text, so zeep reads ``<fax/>`` as ``''`` and not ``None``.

    zeep maps an element without text to ``None`` and then refuses to send ``None``
    for a required element: an object read by ``get`` could not go back in ``update``.
    The answer was validated first, so an empty leaf without attributes is a string
    (or ``anyType``) value; the typed bindings read it as ``''`` too.
    """
    for element in root.iter():
        # xsi:nil and xsi:type are attributes, so a nil or typed element is left alone.
        if isinstance(element.tag, str) and element.text is None and len(element) == 0 and not element.attrib:
            element.text = ""


@functools.cache
def _no_entities() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True)


def _enumeration(bundle: SchemaBundle, name: str) -> tuple[str, ...]:
    for path in sorted(bundle.directory.glob("*.xsd")):
        root = etree.parse(str(path), parser=_no_entities()).getroot()
        for simple in root.iterfind(f"{{{NS_XS}}}simpleType[@name='{name}']"):
            return tuple(v.get("value", "") for v in simple.iter(f"{{{NS_XS}}}enumeration"))
    return ()
