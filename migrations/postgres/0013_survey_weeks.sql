-- A survey's results are counted by week (from Monday), not by day: a
-- range of dates is filtered in whole weeks, so that comparing two ranges
-- cannot reveal a small group (surveys::results, rule 4).
INSERT INTO survey_counts (survey_id, slice, question_id, cell, n)
SELECT survey_id,
       'week:' || to_char(date_trunc('week', to_date(substr(slice, 5), 'YYYY-MM-DD')), 'YYYY-MM-DD'),
       question_id, cell, SUM(n)
FROM survey_counts WHERE slice LIKE 'day:%'
GROUP BY 1, 2, 3, 4;
DELETE FROM survey_counts WHERE slice LIKE 'day:%';
