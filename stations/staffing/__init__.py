"""The "two 40 %" staffing ratios (两个40%, Lingwu): county-level bureaus record their police
total, station police and community police as of a date; the ratios are computed per bureau
and rolled up by city and province as sums of the counts.

    rules      the ratios and the checks of one set of figures (pure)
    selectors  the roll-up table, a bureau's dated figures (one query each)
    services   recording a bureau's figures
    importer   Excel import of many bureaus' figures, all or nothing
    export     the roll-up table as a workbook
    seeding    plausible figures for the demo
    views      the pages (their own urlpatterns)
"""
