"""Labor cost allocation, first part (issue 14, item 2): every paid minute of every employee on a day
lands in exactly one bucket, a job operation (from labor entries) or unallocated.

Paid time is the day's closed time-clock entries (plant-local day, clipped to it). Each moment of paid
time covered by labor entries goes to their job operations; when an operator runs several operations at
once the moment is split equally between them (the issue's "equal" split; by standard hours and by
machine cycles are not written yet). Paid time no labor entry covers is unallocated. Minutes are
rounded once per employee by largest remainder, so allocated + unallocated = paid to the minute.
Not yet: indirect codes, cost at the employee's rate with overtime premiums, the suggested job of
unallocated time and the review queue (`docs/analytics.md`, "What is left").
"""
