"""Printable assessment reports (考核报告): the data of a cadre's and a bureau's report
(``cadre``, ``bureau``), their rendering to A4 PDF (``render``), the verification code printed
on every page (``verify``) and the background jobs for large bureau reports (``jobs``).

A PDF is derived data: it is rebuilt from the facts on every request. What is stored is what
an issued PDF certifies (``IssuedReport``: its code and the SHA-256 of its bytes), so anyone
holding a printout can check it at the verify page."""
