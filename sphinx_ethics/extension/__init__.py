"""The Sphinx extension: settings, directives, the domain, the gate, reports.

``setup()`` in :mod:`sphinx_ethics` wires these in when Sphinx loads the
extension. Built on :mod:`sphinx_ethics.nodes` and the plain layers below.
"""
