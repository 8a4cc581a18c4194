"""The workflow (流转) of a case from 受理 to 结案: ``clock`` is its clock (deadline and light
from 派遣, pauses and extensions)."""
