"""The workflow (流转) of a case from 受理 to 结案.

``actions`` declares the steps (``TRANSITIONS``) and applies them (``perform``), with the
staff's corrections (class, place, splitting a report off), the reporter's confirmation and
the periodic ``flag_deadlines`` (run by ``tasks``); ``clock`` is the case's clock (deadline
and light from 派遣, pauses and extensions; 按时立案 and 按时派遣); ``notifications`` who
hears of a step; ``views``, ``forms`` and ``urls`` are the staff's case pages."""
