-- Free-text answers of a question, for the themes of a survey's written
-- answers and the masked answers behind them.
CREATE INDEX survey_answers_question ON survey_answers (question_id, id);
