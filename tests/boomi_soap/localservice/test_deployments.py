"""Deployment rules of the local service on the wire: undeploying, partial extension updates."""

from __future__ import annotations

from boomi_soap.localservice import LocalService
from tests.boomi_soap.localservice.helpers import NS, RawSoap


def active(service: LocalService, environment: str, component: str) -> list[str]:
    return [
        r.element.findtext("api:packageId", namespaces=NS) or ""
        for r in service.store().all("DeployedPackage")
        if r.element.findtext("api:environmentId", namespaces=NS) == environment
        and r.element.findtext("api:componentId", namespaces=NS) == component
        and r.element.findtext("api:active", namespaces=NS) == "true"
    ]


def test_undeploying_the_active_package_reactivates_the_previous_one(soap: RawSoap, service: LocalService) -> None:
    store = service.store()
    deployed = store.all("DeployedPackage")[0].element
    environment = deployed.findtext("api:environmentId", namespaces=NS)
    component = deployed.findtext("api:componentId", namespaces=NS)
    previous = active(service, environment, component)
    assert len(previous) == 1
    packaged = soap.ok(
        "<soap:create><object xsi:type='api:PackagedComponent'><api:branchName/>"
        f"<api:componentId>{component}</api:componentId><api:componentType/><api:createdBy/>"
        "<api:createdDate>2026-12-01T00:00:00Z</api:createdDate><api:notes/><api:packageId/><api:packageVersion/>"
        "</object></soap:create>"
    ).find("api:result", NS)
    package = packaged.findtext("api:packageId", namespaces=NS)
    assert packaged.findtext("api:createdBy", namespaces=NS) == "api"  # the platform's fields, not the sender's
    deployment = soap.ok(
        f"<soap:create><object xsi:type='api:DeployedPackage'><api:environmentId>{environment}</api:environmentId>"
        f"<api:packageId>{package}</api:packageId></object></soap:create>"
    ).findtext("api:result/api:deploymentId", namespaces=NS)
    assert active(service, environment, component) == [package]
    again = soap.call(
        f"<soap:create><object xsi:type='api:DeployedPackage'><api:environmentId>{environment}</api:environmentId>"
        f"<api:packageId>{package}</api:packageId></object></soap:create>"
    )
    assert again.fault()[2] == "INVALID_REQUEST"
    soap.ok(
        f"<soap:delete><{soap.child('delete', 'objectType')}>DeployedPackage</{soap.child('delete', 'objectType')}>"
        f"<{soap.child('delete', 'objectId')}>{deployment}</{soap.child('delete', 'objectId')}></soap:delete>"
    )
    assert active(service, environment, component) == previous


def test_a_partial_extensions_update_merges_by_name(soap: RawSoap, service: LocalService) -> None:
    environment = service.store().all("Environment")[0].key
    sections = "".join(
        f"<api:{name}/>"
        for name in ("PGPCertificates", "connections", "crossReferences", "operations", "processProperties")
    )
    soap.ok(
        f"<soap:update><object xsi:type='api:EnvironmentExtensions' id='{environment}' environmentId='{environment}'"
        f" partial='true'>{sections}<api:properties><api:property name='timeout' value='30'/></api:properties>"
        "<api:sharedCommunications/><api:tradingPartners/></object></soap:update>"
    )
    stored = service.store().get("EnvironmentExtensions", environment)
    names = {p.get("name"): p.get("value") for p in stored.element.iterfind("api:properties/api:property", NS)}
    assert names == {"region": "eu-west-1", "timeout": "30"}
    assert stored.element.get("partial") is None
