"""Build-time generator of typed bindings from a cached WSDL snapshot.

The runtime package ``boomi_soap`` never imports this package.
"""
