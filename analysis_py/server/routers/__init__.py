"""One router per resource: lookups (releases, areas, occupations), wages, compare, results, sql, pages."""
