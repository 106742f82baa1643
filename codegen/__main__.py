"""``python -m codegen``: the same as ``boomi-soap codegen``."""

from boomi_soap.cli import main

main(["codegen", *__import__("sys").argv[1:]])
