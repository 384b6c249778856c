"""Labor cost allocation (issue 14, item 2): every paid minute of every employee on a day in exactly one
bucket (a job operation, an indirect code, or unallocated), costed at the employee's rate with overtime
premiums; unallocated time with the job it likely belongs to, for the review queue; job cost actual vs
standard (`docs/analytics.md`, "Labor allocation")."""
