"""Write services of the scoring app, one module per sub-domain:

- ``ledger``: point rules and the recompute of the ledger from the facts;
- ``ranking``: freezing a month's ranking.
"""
