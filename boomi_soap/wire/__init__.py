"""The wire: what goes out and what is read back, without sockets or sleeps.

Today it holds the tolerant reader (:mod:`boomi_soap.wire.tolerance`), which every
path of a client reads its answers through.
"""

from boomi_soap.wire.tolerance import Deviation, Deviations, check_answer

__all__ = ["Deviation", "Deviations", "check_answer"]
