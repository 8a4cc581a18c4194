"""党建: party organisations in the towers, enterprises, parks and communities, their members,
the towers' and enterprises' coverage (own, joint, none) and its gaps, alliances, activities
with attendance and the yearly star rating."""
