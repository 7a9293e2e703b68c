"""Open Badges 3.0 credentials as W3C Verifiable Credentials, signed with Data Integrity.

A pure package: documents are built from plain facts (``documents``, ``status_list``), signed and
checked with ``eddsa-rdfc-2022`` (``signing``), their JSON-LD contexts are shipped in ``contexts/``
and served offline by ``loader``; only ``keys.signing_key_load`` and its neighbours read settings.
``tools/credential-verifier/`` checks the same documents with digitalbazaar's JavaScript libraries.
"""
