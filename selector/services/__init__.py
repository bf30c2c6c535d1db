"""Every write goes through here: check the rule, change the rows, write the audit entry.
The caller (a view or a command) commits once. Loaders turn rows into domain data."""
