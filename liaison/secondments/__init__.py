"""Secondments (挂职, Wuhan): a headquarters officer serves one year as deputy head of a
police station (挂职副所长). Absences are counted in Chinese working days; past
``rules.RECOGNITION_LIMIT`` working days the secondment is not recognised (挂职经历不予认定).

    rules        thresholds and the standing of a secondment (pure)
    permissions  who may do what (no query beyond scope_of)
    services     create, extend, record absences, spot checks and the assessment (atomic)
    selectors    the year's batch with its counts, absences with the running total, the
                 officer's record, the summary the bureau report prints
    forms        parsing the pages' input
    views        the pages (urls appended to liaison/urls.py)
    export       the year's batch as Excel
    seeding      the demo batches
The models are in liaison/models/secondments.py, the working-day calendar in
liaison/workdays.py, the assessment PDF in scoring/reports/secondment.py.
"""
