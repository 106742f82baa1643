"""``python -m boomi_soap``: the same as the ``boomi-soap`` command."""

from boomi_soap.cli import main

main()
