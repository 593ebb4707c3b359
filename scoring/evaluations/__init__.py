"""Two-way evaluation (双向评议): each quarter the station's staff rate their cadre and the
cadre rates the station, on a few 1–5 dimensions (评议项目) with a comment.

    models     dimensions (reference data, edited in the admin), evaluations and scores
    services   submitting an evaluation (validated, all-or-nothing)
    selectors  what may be shown: the anonymous aggregate, the cadre's rating of a station
    forms      the one-page form: every dimension as 1–5 radio buttons, and a comment
    seeding    demo evaluations for ``seed_demo``

Decisions:

- One evaluation per rater, assignment, quarter and direction, for the quarter under way
  only (the database refuses a quarter that has not started). A submitted evaluation is
  final: no edit window and no history, so nothing records how a rater changed their mind
  (an edit history would tie a person to scores), and an ended quarter's average is fixed.
- Anonymity: a station's ratings of its cadre are only ever shown as an aggregate (mean per
  dimension, overall mean, the number of raters, the comments sorted by their text, without
  names or dates), and only once the quarter has ended and at least
  ``LIAISON_EVALUATION_MIN_RATERS`` staff have rated; otherwise "评价人数不足，暂不显示".
  Waiting for the quarter's end means no two aggregates of one quarter can be compared to
  recover a late rater's scores. The individual rows are read only by administrators.
- The cadre's rating of the station is not anonymous (there is one cadre): the bureaus
  whose scope holds the station see it as given.
- Points: see ``scoring.rules`` (rule ``evaluation``) and ``scoring.services.ledger``.
"""
