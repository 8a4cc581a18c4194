"""The intake (受理): a report from any channel becomes a case or joins an open one.

``pipeline`` holds the steps (validate, place, classify with ``classifier``, route, time
limit; ``refdata`` is their snapshot of the reference data), ``duplicates`` the search for the
open case a report repeats, ``store`` writes a batch of reports in one transaction,
``queue`` and ``tasks`` are the Open311 intake queue and its worker, ``actions`` the entry
points (``submit_report``, ``accept``, ``retrain_classifier``); ``views``, ``forms`` and
``urls`` are the staff's 受理 desk and the configuration the pipeline reads."""
