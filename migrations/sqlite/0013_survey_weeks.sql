-- A survey's results are counted by week (from Monday), not by day: a
-- range of dates is filtered in whole weeks, so that comparing two ranges
-- cannot reveal a small group (surveys::results, rule 4).
INSERT INTO survey_counts (survey_id, slice, question_id, cell, n)
SELECT survey_id,
       'week:' || date(substr(slice, 5), '-' || ((CAST(strftime('%w', substr(slice, 5)) AS INTEGER) + 6) % 7) || ' days'),
       question_id, cell, SUM(n)
FROM survey_counts WHERE slice LIKE 'day:%'
GROUP BY 1, 2, 3, 4;
DELETE FROM survey_counts WHERE slice LIKE 'day:%';
