"""股改一社一策: the street's village shareholding cooperatives (股份经济合作社) under 红黄绿
management — their members and shares, assets and 留用地, yearly accounts from 浙农经管, the
grading, the plan per cooperative and the red ones' exit."""
